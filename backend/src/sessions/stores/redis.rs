//! Sessions in Redis. Key layout: `<REDIS_KEY_PREFIX><prefix>:<namespace>:<stored id>`,
//! e.g. `tessera:tenant:tenant-1:Xy…`, where the namespace is `tenant-<id>`
//! (isolated) or `shared`; the value is the record (without its id) as
//! JSON, and the key expires with the session.
//!
//! Two indexes beside them, so that one user's page and the admin's first
//! page read only their own keys: `<…>:#user:<id>`, a set of that user's
//! stored ids, and `<…>:#recent`, a sorted set of every stored id by expiry
//! (the most recently active last). Both are written with the session, in
//! one round trip; a member whose session is gone is dropped when it is
//! next read. Listing everything walks the namespace's keys with SCAN,
//! never KEYS (which blocks the whole server).

use std::sync::Arc;

use redis::{aio::ConnectionManager, AsyncCommands, SetExpiry, SetOptions};
use time::OffsetDateTime;
use tower_sessions::session_store;

use super::stored::{decode, encode, StoredId, StoredRecord};
use crate::{clock::Clock, redis_link::RedisLink};

/// Gives a key at least `ARGV[1]` seconds more, never fewer: a user's index
/// must outlive every session it lists, whatever lifetime each was saved
/// with, or "sign out everywhere" would miss one. (`EXPIRE … GT` does this
/// from Redis 7 on; the script works on every version.)
const OUTLIVE: &str = "if redis.call('TTL', KEYS[1]) < tonumber(ARGV[1]) then \
                       return redis.call('EXPIRE', KEYS[1], ARGV[1]) end return 0";

/// Keys asked for per SCAN step (a hint to Redis, not a limit).
const SCAN_BATCH: usize = 500;

#[derive(Clone)]
pub struct RedisSessionStore {
    link: Arc<RedisLink>,
    key_prefix: String,
    clock: Clock,
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

/// The user a record is signed in as, if any.
fn user_of(record: &StoredRecord) -> Option<i64> {
    crate::sessions::SessionRecord::in_data(&record.data).map(|r| r.user.get())
}

fn backend(e: redis::RedisError) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// Seconds until the record expires (at least one, so SET EX accepts it).
fn ttl(record: &StoredRecord, now: OffsetDateTime) -> u64 {
    u64::try_from((record.expiry_date - now).whole_seconds())
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

/// What `purge` removes from the namespaces it matches.
#[derive(Clone, Copy)]
pub enum Purge<'a> {
    /// Every key, indexes too (a deleted tenant's own namespace).
    Everything,
    /// The sessions this says yes to (a deleted tenant's, in a shared one).
    Sessions(&'a (dyn Fn(&StoredRecord) -> bool + Sync)),
}

/// Deletes, under `root` (the installation's key prefix), keys of namespace
/// `namespace` whatever the settings prefix before it. For a deleted
/// tenant: its own namespace whole, and its records in the shared one
/// (whose indexes drop them when next read).
pub async fn purge(
    link: &RedisLink,
    root: &str,
    namespace: &str,
    what: Purge<'_>,
) -> session_store::Result<usize> {
    let mut conn = link
        .get()
        .await
        .map_err(|e| session_store::Error::Backend(e.to_string()))?;
    let pattern = format!("{}*:{}:*", glob_escape(root), glob_escape(namespace));
    let keys = scan(&mut conn, &pattern).await?;
    let mut purged = 0;
    for chunk in keys.chunks(SCAN_BATCH) {
        let gone: Vec<&String> = match what {
            Purge::Everything => chunk.iter().collect(),
            Purge::Sessions(doomed) => {
                let values: Vec<Option<String>> = conn.mget(chunk).await.map_err(backend)?;
                chunk
                    .iter()
                    .zip(values)
                    .filter(|(_, value)| {
                        value
                            .as_deref()
                            .and_then(|v| decode(v.as_bytes()).ok())
                            .is_some_and(|record| doomed(&record))
                    })
                    .map(|(key, _)| key)
                    .collect()
            }
        };
        if !gone.is_empty() {
            conn.del::<_, ()>(&gone).await.map_err(backend)?;
            purged += gone.len();
        }
    }
    Ok(purged)
}

impl RedisSessionStore {
    /// `key_prefix` ends with ':'; every key of this store starts with it.
    pub fn new(link: Arc<RedisLink>, key_prefix: String, clock: Clock) -> Self {
        Self {
            link,
            key_prefix,
            clock,
        }
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

    fn user_key(&self, user: i64) -> String {
        format!("{}#user:{user}", self.key_prefix)
    }

    fn recent_key(&self) -> String {
        format!("{}#recent", self.key_prefix)
    }

    /// SET with an existence condition (NX: only a new key, XX: only an
    /// existing one), and the indexes with it; false when the condition failed.
    async fn set(
        &self,
        id: &StoredId,
        record: &StoredRecord,
        condition: redis::ExistenceCheck,
    ) -> session_store::Result<bool> {
        let ttl = ttl(record, self.clock.now());
        let options = SetOptions::default()
            .with_expiration(SetExpiry::EX(ttl))
            .conditional_set(condition);
        let mut conn = self.conn().await?;
        let reply: Option<String> = conn
            .set_options(self.key(id), encode(record)?, options)
            .await
            .map_err(backend)?;
        if reply.is_none() {
            return Ok(false);
        }
        let mut indexes = redis::pipe();
        indexes
            .zadd(
                self.recent_key(),
                id.as_str(),
                record.expiry_date.unix_timestamp(),
            )
            .ignore();
        if let Some(user) = user_of(record) {
            let key = self.user_key(user);
            indexes.sadd(&key, id.as_str()).ignore();
            indexes
                .cmd("EVAL")
                .arg(OUTLIVE)
                .arg(1)
                .arg(&key)
                .arg(ttl)
                .ignore();
        }
        indexes
            .query_async::<()>(&mut conn)
            .await
            .map_err(backend)?;
        Ok(true)
    }

    /// The records of these stored ids that still exist, and the ids of those gone.
    async fn fetch(
        &self,
        conn: &mut ConnectionManager,
        ids: Vec<String>,
    ) -> session_store::Result<(Vec<(StoredId, StoredRecord)>, Vec<String>)> {
        let (mut found, mut gone) = (Vec::new(), Vec::new());
        for chunk in ids.chunks(SCAN_BATCH) {
            let keys: Vec<String> = chunk
                .iter()
                .map(|id| format!("{}{id}", self.key_prefix))
                .collect();
            let values: Vec<Option<String>> = conn.mget(&keys).await.map_err(backend)?;
            for (id, value) in chunk.iter().zip(values) {
                let record = value.and_then(|v| decode(v.as_bytes()).ok());
                match (StoredId::from_stored(id), record) {
                    (Some(stored), Some(record)) if record.is_live(self.clock.now()) => {
                        found.push((stored, record))
                    }
                    _ => gone.push(id.clone()),
                }
            }
        }
        Ok((found, gone))
    }

    /// One user's live sessions, from their index set.
    pub async fn of_user(&self, user: i64) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let mut conn = self.conn().await?;
        let key = self.user_key(user);
        let ids: Vec<String> = conn.smembers(&key).await.map_err(backend)?;
        let (found, gone) = self.fetch(&mut conn, ids).await?;
        if !gone.is_empty() {
            conn.srem::<_, _, ()>(&key, gone).await.map_err(backend)?;
        }
        Ok(found)
    }

    /// Live sessions, the most recently active first, `limit` from `offset`.
    pub async fn newest(
        &self,
        offset: u64,
        limit: u64,
    ) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let mut conn = self.conn().await?;
        let key = self.recent_key();
        let now = self.clock.unix();
        conn.zrembyscore::<_, _, _, ()>(&key, "-inf", now)
            .await
            .map_err(backend)?;
        let (start, stop) = (
            isize::try_from(offset).unwrap_or(isize::MAX),
            isize::try_from(offset.saturating_add(limit).saturating_sub(1)).unwrap_or(isize::MAX),
        );
        let ids: Vec<String> = conn.zrevrange(&key, start, stop).await.map_err(backend)?;
        let (found, gone) = self.fetch(&mut conn, ids).await?;
        if !gone.is_empty() {
            conn.zrem::<_, _, ()>(&key, gone).await.map_err(backend)?;
        }
        Ok(found)
    }

    /// How many live sessions the namespace holds.
    pub async fn count(&self) -> session_store::Result<u64> {
        let mut conn = self.conn().await?;
        let now = self.clock.unix();
        conn.zcount(self.recent_key(), format!("({now}"), "+inf")
            .await
            .map_err(backend)
    }

    /// Every key of this namespace, by SCAN.
    async fn keys(&self) -> session_store::Result<Vec<String>> {
        let mut conn = self.conn().await?;
        scan(&mut conn, &format!("{}*", glob_escape(&self.key_prefix))).await
    }

    pub async fn list(&self) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        // The indexes live under the same prefix; only sessions are listed.
        let keys: Vec<String> = self
            .keys()
            .await?
            .into_iter()
            .filter(|key| {
                key.strip_prefix(&self.key_prefix)
                    .and_then(StoredId::from_stored)
                    .is_some()
            })
            .collect();
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

    /// Removes a session and its place in the recent index (its user's
    /// index drops it when next read).
    pub async fn remove(&self, id: &StoredId) -> session_store::Result<()> {
        let mut conn = self.conn().await?;
        redis::pipe()
            .del(self.key(id))
            .ignore()
            .zrem(self.recent_key(), id.as_str())
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(backend)
    }
}
