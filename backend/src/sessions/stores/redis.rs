//! Sessions in Redis. Key layout: `<REDIS_KEY_PREFIX><prefix>:<namespace>:<stored id>`,
//! e.g. `tessera:tenant:tenant-1:Xy…`, where the namespace is `tenant-<id>`
//! (isolated) or `shared`; the value is the record (without its id) as
//! JSON, and the key expires with the session. Listing walks the
//! namespace's keys with SCAN, never KEYS (which blocks the whole server).

use std::sync::Arc;

use redis::{aio::ConnectionManager, AsyncCommands, SetExpiry, SetOptions};
use time::OffsetDateTime;
use tower_sessions::session_store;

use super::{decode, encode, StoredId, StoredRecord};
use crate::redis_link::RedisLink;

/// Keys asked for per SCAN step (a hint to Redis, not a limit).
const SCAN_BATCH: usize = 500;

#[derive(Clone)]
pub struct RedisSessionStore {
    link: Arc<RedisLink>,
    key_prefix: String,
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

fn backend(e: redis::RedisError) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// Seconds until the record expires (at least one, so SET EX accepts it).
fn ttl(record: &StoredRecord) -> u64 {
    u64::try_from((record.expiry_date - OffsetDateTime::now_utc()).whole_seconds())
        .unwrap_or(0)
        .max(1)
}

/// The prefix as a SCAN pattern matching itself only.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Every key matching a SCAN pattern.
async fn scan(conn: &mut ConnectionManager, pattern: &str) -> session_store::Result<Vec<String>> {
    let (mut cursor, mut keys) = (0u64, Vec::new());
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(SCAN_BATCH)
            .query_async(conn)
            .await
            .map_err(backend)?;
        keys.extend(batch);
        if next == 0 {
            return Ok(keys);
        }
        cursor = next;
    }
}

/// Deletes, under `root` (the installation's key prefix), every session key
/// of namespace `namespace` whatever the settings prefix before it, for
/// which `doomed` says yes. For a deleted tenant: its own namespace whole,
/// and its records in the shared one.
pub async fn purge(
    link: &RedisLink,
    root: &str,
    namespace: &str,
    doomed: impl Fn(&StoredRecord) -> bool,
) -> session_store::Result<usize> {
    let mut conn = link
        .get()
        .await
        .map_err(|e| session_store::Error::Backend(e.to_string()))?;
    let pattern = format!("{}*:{}:*", glob_escape(root), glob_escape(namespace));
    let keys = scan(&mut conn, &pattern).await?;
    let mut purged = 0;
    for chunk in keys.chunks(SCAN_BATCH) {
        let values: Vec<Option<String>> = conn.mget(chunk).await.map_err(backend)?;
        let gone: Vec<&String> = chunk
            .iter()
            .zip(values)
            .filter(|(_, value)| {
                value
                    .as_deref()
                    .and_then(|v| decode(v.as_bytes()).ok())
                    .is_some_and(|record| doomed(&record))
            })
            .map(|(key, _)| key)
            .collect();
        if !gone.is_empty() {
            conn.del::<_, ()>(&gone).await.map_err(backend)?;
            purged += gone.len();
        }
    }
    Ok(purged)
}

impl RedisSessionStore {
    /// `key_prefix` ends with ':'; every key of this store starts with it.
    pub fn new(link: Arc<RedisLink>, key_prefix: String) -> Self {
        Self { link, key_prefix }
    }

    /// The process's connection (made on first use; an outage is a store error).
    async fn conn(&self) -> session_store::Result<ConnectionManager> {
        self.link
            .get()
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))
    }

    fn key(&self, id: &StoredId) -> String {
        format!("{}{}", self.key_prefix, id.as_str())
    }

    /// SET with an existence condition (NX: only a new key, XX: only an
    /// existing one); false when the condition failed.
    async fn set(
        &self,
        id: &StoredId,
        record: &StoredRecord,
        condition: redis::ExistenceCheck,
    ) -> session_store::Result<bool> {
        let options = SetOptions::default()
            .with_expiration(SetExpiry::EX(ttl(record)))
            .conditional_set(condition);
        let mut conn = self.conn().await?;
        let reply: Option<String> = conn
            .set_options(self.key(id), encode(record)?, options)
            .await
            .map_err(backend)?;
        Ok(reply.is_some())
    }

    /// Every key of this namespace, by SCAN.
    async fn keys(&self) -> session_store::Result<Vec<String>> {
        let mut conn = self.conn().await?;
        scan(&mut conn, &format!("{}*", glob_escape(&self.key_prefix))).await
    }

    pub async fn list(&self) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let keys = self.keys().await?;
        let mut records = Vec::with_capacity(keys.len());
        let mut conn = self.conn().await?;
        for chunk in keys.chunks(SCAN_BATCH) {
            let values: Vec<Option<String>> = conn.mget(chunk).await.map_err(backend)?;
            for (key, value) in chunk.iter().zip(values) {
                let id = key
                    .strip_prefix(&self.key_prefix)
                    .and_then(StoredId::from_stored);
                if let (Some(id), Some(record)) =
                    (id, value.and_then(|v| decode(v.as_bytes()).ok()))
                {
                    records.push((id, record));
                }
            }
        }
        Ok(records)
    }

    pub async fn insert(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        self.set(id, record, redis::ExistenceCheck::NX).await
    }

    /// Rewrites a session that still exists; false when it is gone.
    pub async fn update(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        self.set(id, record, redis::ExistenceCheck::XX).await
    }

    pub async fn get(&self, id: &StoredId) -> session_store::Result<Option<StoredRecord>> {
        let mut conn = self.conn().await?;
        let value: Option<String> = conn.get(self.key(id)).await.map_err(backend)?;
        value.map(|v| decode(v.as_bytes())).transpose()
    }

    pub async fn remove(&self, id: &StoredId) -> session_store::Result<()> {
        let mut conn = self.conn().await?;
        conn.del::<_, ()>(self.key(id)).await.map_err(backend)
    }
}
