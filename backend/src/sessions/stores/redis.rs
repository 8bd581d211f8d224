//! Sessions in Redis. Key layout: `<REDIS_KEY_PREFIX><prefix>:<namespace>:<session id>`,
//! e.g. `tessera:tenant:tenant-1:Xy…`, where the namespace is `tenant-<id>`
//! (isolated) or `shared`; the value is the record as JSON and the key
//! expires with the session.

use async_trait::async_trait;
use redis::{aio::ConnectionManager, AsyncCommands, SetExpiry, SetOptions};
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store, SessionStore,
};

#[derive(Clone)]
pub struct RedisSessionStore {
    conn: ConnectionManager,
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
fn ttl(record: &Record) -> u64 {
    u64::try_from((record.expiry_date - OffsetDateTime::now_utc()).whole_seconds())
        .unwrap_or(0)
        .max(1)
}

impl RedisSessionStore {
    /// `key_prefix` ends with ':'; every key of this store starts with it.
    pub fn new(conn: ConnectionManager, key_prefix: String) -> Self {
        Self { conn, key_prefix }
    }

    fn key(&self, id: &Id) -> String {
        format!("{}{id}", self.key_prefix)
    }

    async fn set(&self, record: &Record, only_if_new: bool) -> session_store::Result<bool> {
        let value = serde_json::to_string(record)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let mut options = SetOptions::default().with_expiration(SetExpiry::EX(ttl(record)));
        if only_if_new {
            options = options.conditional_set(redis::ExistenceCheck::NX);
        }
        let mut conn = self.conn.clone();
        let reply: Option<String> = conn
            .set_options(self.key(&record.id), value, options)
            .await
            .map_err(backend)?;
        Ok(reply.is_some())
    }

    pub async fn list(&self) -> session_store::Result<Vec<Record>> {
        let mut conn = self.conn.clone();
        let keys: Vec<String> = conn
            .keys(format!("{}*", self.key_prefix))
            .await
            .map_err(backend)?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let values: Vec<Option<String>> = conn.mget(&keys).await.map_err(backend)?;
        Ok(values
            .into_iter()
            .flatten()
            .filter_map(|v| serde_json::from_str(&v).ok())
            .collect())
    }

    pub async fn count(&self) -> u64 {
        let mut conn = self.conn.clone();
        let keys: Vec<String> = conn
            .keys(format!("{}*", self.key_prefix))
            .await
            .unwrap_or_default();
        keys.len() as u64
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.set(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.set(record, false).await.map(drop)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.conn.clone();
        let value: Option<String> = conn.get(self.key(id)).await.map_err(backend)?;
        value
            .map(|v| {
                serde_json::from_str(&v).map_err(|e| session_store::Error::Decode(e.to_string()))
            })
            .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn.clone();
        conn.del::<_, ()>(self.key(id)).await.map_err(backend)
    }
}
