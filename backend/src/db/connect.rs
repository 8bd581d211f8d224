//! Opening pools: one per SQLite file, one PostgreSQL pool for everything.

use std::{path::Path, time::Duration};

use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

use crate::tenancy::TenantId;

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
    pool_options(max_connections)
        .connect_with(connect_options(path, mode)?)
        .await
}

/// Opens a pool on one tenant's SQLite file, which is stamped with the
/// tenant's id (SQLite's `application_id` header field) when it is made;
/// every connection checks the stamp. A workspace deleted and made again
/// under its slug gets a new file at the same path: a pool another process
/// still holds for the old tenant then fails to connect there instead of
/// serving the new tenant's data as the old one's. Files made before the
/// stamp (0) are stamped on first open; an id past `i32` is not checked.
pub async fn sqlite_tenant(
    path: &Path,
    mode: OpenMode,
    tenant: TenantId,
    max_connections: u32,
) -> Result<SqlitePool, sqlx::Error> {
    let stamp = i32::try_from(tenant.get()).ok();
    let mut options = connect_options(path, mode)?;
    if let (OpenMode::Create, Some(stamp)) = (mode, stamp) {
        options = options.pragma("application_id", stamp.to_string());
    }
    pool_options(max_connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let Some(stamp) = stamp else { return Ok(()) };
                let (found,): (i32,) = sqlx::query_as("PRAGMA application_id")
                    .fetch_one(&mut *conn)
                    .await?;
                match found {
                    0 => {
                        sqlx::query(&format!("PRAGMA application_id = {stamp}"))
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    }
                    found if found == stamp => Ok(()),
                    found => Err(sqlx::Error::Protocol(format!(
                        "this database belongs to tenant {found}, not {stamp}: \
                         the workspace was deleted and made again"
                    ))),
                }
            })
        })
        .connect_with(options)
        .await
}

/// Every setting is part of the connect options, so SQLite applies them
/// in the one PRAGMA batch sqlx sends on connecting (after its busy
/// timeout, 5 s, so nothing here fails on a lock). WAL is a property of
/// the file, set once by whoever may create it (switching takes a lock that
/// concurrent writers on a busy central database would refuse). cache_size:
/// a tenant database is a few pages and hundreds of pools may be open;
/// SQLite's 2 MiB default per connection was most of the server's memory at
/// 10,000 tenants.
fn connect_options(path: &Path, mode: OpenMode) -> Result<SqliteConnectOptions, sqlx::Error> {
    let path = std::path::absolute(path).map_err(sqlx::Error::Io)?;
    if mode == OpenMode::Create {
        crate::files::private_database(&path).map_err(sqlx::Error::Io)?;
    }
    let mut options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(mode == OpenMode::Create)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("cache_size", "-256");
    if mode == OpenMode::Create {
        options = options.journal_mode(SqliteJournalMode::Wal);
    }
    Ok(options)
}

fn pool_options(max_connections: u32) -> SqlitePoolOptions {
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

    /// A tenant's file answers only pools opened for that tenant; one from
    /// before the stamp is stamped by its first opener.
    #[tokio::test]
    async fn a_tenant_file_opens_only_for_its_own_tenant() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (one, two) = (TenantId::new(1), TenantId::new(2));
        let stamped = dir.path().join("acme.sqlite");
        sqlite_tenant(&stamped, OpenMode::Create, one, 1)
            .await
            .expect("made")
            .close()
            .await;
        assert!(sqlite_tenant(&stamped, OpenMode::Existing, one, 1)
            .await
            .is_ok());
        let refused = sqlite_tenant(&stamped, OpenMode::Existing, two, 1).await;
        assert!(refused.is_err(), "another tenant's pool connected");

        let legacy = dir.path().join("legacy.sqlite");
        sqlite(&legacy, OpenMode::Create, 1)
            .await
            .expect("made")
            .close()
            .await;
        sqlite_tenant(&legacy, OpenMode::Existing, two, 1)
            .await
            .expect("adopted")
            .close()
            .await;
        assert!(sqlite_tenant(&legacy, OpenMode::Existing, one, 1)
            .await
            .is_err());
    }
}
