//! The four migration sets: central and tenant, for each backend.

use sqlx::{migrate::Migrator, postgres::PgPoolOptions, Executor, SqlitePool};

use super::scope::Schema;

pub static CENTRAL_SQLITE: Migrator = sqlx::migrate!("../migrations/central/sqlite");
pub static CENTRAL_POSTGRES: Migrator = sqlx::migrate!("../migrations/central/postgres");
pub static TENANT_SQLITE: Migrator = sqlx::migrate!("../migrations/tenant/sqlite");
pub static TENANT_POSTGRES: Migrator = sqlx::migrate!("../migrations/tenant/postgres");

pub async fn sqlite(pool: &SqlitePool, migrator: &Migrator) -> Result<(), sqlx::Error> {
    Ok(migrator.run(pool).await?)
}

/// Creates the schema if needed and migrates it, through a private
/// one-connection pool whose session-wide `search_path` never reaches the
/// shared pool.
pub async fn postgres_schema(
    url: &str,
    schema: &Schema,
    migrator: &Migrator,
) -> Result<(), sqlx::Error> {
    // Migrations are plain SQL files naming unqualified tables, so (here
    // only) a private connection points its search_path at the schema.
    let set_path = format!("SET search_path TO {}", schema.quoted());
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            let set_path = set_path.clone();
            Box::pin(async move {
                conn.execute(set_path.as_str()).await?;
                Ok(())
            })
        })
        .connect(url)
        .await?;
    let create = format!("CREATE SCHEMA IF NOT EXISTS {}", schema.quoted());
    let result = match pool.execute(create.as_str()).await {
        Ok(_) => migrator.run(&pool).await.map_err(sqlx::Error::from),
        Err(e) => Err(e),
    };
    pool.close().await;
    result
}
