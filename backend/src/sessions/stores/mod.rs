//! Session stores, one per driver, and the enum that lets the session layer
//! hold whichever a tenant's settings chose.

pub mod file;
pub mod memory;
pub mod redis;
pub mod sql;

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store, SessionStore,
};

pub use file::FileSessionStore;
pub use memory::{MemorySessionStore, MemorySessions};
pub use redis::RedisSessionStore;
pub use sql::{idle_expiry, MissingTable, SqlSessionStore};

#[derive(Debug, Clone)]
pub enum TenantStore {
    Database(SqlSessionStore),
    Redis(Box<RedisSessionStore>),
    File(FileSessionStore),
    Memory(MemorySessionStore),
}

/// Runs the same expression on whichever store this is.
macro_rules! on_store {
    ($store:expr, $s:ident => $e:expr) => {
        match $store {
            TenantStore::Database($s) => $e,
            TenantStore::Redis($s) => $e,
            TenantStore::File($s) => $e,
            TenantStore::Memory($s) => $e,
        }
    };
}

impl TenantStore {
    /// Every live record of this store's namespace.
    pub async fn list(&self) -> Result<Vec<Record>, session_store::Error> {
        match self {
            TenantStore::Database(s) => s.list().await,
            TenantStore::Redis(s) => s.list().await,
            TenantStore::File(s) => s.list().await,
            TenantStore::Memory(s) => Ok(s.list()),
        }
    }

    /// Live session records in this store (all of the namespace's sessions).
    pub async fn count(&self) -> Result<u64, session_store::Error> {
        Ok(match self {
            TenantStore::Database(s) => s.count().await?,
            TenantStore::Redis(s) => s.count().await,
            TenantStore::File(s) => s.count().await,
            TenantStore::Memory(s) => s.count(),
        })
    }
}

#[async_trait]
impl SessionStore for TenantStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, s => s.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, s => s.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, s => s.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, s => s.delete(id).await)
    }
}
