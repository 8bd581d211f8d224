//! A user's devices (live token families): listing them, and revoking one,
//! all, or the one a presented token belongs to. Revoking a family ends the
//! sessions it made, in every process.

use sea_query::{Expr, ExprTrait, Order, Query, TableRef};

use super::{
    events::{self, Event, EventKind},
    family::{BridgeError, FamilyId, FamilyState},
    token::BridgeToken,
};
use crate::{
    accounts::UserId,
    bus::{self, Announce, Change},
    clock::Clock,
    db::{
        schema::{BridgeFamilies, BridgeTokens},
        Scope, Tx,
    },
    keys::{KeyId, KeyRing},
};

/// A device as its owner (or an admin) sees it.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub family: FamilyId,
    pub user: UserId,
    pub created_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Marks the live families of `table` revoked, for `reason` (narrow it to
/// the ones meant).
fn revocation(table: TableRef, reason: &str, at: i64) -> sea_query::UpdateStatement {
    Query::update()
        .table(table)
        .values([
            (BridgeFamilies::RevokedAt, at.into()),
            (BridgeFamilies::RevokedReason, reason.into()),
        ])
        .and_where(Expr::col(BridgeFamilies::RevokedAt).is_null())
        .to_owned()
}

pub(super) async fn revoke_in(
    tx: &mut Tx,
    family: &FamilyId,
    reason: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    let update = revocation(tx.table(BridgeFamilies::Table), reason, at)
        .and_where(Expr::col(BridgeFamilies::Id).eq(family.as_str()))
        .to_owned();
    tx.execute(&update).await.map(drop)
}

/// Revokes a family (logout, user or admin action, theft); its sessions end
/// in every process.
pub async fn revoke(
    db: &Scope,
    announce: Announce<'_>,
    clock: &Clock,
    family: &FamilyId,
    reason: &str,
    ip: Option<&str>,
) -> Result<(), BridgeError> {
    let change = Change::Family(announce.tenant, family.clone());
    let at = clock.unix();
    let mut tx = db.begin().await?;
    revoke_in(&mut tx, family, reason, at).await?;
    let revoked = Event {
        kind: EventKind::Revoked,
        family: Some(family),
        user: None,
        ip,
        at,
    };
    events::append(&mut tx, revoked).await?;
    bus::notify_in(&mut tx, &change).await?;
    tx.commit().await?;
    announce.cache.changed(change).await;
    Ok(())
}

/// Revokes every live family of the tenant (it is being deleted). Nobody
/// hears of it: the tenant's sessions go with it.
pub async fn revoke_every_family(
    db: &Scope,
    clock: &Clock,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let update = revocation(db.table(BridgeFamilies::Table), reason, clock.unix());
    db.execute(&update).await.map(drop)
}

/// Revokes the family of a token that verifies here (a token carried to
/// another tenant is stolen or confused; either way it dies).
pub async fn revoke_presented(
    db: &Scope,
    announce: Announce<'_>,
    clock: &Clock,
    ring: &KeyRing,
    presented: &BridgeToken,
    reason: &str,
    ip: Option<&str>,
) -> Result<(), BridgeError> {
    if let Some(family) = family_of(db, ring, presented).await? {
        revoke(db, announce, clock, &family, reason, ip).await?;
    }
    Ok(())
}

/// The family of a token that verifies here (current or rotated out,
/// revoked or not); None for a token that does not.
pub async fn family_of(
    db: &Scope,
    ring: &KeyRing,
    presented: &BridgeToken,
) -> Result<Option<FamilyId>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Stored {
        family_id: String,
        verifier_hash: String,
        key_id: i64,
    }
    let query = Query::select()
        .columns([
            BridgeTokens::FamilyId,
            BridgeTokens::VerifierHash,
            BridgeTokens::KeyId,
        ])
        .from(db.table(BridgeTokens::Table))
        .and_where(Expr::col(BridgeTokens::Selector).eq(presented.selector.as_str()))
        .to_owned();
    let Some(row) = db.fetch_optional::<Stored>(&query).await? else {
        return Ok(None);
    };
    let uses = u32::try_from(row.key_id)
        .ok()
        .and_then(|k| ring.get(KeyId::new(k)));
    Ok(uses
        .is_some_and(|u| presented.matches(&row.verifier_hash, &u.bridge))
        .then_some(FamilyId(row.family_id)))
}

/// Where a family stands: live, withdrawn (its sessions live on) or
/// revoked (they end).
pub async fn family_state(db: &Scope, family: &FamilyId) -> Result<FamilyState, sqlx::Error> {
    let query = Query::select()
        .columns([BridgeFamilies::RevokedAt, BridgeFamilies::RevokedReason])
        .from(db.table(BridgeFamilies::Table))
        .and_where(Expr::col(BridgeFamilies::Id).eq(family.as_str()))
        .to_owned();
    let found: Option<(Option<i64>, Option<String>)> = db.fetch_optional(&query).await?;
    Ok(found.map_or(FamilyState::Revoked, |(at, reason)| {
        FamilyState::of(at, reason.as_deref())
    }))
}

/// Families neither revoked nor expired at `at`.
fn live_families(at: i64) -> sea_query::SelectStatement {
    Query::select()
        .and_where(Expr::col(BridgeFamilies::RevokedAt).is_null())
        .and_where(Expr::col(BridgeFamilies::ExpiresAt).gt(at))
        .to_owned()
}

/// Live families, most recently used first.
fn live_devices(at: i64) -> sea_query::SelectStatement {
    live_families(at)
        .columns([
            BridgeFamilies::Id,
            BridgeFamilies::UserId,
            BridgeFamilies::CreatedAt,
            BridgeFamilies::LastUsedAt,
            BridgeFamilies::ExpiresAt,
            BridgeFamilies::Ip,
            BridgeFamilies::UserAgent,
        ])
        .order_by(BridgeFamilies::LastUsedAt, Order::Desc)
        .order_by(BridgeFamilies::Id, Order::Asc)
        .to_owned()
}

async fn fetch_devices(
    db: &Scope,
    mut query: sea_query::SelectStatement,
) -> Result<Vec<DeviceInfo>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        user_id: i64,
        created_at: i64,
        last_used_at: i64,
        expires_at: i64,
        ip: Option<String>,
        user_agent: Option<String>,
    }
    query.from(db.table(BridgeFamilies::Table));
    Ok(db
        .fetch_all::<Row>(&query)
        .await?
        .into_iter()
        .map(|row| DeviceInfo {
            family: FamilyId(row.id),
            user: UserId::new(row.user_id),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            ip: row.ip,
            user_agent: row.user_agent,
        })
        .collect())
}

/// A user's live devices, most recently used first (by the user index).
pub async fn devices(
    db: &Scope,
    clock: &Clock,
    user: UserId,
) -> Result<Vec<DeviceInfo>, sqlx::Error> {
    let query = live_devices(clock.unix())
        .and_where(Expr::col(BridgeFamilies::UserId).eq(user.get()))
        .to_owned();
    fetch_devices(db, query).await
}

/// The tenant's live devices, most recently used first, `limit` from `offset`.
pub async fn newest_devices(
    db: &Scope,
    clock: &Clock,
    offset: u64,
    limit: u64,
) -> Result<Vec<DeviceInfo>, sqlx::Error> {
    let query = live_devices(clock.unix())
        .limit(limit)
        .offset(offset)
        .to_owned();
    fetch_devices(db, query).await
}

/// How many live devices the tenant has.
pub async fn count_devices(db: &Scope, clock: &Clock) -> Result<u64, sqlx::Error> {
    let query = live_families(clock.unix())
        .expr(Expr::col(BridgeFamilies::Id).count())
        .from(db.table(BridgeFamilies::Table))
        .to_owned();
    let (n,): (i64,) = db.fetch_one(&query).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Revokes one of `user`'s devices; false when it is not theirs (or gone).
pub async fn revoke_device(
    db: &Scope,
    announce: Announce<'_>,
    clock: &Clock,
    user: UserId,
    family: &FamilyId,
    ip: Option<&str>,
) -> Result<bool, BridgeError> {
    let query = Query::select()
        .column(BridgeFamilies::UserId)
        .from(db.table(BridgeFamilies::Table))
        .and_where(Expr::col(BridgeFamilies::Id).eq(family.as_str()))
        .and_where(Expr::col(BridgeFamilies::RevokedAt).is_null())
        .to_owned();
    let owner: Option<(i64,)> = db.fetch_optional(&query).await?;
    if owner != Some((user.get(),)) {
        return Ok(false);
    }
    revoke(db, announce, clock, family, "revoked by its owner", ip).await?;
    Ok(true)
}
