//! Storage: the central database and the per-tenant databases, on SQLite
//! (the embedded default) or PostgreSQL (schema per tenant, one pool).

pub mod central;
pub mod connect;
pub mod migrate;
pub mod open_pools;
pub mod outage;
pub mod schema;
pub mod scope;
pub mod tenants;

use std::path::PathBuf;

pub use central::CentralDb;
pub use outage::is_outage;
pub use scope::{FromEither, Schema, Scope, Tx};
/// The storage error type, re-exported so callers need no sqlx dependency.
pub use sqlx::Error as DbError;
pub use tenants::TenantStorage;

/// Connections in the shared PostgreSQL pool.
const POSTGRES_POOL_SIZE: u32 = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// `max_open`: SQLite tenant databases kept open at once (least recently used let go).
    Sqlite {
        data_dir: PathBuf,
        max_open: usize,
    },
    Postgres {
        url: String,
    },
}

/// Opens (creating and migrating where needed) the central database and the
/// tenant storage.
pub async fn open(config: &StorageConfig) -> Result<(CentralDb, TenantStorage), DbError> {
    match config {
        StorageConfig::Sqlite { data_dir, max_open } => {
            let tenants_dir = data_dir.join("tenants");
            crate::files::private_dir(data_dir)?;
            crate::files::private_dir(&tenants_dir)?;
            let pool = connect::sqlite(
                &data_dir.join("central.sqlite"),
                connect::OpenMode::Create,
                8,
            )
            .await?;
            migrate::sqlite(&pool, &migrate::CENTRAL_SQLITE).await?;
            Ok((
                CentralDb::new(Scope::sqlite(pool)),
                TenantStorage::sqlite(tenants_dir, *max_open),
            ))
        }
        StorageConfig::Postgres { url } => {
            let central = Schema::new("central");
            migrate::postgres_schema(url, &central, &migrate::CENTRAL_POSTGRES).await?;
            let pool = connect::postgres(url, POSTGRES_POOL_SIZE).await?;
            Ok((
                CentralDb::new(Scope::postgres(pool.clone(), central)),
                TenantStorage::Postgres {
                    url: url.clone(),
                    pool,
                },
            ))
        }
    }
}
