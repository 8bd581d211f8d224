//! Opening pools: one per SQLite file, one PostgreSQL pool for everything.

use std::{path::Path, time::Duration};

use sqlx::{postgres::PgPoolOptions, sqlite::SqlitePoolOptions, Executor, PgPool, SqlitePool};

/// Whether opening a SQLite file may create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    Create,
    Existing,
}

fn sqlite_url(path: &Path, mode: OpenMode) -> String {
    let mut encoded = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' => encoded.push_str(&format!("%{:02X}", c as u32)),
            c => encoded.push(c),
        }
    }
    let mode = match mode {
        OpenMode::Create => "rwc",
        OpenMode::Existing => "rw",
    };
    format!("sqlite://{encoded}?mode={mode}")
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
        .after_connect(move |conn, _| {
            Box::pin(async move {
                // The busy timeout first, so everything after it waits for a
                // lock instead of failing; WAL is a property of the file, set
                // once by whoever may create it (switching takes a lock that
                // concurrent writers on a busy central database would refuse).
                // cache_size: a tenant database is a few pages and hundreds of
                // pools may be open; SQLite's 2 MiB default per connection
                // was most of the server's memory at 10,000 tenants.
                conn.execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -256",
                )
                .await?;
                if mode == OpenMode::Create {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                }
                Ok(())
            })
        })
        .connect(&sqlite_url(&path, mode))
        .await
}

/// Closes a pool on one SQLite file and leaves the file whole: the last
/// connection to close checkpoints the WAL into the file and removes it, but
/// two connections closing at once can each see the other and both skip
/// that. One more connection, opened and closed alone, settles it.
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

    #[test]
    fn sqlite_urls_escape_what_urls_reserve() {
        assert_eq!(
            sqlite_url(Path::new("/tmp/a b?#%.db"), OpenMode::Existing),
            "sqlite:///tmp/a%20b%3F%23%25.db?mode=rw"
        );
    }
}
