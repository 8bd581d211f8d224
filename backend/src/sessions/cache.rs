//! The session cache: each process keeps the sessions it served (record and
//! principal) for at most a second, and every write that changes what one
//! holds goes through here, which (1) drops the local entries, (2) tells the
//! other processes through the change bus (`crate::bus`), and (3) applies
//! what the bus hears from them, flushing everything when it may have
//! missed something. The one-second life is the backstop: nothing revoked
//! is honoured longer than that, even with every listener down.

use std::{
    hash::{Hash, Hasher},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use moka::sync::Cache;

use super::{
    principal::Principal,
    record::SessionRecord,
    stores::{StoredId, StoredRecord},
};
use crate::{
    bus::{self, Bus, Change, Changed, Heard},
    db::Scope,
    redis_link::RedisLink,
    tenancy::TenantId,
};

/// How long an entry is trusted without hearing of a change.
pub const TTL: Duration = Duration::from_secs(1);
/// Sessions one process keeps (a few hundred bytes each).
const CAPACITY: u64 = 50_000;
/// Deleted tenants a slow subscriber may fall behind by before it is told
/// it lagged.
const GONE_BACKLOG: usize = 64;

/// A session as served: its stored record, and the principal with it.
#[derive(Debug, Clone)]
pub struct Cached {
    pub record: StoredRecord,
    pub principal: Principal,
    session: Option<SessionRecord>,
}

impl Cached {
    pub fn new(record: StoredRecord, principal: Principal) -> Self {
        let session = SessionRecord::in_data(&record.data);
        Self {
            record,
            principal,
            session,
        }
    }
}

/// Where a read of the store began, in the order of the changes: an entry
/// read before a change to it was heard is never put back after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    session: u64,
    broad: u64,
}

/// Stripes of the per-session change counters (a session's stripe is a
/// hash of its key; two sharing one only costs a cache miss).
const STRIPES: usize = 256;

pub struct SessionCache {
    entries: Cache<(TenantId, StoredId), Arc<Cached>>,
    /// Bumped before a session's entry is dropped.
    session_changes: [AtomicU64; STRIPES],
    /// Bumped before entries are dropped by family, user or tenant.
    broad_changes: AtomicU64,
    bus: Bus,
    /// Tenants deleted, as this process hears of them (its own deletions
    /// and other processes').
    gone: tokio::sync::broadcast::Sender<TenantId>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache")
            .field("entries", &self.entries.entry_count())
            .finish_non_exhaustive()
    }
}

impl SessionCache {
    pub fn new(redis: Arc<RedisLink>, redis_key_prefix: &str) -> Self {
        let entries = Cache::builder()
            .max_capacity(CAPACITY)
            .time_to_live(TTL)
            .support_invalidation_closures()
            .build();
        Self {
            entries,
            session_changes: std::array::from_fn(|_| AtomicU64::new(0)),
            broad_changes: AtomicU64::new(0),
            bus: Bus::new(redis, redis_key_prefix),
            gone: tokio::sync::broadcast::channel(GONE_BACKLOG).0,
        }
    }

    /// Deleted tenants as they are heard of. A receiver that falls more than
    /// `GONE_BACKLOG` behind is told it lagged, and must then assume any
    /// tenant may be gone.
    pub fn tenants_gone(&self) -> tokio::sync::broadcast::Receiver<TenantId> {
        self.gone.subscribe()
    }

    pub fn get(&self, tenant: TenantId, stored: &StoredId) -> Option<Arc<Cached>> {
        self.entries.get(&(tenant, stored.clone()))
    }

    fn stripe(&self, tenant: TenantId, stored: &StoredId) -> &AtomicU64 {
        let mut hasher = std::hash::DefaultHasher::new();
        (tenant, stored).hash(&mut hasher);
        // The remainder is below STRIPES, so it fits.
        let index = usize::try_from(hasher.finish() % STRIPES as u64).unwrap_or(0);
        &self.session_changes[index]
    }

    /// Taken before reading a session from its store, for `put`.
    pub fn stamp(&self, tenant: TenantId, stored: &StoredId) -> Stamp {
        Stamp {
            session: self.stripe(tenant, stored).load(Ordering::SeqCst),
            broad: self.broad_changes.load(Ordering::SeqCst),
        }
    }

    /// Caches what a read that began at `stamp` found, unless a change that
    /// may touch it was heard since: a request that read a session just
    /// before a revoke cannot put it back after the revoke cleared it. The
    /// check follows the insert, and every change bumps its counter before
    /// it drops entries, so either the change drops this entry or this
    /// check sees the change.
    pub fn put(&self, tenant: TenantId, stored: StoredId, cached: Cached, stamp: Stamp) {
        let key = (tenant, stored);
        self.entries.insert(key.clone(), Arc::new(cached));
        if self.stamp(key.0, &key.1) != stamp {
            self.entries.invalidate(&key);
        }
    }

    /// Drops one entry after its session was written or ended (the next
    /// read re-reads it).
    pub fn forget(&self, tenant: TenantId, stored: &StoredId) {
        self.stripe(tenant, stored).fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate(&(tenant, stored.clone()));
    }

    /// Drops the local entries a change touches.
    pub fn apply(&self, change: &Change) {
        match change {
            Change::Session(tenant, stored) => return self.forget(*tenant, stored),
            // Nobody may be listening: that is fine.
            Change::TenantGone(tenant) => drop(self.gone.send(*tenant)),
            _ => {}
        }
        self.broad_changes.fetch_add(1, Ordering::SeqCst);
        let change = change.clone();
        let dropped = self
            .entries
            .invalidate_entries_if(move |(tenant, _), cached| {
                *tenant == change.tenant()
                    && match &change {
                        Change::Family(_, family) => cached
                            .session
                            .as_ref()
                            .is_some_and(|s| s.family.as_ref() == Some(family)),
                        Change::User(_, user) => {
                            cached.session.as_ref().is_some_and(|s| s.user == *user)
                        }
                        Change::Tenant(_) | Change::TenantGone(_) => true,
                        Change::Session(..) => false,
                    }
            });
        if dropped.is_err() {
            // Closures are enabled at build; should that ever fail, be safe.
            self.flush();
        }
    }

    pub fn flush(&self) {
        self.broad_changes.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    /// A change made outside any transaction (settings): announced on its own.
    pub async fn announce(&self, db: &Scope, change: Change) -> Result<(), sqlx::Error> {
        if db.is_postgres() {
            db.execute(&bus::notify(change.clone())).await?;
        }
        self.changed(change).await;
        Ok(())
    }

    /// Applies other processes' changes as the bus hears them, until the
    /// process ends.
    pub fn spawn_listeners(self: &Arc<Self>, postgres: Option<sqlx::PgPool>) {
        let cache = Arc::clone(self);
        self.bus.spawn_listeners(
            postgres,
            Arc::new(move |heard| match heard {
                Heard::Change(change) => cache.apply(&change),
                Heard::MayHaveMissed => cache.flush(),
            }),
        );
    }
}

/// After a change committed: drop the local entries, and publish it on
/// Redis for processes that share sessions there.
#[async_trait::async_trait]
impl Changed for SessionCache {
    async fn changed(&self, change: Change) {
        self.apply(&change);
        self.bus.publish(&change).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Cached {
        let record = StoredRecord {
            data: std::collections::HashMap::new(),
            expiry_date: crate::clock::Clock::from(crate::clock::ManualClock::new()).now()
                + time::Duration::hours(1),
        };
        let principal = Principal {
            user: None,
            family: None,
        };
        Cached::new(record, principal)
    }

    /// A read that began before a revoke never puts the session back.
    #[test]
    fn a_read_from_before_a_change_is_not_cached_after_it() {
        let cache = SessionCache::new(Arc::new(RedisLink::new(None)), "t:");
        let tenant = TenantId::new(1);
        let stored = crate::sessions::stores::IdHasher::new([1; 32])
            .stored(&tower_sessions::session::Id::default());

        let before = cache.stamp(tenant, &stored);
        cache.forget(tenant, &stored); // the revoke, while the read was in flight
        cache.put(tenant, stored.clone(), entry(), before);
        assert!(cache.get(tenant, &stored).is_none(), "cached back");

        let before = cache.stamp(tenant, &stored);
        cache.apply(&Change::Family(
            tenant,
            crate::bridge::FamilyId::from_client("f"),
        ));
        cache.put(tenant, stored.clone(), entry(), before);
        assert!(
            cache.get(tenant, &stored).is_none(),
            "cached back past a family revoke"
        );

        let fresh = cache.stamp(tenant, &stored);
        cache.put(tenant, stored.clone(), entry(), fresh);
        assert!(
            cache.get(tenant, &stored).is_some(),
            "a read with no change since is cached"
        );
    }
}
