//! Opening pools: one per SQLite file, one PostgreSQL pool for everything.

use std::{path::Path, time::Duration};

use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

/// Whether opening a SQLite file may create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    Create,
    Existing,
}

/// Opens a pool on one SQLite file: WAL so readers never block the writer,
/// a busy timeout so concurrent writers queue instead of failing.
pub async fn sqlite(
    path: &Path,
    mode: OpenMode,
    max_connections: u32,
) -> Result<SqlitePool, sqlx::Error> {
    let path = std::path::absolute(path).map_err(sqlx::Error::Io)?;
    if mode == OpenMode::Create {
        crate::files::private_database(&path).map_err(sqlx::Error::Io)?;
    }
    // Every setting is part of the connect options, so SQLite applies them
    // in the one PRAGMA batch sqlx sends on connecting (after its busy
    // timeout, 5 s, so nothing here fails on a lock): a cold tenant's first
    // connection makes one round trip to its worker thread fewer than with
    // a separate `after_connect`. WAL is a property of the file, set once by
    // whoever may create it (switching takes a lock that concurrent writers
    // on a busy central database would refuse). cache_size: a tenant
    // database is a few pages and hundreds of pools may be open; SQLite's
    // 2 MiB default per connection was most of the server's memory at
    // 10,000 tenants.
    let mut options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(mode == OpenMode::Create)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("cache_size", "-256");
    if mode == OpenMode::Create {
        options = options.journal_mode(SqliteJournalMode::Wal);
    }
    SqlitePoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .idle_timeout(Duration::from_secs(60))
        // Local files connect in microseconds; a failure (say, a corrupt
        // file) is not worth the default 30 s of retries.
        .acquire_timeout(Duration::from_secs(5))
        // A local file does not drop connections the way a network peer
        // does; pinging before every use doubled each query's thread hops.
        .test_before_acquire(false)
        .connect_with(options)
        .await
}

/// Closes a pool on one SQLite file, trying to leave the file whole: the
/// last connection to close checkpoints the WAL into the file and removes
/// it, but after a pool's close the WAL was sometimes left (our guess: two
/// connections closing at once each saw the other and skipped it). One more
/// connection, opened and closed alone, checkpoints again; the central WAL
/// still survives a CLI command now and then (a known defect).
pub async fn close_sqlite(pool: &SqlitePool) {
    pool.close().await;
    let options = pool.connect_options();
    let alone = sqlx::ConnectOptions::connect(&*options).await;
    match alone {
        Ok(conn) => {
            if let Err(error) = sqlx::Connection::close(conn).await {
                tracing::warn!(%error, "closing a SQLite database after its pool failed");
            }
        }
        // Nothing is lost: the WAL is replayed on the next open.
        Err(error) => tracing::warn!(%error, "could not checkpoint a SQLite database on close"),
    }
}

/// The one PostgreSQL pool every tenant shares.
pub async fn postgres(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path goes to SQLite as a path, not inside a URL: characters a URL
    /// reserves name the file they say.
    #[tokio::test]
    async fn opens_a_file_whose_name_a_url_would_misread() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a b?#%.db");
        let pool = sqlite(&path, OpenMode::Create, 1).await.expect("opened");
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .expect("queried");
        assert_eq!(mode.0, "wal");
        close_sqlite(&pool).await;
        assert!(path.exists());
        let reopened = sqlite(&path, OpenMode::Existing, 1).await;
        assert!(reopened.is_ok(), "{reopened:?}");
        assert!(sqlite(&dir.path().join("absent.db"), OpenMode::Existing, 1)
            .await
            .is_err());
    }
}
