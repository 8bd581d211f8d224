//! Session stores, one per driver, behind one type.
//!
//! No store ever sees a session id: `TenantStore` hands them a keyed hash
//! of it (`StoredId`, HMAC with the key ring's session-id key), and records
//! are stored without their id. A copy of a database, a Redis dump or the
//! sessions directory therefore yields nothing that works as a cookie.

pub mod file;
pub mod memory;
pub mod redis;
pub mod sql;
mod stored;

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store, SessionStore,
};

pub use file::FileSessionStore;
pub use memory::{MemorySessionStore, MemorySessions};
pub use redis::RedisSessionStore;
pub use sql::{idle_expiry, MissingTable, SqlSessionStore};
use stored::page_of;
pub use stored::{IdHasher, StoredId, StoredRecord};

use std::{path::PathBuf, sync::Arc};

use super::{
    auth::SessionSummary,
    cache::{Cached, SessionCache},
    principal::{self, Principal, PrincipalSlot},
    SessionRecord,
};
use crate::{
    accounts::UserId,
    bus::{Change, Changed},
    clock::Clock,
    db::Scope,
    redis_link::RedisLink,
    settings::{Driver, TenantSettings},
    tenancy::{Tenant, TenantId},
};

/// Runs the same expression on whichever store this is.
macro_rules! on_backend {
    ($backend:expr, $s:ident => $e:expr) => {
        match $backend {
            Backend::Database($s) => $e,
            Backend::Redis($s) => $e,
            Backend::File($s) => $e,
            Backend::Memory($s) => $e,
        }
    };
}

/// What one driver's store does, by stored id.
#[derive(Debug, Clone)]
pub enum Backend {
    Database(SqlSessionStore),
    Redis(Box<RedisSessionStore>),
    File(FileSessionStore),
    Memory(MemorySessionStore),
}

/// What every tenant's session backend is made from, so each tenant's is
/// built once (with its directory entry), not per request.
#[derive(Debug, Clone)]
pub struct SessionBackends {
    pub redis: Arc<RedisLink>,
    pub redis_key_prefix: String,
    pub memory: Arc<MemorySessions>,
    pub data_dir: PathBuf,
    /// Sessions one tenant may keep in the memory and file stores.
    pub cap: usize,
    pub clock: Clock,
}

impl SessionBackends {
    /// The store holding this tenant's sessions, per its driver: its own
    /// database / key prefix / directory / memory space when isolated, the
    /// shared one otherwise.
    pub fn for_tenant(
        &self,
        tenant: &Tenant,
        settings: &TenantSettings,
        tenant_db: &Scope,
        central: &Scope,
    ) -> Backend {
        let namespace = if settings.isolation {
            own_namespace(tenant.id)
        } else {
            SHARED.to_owned()
        };
        match settings.driver {
            Driver::Database => {
                let missing = if settings.auto_create_table {
                    MissingTable::Create
                } else {
                    MissingTable::Fail
                };
                let db = if settings.isolation {
                    tenant_db
                } else {
                    central
                };
                Backend::Database(SqlSessionStore::new(
                    db.clone(),
                    missing,
                    settings.isolation,
                    self.clock.clone(),
                ))
            }
            Driver::Redis => {
                let prefix = format!("{}{}:{namespace}:", self.redis_key_prefix, settings.prefix);
                Backend::Redis(Box::new(RedisSessionStore::new(
                    Arc::clone(&self.redis),
                    prefix,
                    self.clock.clone(),
                )))
            }
            Driver::File => Backend::File(FileSessionStore::new(
                self.data_dir.join("sessions").join(namespace),
                self.cap,
                self.clock.clone(),
            )),
            Driver::Memory => Backend::Memory(MemorySessionStore::new(
                Arc::clone(&self.memory),
                namespace,
                self.cap,
                self.clock.clone(),
            )),
        }
    }
}

/// The namespace of the tenants that turn isolation off.
const SHARED: &str = "shared";

/// A tenant's own namespace (isolation on).
fn own_namespace(tenant: TenantId) -> String {
    format!("tenant-{tenant}")
}

impl SessionBackends {
    /// Removes a deleted tenant's sessions from every store it may have used,
    /// whatever its settings were: its own namespace in Redis (under any
    /// settings prefix), on disk and in this process's memory, and its
    /// records in each shared one — the central table too. (Its own
    /// database goes with the tenant.) Other processes drop their memory
    /// namespace when they hear the tenant is gone.
    pub async fn purge_tenant(
        &self,
        tenant: TenantId,
        central: &Scope,
    ) -> session_store::Result<usize> {
        let of_tenant = |record: &StoredRecord| record.is_of(tenant);
        let own = own_namespace(tenant);
        let mut purged = self.forget_in_memory(tenant);
        if self.redis.is_configured() {
            let root = &self.redis_key_prefix;
            purged += redis::purge(&self.redis, root, &own, redis::Purge::Everything).await?;
            purged += redis::purge(
                &self.redis,
                root,
                SHARED,
                redis::Purge::Sessions(&of_tenant),
            )
            .await?;
        }
        let sessions = self.data_dir.join("sessions");
        purged += FileSessionStore::new(sessions.join(&own), self.cap, self.clock.clone())
            .purge(|_| true)
            .await?;
        purged += FileSessionStore::new(sessions.join(SHARED), self.cap, self.clock.clone())
            .purge(of_tenant)
            .await?;
        let table = SqlSessionStore::new(
            central.clone(),
            MissingTable::Create,
            false,
            self.clock.clone(),
        );
        for (id, record) in table.list().await? {
            if of_tenant(&record) {
                table.remove(&id).await?;
                purged += 1;
            }
        }
        Ok(purged)
    }

    /// Drops a deleted tenant's sessions from this process's memory.
    pub fn forget_in_memory(&self, tenant: TenantId) -> usize {
        self.memory.purge(&own_namespace(tenant), |_| true)
            + self.memory.purge(SHARED, |record| record.is_of(tenant))
    }
}

/// Sessions the file and memory stores keep at most per namespace
/// (`TESSERA_MAX_SESSIONS_PER_TENANT`) bound what they scan: they have no
/// index, and need none at that size.
impl Backend {
    /// Every live record of this store's namespace, by stored id.
    pub async fn list(&self) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        on_backend!(self, s => s.list().await)
    }

    /// One user's live records: by index in a database or Redis, by a
    /// bounded scan in files or memory. In a shared namespace, the same id
    /// of other tenants' users too (callers keep their tenant's).
    pub async fn of_user(
        &self,
        user: UserId,
    ) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        match self {
            Backend::Database(s) => s.of_user(user.get()).await,
            Backend::Redis(s) => s.of_user(user.get()).await,
            Backend::File(_) | Backend::Memory(_) => Ok(self
                .list()
                .await?
                .into_iter()
                .filter(|(_, record)| {
                    SessionRecord::in_data(&record.data).is_some_and(|r| r.user == user)
                })
                .collect()),
        }
    }

    /// Live records, the most recently active first, `limit` from `offset`.
    pub async fn newest(
        &self,
        offset: u64,
        limit: u64,
    ) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        match self {
            Backend::Database(s) => s.newest(offset, limit).await,
            Backend::Redis(s) => s.newest(offset, limit).await,
            Backend::File(_) | Backend::Memory(_) => {
                let mut all = self.list().await?;
                all.sort_by(|(a_id, a), (b_id, b)| {
                    b.expiry_date
                        .cmp(&a.expiry_date)
                        .then_with(|| a_id.cmp(b_id))
                });
                Ok(page_of(all, offset, limit))
            }
        }
    }

    /// How many live records the namespace holds.
    pub async fn count(&self) -> session_store::Result<u64> {
        match self {
            Backend::Database(s) => s.count().await,
            Backend::Redis(s) => s.count().await,
            Backend::File(_) | Backend::Memory(_) => Ok(self.list().await?.len() as u64),
        }
    }

    /// One record, by its stored id.
    pub async fn get(&self, stored: &StoredId) -> session_store::Result<Option<StoredRecord>> {
        on_backend!(self, s => s.get(stored).await)
    }
}

/// A tenant's store, with the hasher of the key the request's cookie (or,
/// for a new session, the primary key) names, and the process's session
/// cache in front of it.
#[derive(Debug, Clone)]
pub struct TenantStore {
    backend: Backend,
    ids: IdHasher,
    tenant: TenantId,
    /// The namespace holds other tenants' sessions too (isolation off).
    shared: bool,
    /// The tenant's own database, for principals a store cannot join.
    tenant_db: Scope,
    cache: Arc<SessionCache>,
    /// Filled when a load read (or found cached) the principal with the session.
    principal: PrincipalSlot,
    clock: Clock,
}

impl TenantStore {
    pub fn new(
        backend: Backend,
        ids: IdHasher,
        tenant: TenantId,
        shared: bool,
        tenant_db: Scope,
        cache: Arc<SessionCache>,
        clock: Clock,
    ) -> Self {
        Self {
            backend,
            ids,
            tenant,
            shared,
            tenant_db,
            cache,
            principal: PrincipalSlot::default(),
            clock,
        }
    }

    /// Where a load leaves the principal it read with the session.
    pub fn principal_slot(&self) -> PrincipalSlot {
        self.principal.clone()
    }

    pub fn stored_id(&self, id: &Id) -> StoredId {
        self.ids.stored(id)
    }

    /// This tenant's signed-in sessions of one user.
    pub async fn of_user(&self, user: UserId) -> session_store::Result<Vec<SessionSummary>> {
        Ok(self
            .summaries(self.backend.of_user(user).await?)
            .filter(|s| s.user == user)
            .collect())
    }

    /// This tenant's signed-in session a stored id names, read alone.
    pub async fn summary(
        &self,
        stored: &StoredId,
    ) -> session_store::Result<Option<SessionSummary>> {
        Ok(self
            .backend
            .get(stored)
            .await?
            .filter(|record| record.is_live(self.clock.now()))
            .and_then(|record| SessionSummary::of(stored.clone(), &record, self.tenant)))
    }

    /// One page of this tenant's sessions, the most recently active first,
    /// and how many there are (`count`, which callers may keep a while).
    /// A shared namespace has no per-tenant index: it is scanned (the
    /// documented insecure combination, bounded like the file store).
    pub async fn page(
        &self,
        offset: u64,
        limit: u64,
    ) -> session_store::Result<Vec<SessionSummary>> {
        if !self.shared {
            return Ok(self
                .summaries(self.backend.newest(offset, limit).await?)
                .collect());
        }
        let mut all: Vec<SessionSummary> = self.summaries(self.backend.list().await?).collect();
        all.sort_by(|a, b| {
            b.seen_at
                .cmp(&a.seen_at)
                .then_with(|| a.stored.cmp(&b.stored))
        });
        Ok(page_of(all, offset, limit))
    }

    /// How many sessions of this tenant the store holds.
    pub fn count(
        &self,
    ) -> impl std::future::Future<Output = session_store::Result<u64>> + Send + 'static {
        let (backend, shared, tenant) = (self.backend.clone(), self.shared, self.tenant);
        async move {
            if !shared {
                return backend.count().await;
            }
            let records = backend.list().await?;
            Ok(records.iter().filter(|(_, r)| r.is_of(tenant)).count() as u64)
        }
    }

    fn summaries(
        &self,
        records: Vec<(StoredId, StoredRecord)>,
    ) -> impl Iterator<Item = SessionSummary> + '_ {
        records
            .into_iter()
            .filter_map(|(stored, record)| SessionSummary::of(stored, &record, self.tenant))
    }

    /// Ends a session known only by its stored id (the admin panel's
    /// revoke, a logout): removed from the store, from this process's cache
    /// and, told in the same transaction or on Redis, from every other's.
    pub async fn remove(&self, stored: &StoredId) -> session_store::Result<()> {
        let change = Change::Session(self.tenant, stored.clone());
        match &self.backend {
            Backend::Database(s) => s.remove_announcing(stored, &change).await?,
            backend => on_backend!(backend, s => s.remove(stored).await)?,
        }
        self.cache.changed(change).await;
        Ok(())
    }

    /// The session and its principal, from the store (and the tenant's
    /// database, where the store cannot join it).
    async fn read(
        &self,
        stored: &StoredId,
    ) -> session_store::Result<Option<(StoredRecord, Option<Principal>)>> {
        if let Backend::Database(s) = &self.backend {
            if s.joins_principal() {
                let Some((record, principal)) = s.get_with_principal(stored).await? else {
                    return Ok(None);
                };
                let family = SessionRecord::in_data(&record.data).and_then(|r| r.family);
                // Unreadable principal columns only cost the caller a query of its own.
                return Ok(Some((
                    record,
                    principal.into_principal(family.as_ref()).ok(),
                )));
            }
        }
        let Some(record) = on_backend!(&self.backend, s => s.get(stored).await)? else {
            return Ok(None);
        };
        let principal = match SessionRecord::in_data(&record.data) {
            Some(session) => principal::read(&self.tenant_db, &session).await.ok(),
            None => None,
        };
        Ok(Some((record, principal)))
    }
}

#[async_trait]
impl SessionStore for TenantStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let stored = StoredRecord::of(record);
        // 128-bit random ids practically never collide; the loop makes it certain.
        while !on_backend!(&self.backend, s => s.insert(&self.ids.stored(&record.id), &stored).await)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let stored = self.ids.stored(&record.id);
        // A session revoked since this request loaded it stays revoked: the
        // save finds nothing to update, and the request goes on without it.
        let updated =
            on_backend!(&self.backend, s => s.update(&stored, &StoredRecord::of(record)).await)?;
        if !updated {
            tracing::info!("a session ended while a request used it was not saved back");
        }
        self.cache.forget(self.tenant, &stored);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let stored = self.ids.stored(id);
        if let Some(hit) = self.cache.get(self.tenant, &stored) {
            if hit.record.is_live(self.clock.now()) {
                let _ = self.principal.set(hit.principal.clone());
                return Ok(Some(hit.record.clone().into_record(*id)));
            }
        }
        let stamp = self.cache.stamp(self.tenant, &stored);
        let Some((record, principal)) = self.read(&stored).await? else {
            return Ok(None);
        };
        if !record.is_live(self.clock.now()) {
            return Ok(None);
        }
        if let Some(principal) = principal {
            let _ = self.principal.set(principal.clone());
            self.cache.put(
                self.tenant,
                stored,
                Cached::new(record.clone(), principal),
                stamp,
            );
        }
        Ok(Some(record.into_record(*id)))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.remove(&self.ids.stored(id)).await
    }
}
