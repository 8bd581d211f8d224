//! The change bus: how a change one process makes (a session ended, a
//! device revoked, a role or settings changed, a tenant deleted) reaches
//! every other process. PostgreSQL `NOTIFY` goes inside the change's own
//! transaction (delivered only if it commits); Redis `PUBLISH` follows the
//! commit where there is Redis. A listener task per transport hands what it
//! hears to whoever spawned it, and says so when it may have missed
//! something (it reconnected), so the hearer can assume the worst.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use sea_query::{Func, Query};

use crate::{
    accounts::UserId,
    bridge::FamilyId,
    db::Tx,
    redis_link::{RedisError, RedisLink},
    sessions::stores::StoredId,
    tenancy::TenantId,
};

/// The PostgreSQL channel, and the Redis channel after the key prefix.
pub const CHANNEL: &str = "tessera_sessions";

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
    /// and in-memory sessions (`SessionCache::tenants_gone`, in `sessions::cache`).
    TenantGone(TenantId),
}

impl Change {
    pub(crate) fn encode(&self) -> String {
        match self {
            Change::Session(t, s) => format!("{t} s {}", s.as_str()),
            Change::Family(t, f) => format!("{t} f {}", f.as_str()),
            Change::User(t, u) => format!("{t} u {u}"),
            Change::Tenant(t) => format!("{t} t"),
            Change::TenantGone(t) => format!("{t} x"),
        }
    }

    pub(crate) fn decode(text: &str) -> Option<Self> {
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

    pub fn tenant(&self) -> TenantId {
        match self {
            Change::Session(t, _)
            | Change::Family(t, _)
            | Change::User(t, _)
            | Change::Tenant(t)
            | Change::TenantGone(t) => *t,
        }
    }
}

/// Who hears a change this process made, right after it commits (the
/// session cache: it drops what it holds, then publishes the change).
#[async_trait::async_trait]
pub trait Changed: Send + Sync {
    async fn changed(&self, change: Change);
}

/// Where one tenant's changes are announced.
#[derive(Clone, Copy)]
pub struct Announce<'a> {
    pub cache: &'a dyn Changed,
    pub tenant: TenantId,
}

impl std::fmt::Debug for Announce<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Announce")
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// What a listener hands its hearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Change(Change),
    /// The listener (re)connected or heard something it could not read:
    /// any change may have been missed.
    MayHaveMissed,
}

/// Who hears the bus: called from the listener tasks.
pub type Hearer = Arc<dyn Fn(Heard) + Send + Sync>;

/// `SELECT pg_notify('tessera_sessions', '<change>')`.
pub(crate) fn notify(change: Change) -> sea_query::SelectStatement {
    Query::select()
        .expr(Func::cust("pg_notify").arg(CHANNEL).arg(change.encode()))
        .to_owned()
}

/// Tells the other processes of a change, inside the transaction that
/// makes it (PostgreSQL delivers a NOTIFY only if the transaction commits).
pub async fn notify_in(tx: &mut Tx, change: &Change) -> Result<(), sqlx::Error> {
    if tx.is_postgres() {
        tx.execute(&notify(change.clone())).await?;
    }
    Ok(())
}

/// The bus's Redis side (PostgreSQL's needs no state of its own).
pub struct Bus {
    redis: Arc<RedisLink>,
    redis_channel: String,
}

impl Bus {
    pub fn new(redis: Arc<RedisLink>, redis_key_prefix: &str) -> Self {
        Self {
            redis,
            redis_channel: format!("{redis_key_prefix}{CHANNEL}"),
        }
    }

    /// Publishes a committed change on Redis, when there is Redis. A
    /// failure is logged: other processes still drop what they cached
    /// within its one-second life.
    pub async fn publish(&self, change: &Change) {
        if !self.redis.is_configured() {
            return;
        }
        let published = async {
            let mut conn = self.redis.get().await?;
            redis::cmd("PUBLISH")
                .arg(&self.redis_channel)
                .arg(change.encode())
                .query_async::<()>(&mut conn)
                .await
                .map_err(RedisError::from)
        };
        if let Err(e) = published.await {
            tracing::warn!(error = %e, "could not publish a session change");
        }
    }

    /// Listens for other processes' changes until the process ends: on the
    /// PostgreSQL database (when there is one) and on Redis (when configured).
    pub fn spawn_listeners(&self, postgres: Option<sqlx::PgPool>, hearer: Hearer) {
        if let Some(pool) = postgres {
            tokio::spawn(listen_postgres(pool, Arc::clone(&hearer)));
        }
        if self.redis.is_configured() {
            tokio::spawn(listen_redis(
                Arc::clone(&self.redis),
                self.redis_channel.clone(),
                hearer,
            ));
        }
    }
}

fn hear(hearer: &Hearer, payload: &str) {
    hearer(match Change::decode(payload) {
        Some(change) => Heard::Change(change),
        None => Heard::MayHaveMissed,
    });
}

async fn listen_postgres(pool: sqlx::PgPool, hearer: Hearer) {
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
        hearer(Heard::MayHaveMissed);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => hear(&hearer, notification.payload()),
                // The connection dropped (and reconnects on the next
                // call): changes may have been missed.
                Ok(None) => hearer(Heard::MayHaveMissed),
                Err(e) => {
                    tracing::warn!(error = %e, "session change listener lost its connection");
                    hearer(Heard::MayHaveMissed);
                    break;
                }
            }
        }
    }
}

async fn listen_redis(redis: Arc<RedisLink>, channel: String, hearer: Hearer) {
    loop {
        let subscribed = async {
            let mut pubsub = redis.client()?.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, RedisError>(pubsub)
        };
        match subscribed.await {
            Ok(mut pubsub) => {
                hearer(Heard::MayHaveMissed);
                let mut messages = pubsub.on_message();
                while let Some(message) = messages.next().await {
                    if let Ok(payload) = message.get_payload::<String>() {
                        hear(&hearer, &payload);
                    }
                }
                tracing::warn!("session change subscription ended; resubscribing");
                hearer(Heard::MayHaveMissed);
            }
            Err(e) => {
                tracing::warn!(error = %e, "session change subscription failed; retrying")
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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
}
