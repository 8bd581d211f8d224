//! A tower-sessions store over one database's `sessions` table: a tenant's
//! own database (SQLite file or PostgreSQL schema), or the central one.

use std::time::Duration;

use sqlx::{any::AnyArguments, query::Query, Any};
use time::OffsetDateTime;
use tower_sessions::session_store;

use super::{StoredId, StoredRecord};
use crate::db::{scope::is_missing_table, Scope};

/// Kept identical to the tenant migrations' sessions table (valid SQL for
/// both backends).
const CREATE_TABLE: [&str; 2] = [
    "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL, expiry_date BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expiry_date)",
];

const PRUNE_ODDS: u32 = 64;

/// What to do when the table is missing (a tenant database from before the
/// sessions migration, or one whose table was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingTable {
    Create,
    Fail,
}

#[derive(Debug, Clone)]
pub struct SqlSessionStore {
    db: Scope,
    missing_table: MissingTable,
}

type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode_data(record: &StoredRecord) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn row_record(data: &str, expiry: i64) -> Option<StoredRecord> {
    Some(StoredRecord {
        data: serde_json::from_str(data).ok()?,
        expiry_date: OffsetDateTime::from_unix_timestamp(expiry).ok()?,
    })
}

impl SqlSessionStore {
    pub fn new(db: Scope, missing_table: MissingTable) -> Self {
        Self { db, missing_table }
    }

    /// Runs one write statement, committed.
    async fn execute(&self, query: AnyQuery<'_>) -> Result<u64, sqlx::Error> {
        let mut conn = self.db.conn().await?;
        let done = query.execute(&mut *conn).await?;
        conn.commit().await?;
        Ok(done.rows_affected())
    }

    /// Runs `op`; if it failed only because the table is missing and we may
    /// create it, creates the table and runs `op` once more.
    async fn with_table<T, F, Fut>(&self, op: F) -> session_store::Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
    {
        match op().await {
            Err(e) if is_missing_table(&e) => match self.missing_table {
                MissingTable::Create => {
                    self.create_table().await;
                    op().await.map_err(backend)
                }
                MissingTable::Fail => Err(session_store::Error::Backend(
                    "this tenant's database has no sessions table and auto_create_session_table is off; \
                     run `tessera tenant migrate`"
                        .into(),
                )),
            },
            other => other.map_err(backend),
        }
    }

    /// Creates the table; a concurrent creator winning the race is fine.
    async fn create_table(&self) {
        let created = async {
            let mut conn = self.db.conn().await?;
            for statement in CREATE_TABLE {
                sqlx::query(statement).execute(&mut *conn).await?;
            }
            conn.commit().await
        }
        .await;
        match created {
            Ok(()) => tracing::info!("created missing sessions table"),
            Err(e) => {
                tracing::warn!(error = %e, "creating the sessions table failed (maybe created concurrently)")
            }
        }
    }

    pub async fn list(&self) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let rows: Vec<(String, String, i64)> = self
            .with_table(|| async {
                sqlx::query_as("SELECT id, data, expiry_date FROM sessions WHERE expiry_date > $1")
                    .bind(now())
                    .fetch_all(&mut *self.db.conn().await?)
                    .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, data, expiry)| {
                Some((StoredId::from_stored(&id)?, row_record(&data, expiry)?))
            })
            .collect())
    }

    /// Laravel's session lottery: one new session in PRUNE_ODDS also deletes
    /// the expired ones, so the table stays bounded without a sweeper per tenant.
    async fn prune_expired_sometimes(&self) {
        if !rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, PRUNE_ODDS) {
            return;
        }
        if let Err(e) = self
            .execute(sqlx::query("DELETE FROM sessions WHERE expiry_date <= $1").bind(now()))
            .await
        {
            tracing::warn!(error = %e, "pruning expired sessions failed");
        }
    }

    /// Stores a new session; false when the id is taken.
    pub async fn insert(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        let (data, expiry) = (encode_data(record)?, record.expiry_date.unix_timestamp());
        let inserted = self
            .with_table(|| {
                self.execute(
                    sqlx::query("INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
                        .bind(id.as_str())
                        .bind(data.clone())
                        .bind(expiry),
                )
            })
            .await?;
        if inserted == 1 {
            self.prune_expired_sometimes().await;
        }
        Ok(inserted == 1)
    }

    pub async fn put(&self, id: &StoredId, record: &StoredRecord) -> session_store::Result<()> {
        let (data, expiry) = (encode_data(record)?, record.expiry_date.unix_timestamp());
        self.with_table(|| {
            self.execute(
                sqlx::query(
                    "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
                )
                .bind(id.as_str())
                .bind(data.clone())
                .bind(expiry),
            )
        })
        .await?;
        Ok(())
    }

    pub async fn get(&self, id: &StoredId) -> session_store::Result<Option<StoredRecord>> {
        let row: Option<(String, i64)> = self
            .with_table(|| async {
                sqlx::query_as(
                    "SELECT data, expiry_date FROM sessions WHERE id = $1 AND expiry_date > $2",
                )
                .bind(id.as_str())
                .bind(now())
                .fetch_optional(&mut *self.db.conn().await?)
                .await
            })
            .await?;
        let Some((data, expiry)) = row else {
            return Ok(None);
        };
        row_record(&data, expiry)
            .map(Some)
            .ok_or_else(|| session_store::Error::Decode("an unreadable session row".into()))
    }

    pub async fn remove(&self, id: &StoredId) -> session_store::Result<()> {
        self.with_table(|| {
            self.execute(sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id.as_str()))
        })
        .await?;
        Ok(())
    }
}

/// How long an idle session lives, as tower-sessions wants it.
pub fn idle_expiry(lifetime: Duration) -> tower_sessions::Expiry {
    tower_sessions::Expiry::OnInactivity(time::Duration::seconds(
        i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX),
    ))
}
