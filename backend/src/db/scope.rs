//! One tenant's (or the central) database as queries see it: a SQLite file
//! with its own pool, or one PostgreSQL schema in the shared pool.
//!
//! Queries are sea-query statements, rendered here for the backend. On
//! PostgreSQL every table is qualified with the scope's schema
//! (`"tenant_acme"."users"`, see [`Scope::table`]), so a read is one round
//! trip with no transaction and no `search_path`: nothing a pooled
//! connection carries from one request can reach the next.

use std::sync::Arc;

use sea_query::{
    DynIden, IntoIden, PostgresQueryBuilder, SchemaStatementBuilder, SqliteQueryBuilder, TableRef,
};
use sea_query_sqlx::SqlxBinder;
use sqlx::{
    postgres::PgRow, sqlite::SqliteRow, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction,
};

/// A PostgreSQL schema name (from a validated slug, or a constant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema(Arc<str>);

impl Schema {
    pub fn new(name: &str) -> Self {
        Self(Arc::from(name.replace('"', "")))
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// Quoted for use as an identifier in hand-written DDL.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }

    fn iden(&self) -> DynIden {
        sea_query::Alias::new(self.0.to_string()).into_iden()
    }
}

/// A row type both backends can decode (`#[derive(sqlx::FromRow)]`, tuples).
pub trait FromEither:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> FromEither for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

#[derive(Debug, Clone)]
pub enum Scope {
    Sqlite(SqlitePool),
    Postgres { pool: PgPool, schema: Schema },
}

/// A write transaction on a scope.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>, Schema),
}

fn qualified(schema: Option<&Schema>, table: impl IntoIden) -> TableRef {
    match schema {
        Some(schema) => (schema.iden(), table.into_iden()).into(),
        None => table.into_iden().into(),
    }
}

/// The same four ways to run a statement, for a scope (on its pool) and a
/// transaction (on its connection).
macro_rules! runners {
    ($ty:ty, [$($recv:tt)+], $me:tt) => {
        impl $ty {
            pub async fn fetch_all<T: FromEither>($($recv)+, query: &impl SqlxBinder) -> Result<Vec<T>, sqlx::Error> {
                run!($me, query, |sql, values, exec| sqlx::query_as_with::<_, T, _>(&sql, values).fetch_all(exec).await)
            }

            pub async fn fetch_optional<T: FromEither>($($recv)+, query: &impl SqlxBinder) -> Result<Option<T>, sqlx::Error> {
                run!($me, query, |sql, values, exec| sqlx::query_as_with::<_, T, _>(&sql, values).fetch_optional(exec).await)
            }

            pub async fn fetch_one<T: FromEither>($($recv)+, query: &impl SqlxBinder) -> Result<T, sqlx::Error> {
                run!($me, query, |sql, values, exec| sqlx::query_as_with::<_, T, _>(&sql, values).fetch_one(exec).await)
            }

            /// Runs a statement; the number of rows it touched.
            pub async fn execute($($recv)+, query: &impl SqlxBinder) -> Result<u64, sqlx::Error> {
                run!($me, query, |sql, values, exec| Ok(sqlx::query_with(&sql, values).execute(exec).await?.rows_affected()))
            }
        }
    };
}

/// Renders `$query` for the backend of `$on` and runs `$body` on its executor.
macro_rules! run {
    ($on:expr, $query:expr, |$sql:ident, $values:ident, $exec:ident| $body:expr) => {
        match $on.target() {
            Target::Sqlite($exec) => {
                let ($sql, $values) = $query.build_sqlx(SqliteQueryBuilder);
                $body
            }
            Target::Postgres($exec) => {
                let ($sql, $values) = $query.build_sqlx(PostgresQueryBuilder);
                $body
            }
        }
    };
}

/// Where a statement runs: a pool, or a transaction's connection.
enum Target<S, P> {
    Sqlite(S),
    Postgres(P),
}

impl Scope {
    pub fn sqlite(pool: SqlitePool) -> Self {
        Self::Sqlite(pool)
    }

    /// Closes the pool behind this scope (every clone of it) once its
    /// connections are returned.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => super::connect::close_sqlite(pool).await,
            Self::Postgres { pool, .. } => pool.close().await,
        }
    }

    pub fn postgres(pool: PgPool, schema: Schema) -> Self {
        Self::Postgres { pool, schema }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }

    /// A table of this database: schema-qualified on PostgreSQL.
    pub fn table(&self, table: impl IntoIden) -> TableRef {
        match self {
            Self::Sqlite(_) => qualified(None, table),
            Self::Postgres { schema, .. } => qualified(Some(schema), table),
        }
    }

    fn target(&self) -> Target<&SqlitePool, &PgPool> {
        match self {
            Self::Sqlite(pool) => Target::Sqlite(pool),
            Self::Postgres { pool, .. } => Target::Postgres(pool),
        }
    }

    /// Runs a schema statement (CREATE TABLE / INDEX built with sea-query).
    pub async fn execute_schema(
        &self,
        statement: &impl SchemaStatementBuilder,
    ) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(pool) => sqlx::query(&statement.to_string(SqliteQueryBuilder))
                .execute(pool)
                .await
                .map(drop),
            Self::Postgres { pool, .. } => sqlx::query(&statement.to_string(PostgresQueryBuilder))
                .execute(pool)
                .await
                .map(drop),
        }
    }

    /// A write transaction. SQLite takes the write lock up front (`BEGIN
    /// IMMEDIATE`, waiting out the busy timeout): a deferred transaction
    /// that reads and then writes can fail outright when another writer got
    /// in between.
    ///
    /// Beginning runs as a task of its own, which a dropped request cannot
    /// cancel: sqlx counts a transaction begun once BEGIN has run, but
    /// hands out the guard that rolls it back only after one more await. A
    /// request dropped in between (its client went away) returned the
    /// connection to the pool inside a transaction, holding SQLite's write
    /// lock, and every later write of the tenant failed as "database is
    /// locked". A begun transaction nobody waits for is dropped, and so
    /// rolled back.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let begun =
            match self.clone() {
                Self::Sqlite(pool) => tokio::spawn(async move {
                    Ok(Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?))
                }),
                Self::Postgres { pool, schema } => {
                    tokio::spawn(async move { Ok(Tx::Postgres(pool.begin().await?, schema)) })
                }
            };
        begun.await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }
}

runners!(Scope, [&self], self);

impl Tx {
    pub fn table(&self, table: impl IntoIden) -> TableRef {
        match self {
            Self::Sqlite(_) => qualified(None, table),
            Self::Postgres(_, schema) => qualified(Some(schema), table),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(..))
    }

    fn target(&mut self) -> Target<&mut sqlx::SqliteConnection, &mut sqlx::PgConnection> {
        match self {
            Self::Sqlite(tx) => Target::Sqlite(&mut **tx),
            Self::Postgres(tx, _) => Target::Postgres(&mut **tx),
        }
    }

    /// Runs hand-written SQL (what sea-query cannot say, e.g. `LOCK TABLE`).
    pub async fn execute_raw(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        match self.target() {
            Target::Sqlite(conn) => sqlx::query(sql).execute(conn).await.map(drop),
            Target::Postgres(conn) => sqlx::query(sql).execute(conn).await.map(drop),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx, _) => tx.commit().await,
        }
    }
}

runners!(Tx, [&mut self], self);

/// Whether an error means "the table is not there" on either backend.
pub fn is_missing_table(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("42P01") || db.message().contains("no such table")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_query::{Alias, Query};

    use super::*;
    use crate::db::connect::{self, OpenMode};

    /// Requests dropped at any point of beginning a transaction (clients
    /// gone) leave no connection inside one: writes still go through.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_begin_cut_off_anywhere_leaves_no_transaction_open() {
        let dir = tempfile::tempdir().expect("dir");
        let pool = connect::sqlite(&dir.path().join("t.db"), OpenMode::Create, 4)
            .await
            .expect("pool");
        sqlx::query("CREATE TABLE t (n INTEGER)")
            .execute(&pool)
            .await
            .expect("table");
        let scope = Scope::Sqlite(pool);
        for wait in 0..1_000u64 {
            let cut_off = Duration::from_micros(wait % 80);
            let _ = tokio::time::timeout(cut_off, scope.begin()).await;
        }
        let insert = Query::insert()
            .into_table(Alias::new("t"))
            .columns([Alias::new("n")])
            .values_panic([1.into()])
            .to_owned();
        for _ in 0..8 {
            let mut tx = tokio::time::timeout(Duration::from_secs(10), scope.begin())
                .await
                .expect("a transaction begins")
                .expect("no connection is stuck inside one");
            tx.execute(&insert).await.expect("written");
            tx.commit().await.expect("committed");
        }
    }
}
