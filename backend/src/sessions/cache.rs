//! The session cache: each process keeps the sessions it served (record and
//! principal) for at most a second, and every write that changes what one
//! holds goes through here, which (1) drops the local entries, (2) tells the
//! other processes — PostgreSQL `NOTIFY` inside the change's own transaction,
//! Redis `PUBLISH` where there is Redis — and (3) a listener task in each
//! process applies what it hears, flushing everything whenever it
//! reconnects (it may have missed something). The one-second life is the
//! backstop: nothing revoked is honoured longer than that, even with every
//! listener down.

use std::{
    hash::{Hash, Hasher},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use futures_util::StreamExt;
use moka::sync::Cache;
use sea_query::{Func, Query};

use super::{
    principal::Principal,
    record::SessionRecord,
    stores::{StoredId, StoredRecord},
};
use crate::{
    accounts::UserId,
    bridge::FamilyId,
    db::{Scope, Tx},
    redis_link::RedisLink,
    tenancy::TenantId,
};

/// How long an entry is trusted without hearing of a change.
pub const TTL: Duration = Duration::from_secs(1);
/// Sessions one process keeps (a few hundred bytes each).
const CAPACITY: u64 = 50_000;
/// The PostgreSQL channel, and the Redis channel after the key prefix.
pub const CHANNEL: &str = "tessera_sessions";
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

/// What changed, as every process needs to hear it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// One session ended (logout, revoke, a cycled id).
    Session(TenantId, StoredId),
    /// A bridge device family was revoked: its sessions end.
    Family(TenantId, FamilyId),
    /// A user's role changed, or the user is gone.
    User(TenantId, UserId),
    /// Anything of the tenant (its settings changed).
    Tenant(TenantId),
    /// The tenant was deleted: every process lets go of its handles, pools
    /// and in-memory sessions (`SessionCache::tenants_gone`).
    TenantGone(TenantId),
}

impl Change {
    fn encode(&self) -> String {
        match self {
            Change::Session(t, s) => format!("{t} s {}", s.as_str()),
            Change::Family(t, f) => format!("{t} f {}", f.as_str()),
            Change::User(t, u) => format!("{t} u {u}"),
            Change::Tenant(t) => format!("{t} t"),
            Change::TenantGone(t) => format!("{t} x"),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, ' ');
        let tenant = TenantId::new(parts.next()?.parse().ok()?);
        Some(match (parts.next()?, parts.next()) {
            ("s", Some(id)) => Change::Session(tenant, StoredId::from_stored(id)?),
            ("f", Some(id)) => Change::Family(tenant, FamilyId::from_client(id)),
            ("u", Some(id)) => Change::User(tenant, UserId::new(id.parse().ok()?)),
            ("t", None) => Change::Tenant(tenant),
            ("x", None) => Change::TenantGone(tenant),
            _ => return None,
        })
    }

    fn tenant(&self) -> TenantId {
        match self {
            Change::Session(t, _)
            | Change::Family(t, _)
            | Change::User(t, _)
            | Change::Tenant(t)
            | Change::TenantGone(t) => *t,
        }
    }
}

/// Where one tenant's changes are announced.
#[derive(Debug, Clone, Copy)]
pub struct Announce<'a> {
    pub cache: &'a SessionCache,
    pub tenant: TenantId,
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
    redis: Arc<RedisLink>,
    redis_channel: String,
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
            redis,
            redis_channel: format!("{redis_key_prefix}{CHANNEL}"),
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

    /// Tells the other processes of a change, inside the transaction that
    /// makes it (PostgreSQL delivers a NOTIFY only if the transaction commits).
    pub async fn notify_in(tx: &mut Tx, change: &Change) -> Result<(), sqlx::Error> {
        if tx.is_postgres() {
            tx.execute(&notify(change.clone())).await?;
        }
        Ok(())
    }

    /// After a change committed: drop the local entries, and publish it on
    /// Redis for processes that share sessions there.
    pub async fn changed(&self, change: Change) {
        self.apply(&change);
        if self.redis.is_configured() {
            let published = async {
                let mut conn = self.redis.get().await?;
                redis::cmd("PUBLISH")
                    .arg(&self.redis_channel)
                    .arg(change.encode())
                    .query_async::<()>(&mut conn)
                    .await
                    .map_err(crate::redis_link::RedisError::from)
            };
            // Other processes still drop it within the TTL.
            if let Err(e) = published.await {
                tracing::warn!(error = %e, "could not publish a session change");
            }
        }
    }

    /// A change made outside any transaction (settings): announced on its own.
    pub async fn announce(&self, db: &Scope, change: Change) -> Result<(), sqlx::Error> {
        if db.is_postgres() {
            db.execute(&notify(change.clone())).await?;
        }
        self.changed(change).await;
        Ok(())
    }

    /// Listens for other processes' changes until the process ends: on the
    /// PostgreSQL database (when there is one) and on Redis (when configured).
    pub fn spawn_listeners(self: &Arc<Self>, postgres: Option<sqlx::PgPool>) {
        if let Some(pool) = postgres {
            tokio::spawn(Arc::clone(self).listen_postgres(pool));
        }
        if self.redis.is_configured() {
            tokio::spawn(Arc::clone(self).listen_redis());
        }
    }

    async fn listen_postgres(self: Arc<Self>, pool: sqlx::PgPool) {
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "session change listener cannot connect; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "session change listener cannot listen; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            // Anything may have changed while nobody listened.
            self.flush();
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => self.heard(notification.payload()),
                    // The connection dropped (and reconnects on the next
                    // call): changes may have been missed.
                    Ok(None) => self.flush(),
                    Err(e) => {
                        tracing::warn!(error = %e, "session change listener lost its connection");
                        self.flush();
                        break;
                    }
                }
            }
        }
    }

    async fn listen_redis(self: Arc<Self>) {
        loop {
            let subscribed = async {
                let mut pubsub = self.redis.client()?.get_async_pubsub().await?;
                pubsub.subscribe(&self.redis_channel).await?;
                Ok::<_, crate::redis_link::RedisError>(pubsub)
            };
            match subscribed.await {
                Ok(mut pubsub) => {
                    self.flush();
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        if let Ok(payload) = message.get_payload::<String>() {
                            self.heard(&payload);
                        }
                    }
                    tracing::warn!("session change subscription ended; resubscribing");
                    self.flush();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "session change subscription failed; retrying")
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn heard(&self, payload: &str) {
        match Change::decode(payload) {
            Some(change) => self.apply(&change),
            None => self.flush(),
        }
    }
}

/// `SELECT pg_notify('tessera_sessions', '<change>')`.
pub(crate) fn notify(change: Change) -> sea_query::SelectStatement {
    Query::select()
        .expr(Func::cust("pg_notify").arg(CHANNEL).arg(change.encode()))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_and_junk_is_not_one() {
        let stored = crate::sessions::stores::IdHasher::new([1; 32])
            .stored(&tower_sessions::session::Id::default());
        for change in [
            Change::Session(TenantId::new(3), stored),
            Change::Family(TenantId::new(3), FamilyId::from_client("abc_DEF-1")),
            Change::User(TenantId::new(4), UserId::new(12)),
            Change::Tenant(TenantId::new(5)),
            Change::TenantGone(TenantId::new(6)),
        ] {
            assert_eq!(Change::decode(&change.encode()), Some(change));
        }
        for junk in ["", "x", "1 s", "1 s ../etc", "1 q 2", "1 u x", "1 t extra"] {
            assert_eq!(Change::decode(junk), None, "{junk}");
        }
    }

    fn entry() -> Cached {
        let record = StoredRecord {
            data: std::collections::HashMap::new(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        let principal = Principal {
            user: None,
            family: crate::sessions::Family::None,
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
        cache.apply(&Change::Family(tenant, FamilyId::from_client("f")));
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
