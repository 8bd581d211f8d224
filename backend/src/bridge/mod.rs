//! The session bridge: long-lived, rotating, per-device tokens that restore
//! a login after the server's sessions are gone (a redeploy).
//!
//! A login (or registration) starts a *family* for that device; the family
//! holds one current token at a time. Every restore and refresh rotates it,
//! in one transaction. A rotated-out token presented again within the grace
//! window (two tabs) yields the same successor; later, it is treated as
//! theft: the whole family is revoked, which also ends the sessions it made.

pub mod token;

use sea_query::{Cond, Expr, ExprTrait, InsertStatement, OnConflict, Order, Query, TableRef};

use crate::{
    accounts::UserId,
    db::{
        schema::{BridgeEvents, BridgeFamilies, BridgeTokens},
        Scope, Tx,
    },
    keys::{KeyId, KeyRing},
    sessions::{Announce, BridgeSettings, Change, SessionCache},
};
pub use token::BridgeToken;

/// One device's token family.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct FamilyId(String);

impl FamilyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn from_client(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// Where a request came from, as recorded with a device.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Device {
    pub fn new(ip: Option<String>, user_agent: Option<&str>) -> Self {
        // Bounded: the user agent is whatever the client says.
        Self {
            ip,
            user_agent: user_agent.map(|ua| ua.chars().take(256).collect()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// Unknown, wrong, expired, revoked or replayed: deliberately one answer.
    #[error("Invalid or expired session token")]
    Invalid,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A successful restore or refresh.
#[derive(Debug)]
pub struct Rotated {
    pub user: UserId,
    pub family: FamilyId,
    pub token: BridgeToken,
}

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

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Appends an event (issued, restored, failed, revoked, ...) for the admin panel.
async fn event(
    tx: &mut Tx,
    kind: &str,
    family: Option<&FamilyId>,
    user: Option<UserId>,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    let insert = event_insert(tx.table(BridgeEvents::Table), kind, family, user, ip);
    tx.execute(&insert).await.map(drop)
}

fn event_insert(
    table: TableRef,
    kind: &str,
    family: Option<&FamilyId>,
    user: Option<UserId>,
    ip: Option<&str>,
) -> InsertStatement {
    Query::insert()
        .into_table(table)
        .columns([
            BridgeEvents::At,
            BridgeEvents::Kind,
            BridgeEvents::FamilyId,
            BridgeEvents::UserId,
            BridgeEvents::Ip,
        ])
        .values_panic([
            now().into(),
            kind.into(),
            family.map(|f| f.as_str().to_owned()).into(),
            user.map(UserId::get).into(),
            ip.map(str::to_owned).into(),
        ])
        .to_owned()
}

/// Records an event without a family (a failed restore).
pub async fn record(db: &Scope, kind: &str, ip: Option<&str>) -> Result<(), sqlx::Error> {
    db.execute(&event_insert(
        db.table(BridgeEvents::Table),
        kind,
        None,
        None,
        ip,
    ))
    .await
    .map(drop)
}

/// Starts a device's family at login and returns its first token.
pub async fn issue(
    db: &Scope,
    ring: &KeyRing,
    tenant: crate::tenancy::TenantId,
    user: UserId,
    device: &Device,
    settings: &BridgeSettings,
) -> Result<Rotated, BridgeError> {
    let (family, token, at) = (
        FamilyId(token::random_id()),
        BridgeToken::generate(tenant),
        now(),
    );
    let mut tx = db.begin().await?;
    let insert = Query::insert()
        .into_table(tx.table(BridgeFamilies::Table))
        .columns([
            BridgeFamilies::Id,
            BridgeFamilies::UserId,
            BridgeFamilies::CreatedAt,
            BridgeFamilies::ExpiresAt,
            BridgeFamilies::LastUsedAt,
            BridgeFamilies::Ip,
            BridgeFamilies::UserAgent,
        ])
        .values_panic([
            family.as_str().into(),
            user.get().into(),
            at.into(),
            at.saturating_add(secs(settings.token_lifetime)).into(),
            at.into(),
            device.ip.clone().into(),
            device.user_agent.clone().into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    insert_token(&mut tx, ring, &token, &family, at).await?;
    event(
        &mut tx,
        "issued",
        Some(&family),
        Some(user),
        device.ip.as_deref(),
    )
    .await?;
    // Expired families go with a new one now and then, keeping the table bounded.
    if rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, 32) {
        let prune = Query::delete()
            .from_table(tx.table(BridgeFamilies::Table))
            .cond_where(
                Cond::any()
                    .add(Expr::col(BridgeFamilies::ExpiresAt).lte(at))
                    .add(
                        Expr::col(BridgeFamilies::LastUsedAt)
                            .lte(at.saturating_sub(secs(settings.idle_lifetime))),
                    ),
            )
            .to_owned();
        tx.execute(&prune).await?;
    }
    tx.commit().await?;
    Ok(Rotated {
        user,
        family,
        token,
    })
}

/// Stores a token's keyed hash, with the ring's primary key.
async fn insert_token(
    tx: &mut Tx,
    ring: &KeyRing,
    token: &BridgeToken,
    family: &FamilyId,
    at: i64,
) -> Result<(), sqlx::Error> {
    let insert = Query::insert()
        .into_table(tx.table(BridgeTokens::Table))
        .columns([
            BridgeTokens::Selector,
            BridgeTokens::FamilyId,
            BridgeTokens::VerifierHash,
            BridgeTokens::CreatedAt,
            BridgeTokens::KeyId,
        ])
        .values_panic([
            token.selector.clone().into(),
            family.as_str().into(),
            token.verifier_hash(&ring.primary_uses().bridge).into(),
            at.into(),
            i64::from(ring.primary().get()).into(),
        ])
        .on_conflict(
            OnConflict::column(BridgeTokens::Selector)
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    tx.execute(&insert).await.map(drop)
}

/// A token row, with its family's state.
#[derive(Debug, sqlx::FromRow)]
struct TokenRow {
    family_id: String,
    verifier_hash: String,
    key_id: i64,
    rotated_at: Option<i64>,
    successor: Option<String>,
    user_id: i64,
    expires_at: i64,
    last_used_at: i64,
    revoked_at: Option<i64>,
}

impl TokenRow {
    /// The bridge key this token was hashed with, if the presented token
    /// verifies under it (a token whose key was retired verifies under none).
    fn verified_key<'r>(&self, ring: &'r KeyRing, presented: &BridgeToken) -> Option<&'r [u8; 32]> {
        let uses = u32::try_from(self.key_id)
            .ok()
            .and_then(|k| ring.get(KeyId::new(k)))?;
        presented
            .matches(&self.verifier_hash, &uses.bridge)
            .then_some(&uses.bridge)
    }
}

/// What a restore or refresh is for (recorded as the event kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Restore,
    Refresh,
}

impl Purpose {
    fn event(self) -> &'static str {
        match self {
            Purpose::Restore => "restored",
            Purpose::Refresh => "refreshed",
        }
    }
}

/// A presented token and what it is presented for.
#[derive(Debug, Clone, Copy)]
pub struct Presentation<'a> {
    pub token: &'a BridgeToken,
    /// When refreshing: the session's own family, which the token must belong to.
    pub family: Option<&'a FamilyId>,
    pub purpose: Purpose,
    pub device: &'a Device,
}

/// Checks a presented token and rotates it, all in one transaction.
pub async fn rotate(
    db: &Scope,
    announce: Announce<'_>,
    presentation: Presentation<'_>,
    settings: &BridgeSettings,
    ring: &KeyRing,
) -> Result<Rotated, BridgeError> {
    let Presentation {
        token: presented,
        family,
        purpose,
        device,
    } = presentation;
    let at = now();
    let mut tx = db.begin().await?;
    let (tokens, families) = (
        tx.table(BridgeTokens::Table),
        tx.table(BridgeFamilies::Table),
    );
    let query = Query::select()
        .columns([
            (BridgeTokens::Table, BridgeTokens::FamilyId),
            (BridgeTokens::Table, BridgeTokens::VerifierHash),
            (BridgeTokens::Table, BridgeTokens::KeyId),
            (BridgeTokens::Table, BridgeTokens::RotatedAt),
            (BridgeTokens::Table, BridgeTokens::Successor),
        ])
        .columns([
            (BridgeFamilies::Table, BridgeFamilies::UserId),
            (BridgeFamilies::Table, BridgeFamilies::ExpiresAt),
            (BridgeFamilies::Table, BridgeFamilies::LastUsedAt),
            (BridgeFamilies::Table, BridgeFamilies::RevokedAt),
        ])
        .from(tokens)
        .inner_join(
            families,
            Expr::col((BridgeFamilies::Table, BridgeFamilies::Id))
                .equals((BridgeTokens::Table, BridgeTokens::FamilyId)),
        )
        .and_where(
            Expr::col((BridgeTokens::Table, BridgeTokens::Selector))
                .eq(presented.selector.as_str()),
        )
        .to_owned();
    let Some(row) = tx.fetch_optional::<TokenRow>(&query).await? else {
        return Err(BridgeError::Invalid);
    };
    let Some(key) = row.verified_key(ring, presented) else {
        return Err(BridgeError::Invalid);
    };
    let owner = FamilyId(row.family_id.clone());
    let user = UserId::new(row.user_id);
    let expired = row.expires_at <= at
        || row
            .last_used_at
            .saturating_add(secs(settings.idle_lifetime))
            <= at;
    if row.revoked_at.is_some() || expired || family.is_some_and(|f| *f != owner) {
        return Err(BridgeError::Invalid);
    }
    let next = presented.successor(key);
    let kind = match row.rotated_at {
        None => {
            let claim = Query::update()
                .table(tx.table(BridgeTokens::Table))
                .values([
                    (BridgeTokens::RotatedAt, at.into()),
                    (BridgeTokens::Successor, next.selector.clone().into()),
                ])
                .and_where(Expr::col(BridgeTokens::Selector).eq(presented.selector.as_str()))
                .and_where(Expr::col(BridgeTokens::RotatedAt).is_null())
                .to_owned();
            let claimed = tx.execute(&claim).await?;
            insert_token(&mut tx, ring, &next, &owner, at).await?;
            // Lost a race to a concurrent rotation of the same token: it made the same successor.
            if claimed == 1 {
                purpose.event()
            } else {
                "grace_reuse"
            }
        }
        // Strictly within: a grace of 0 allows no replay at all.
        Some(when)
            if at - when < secs(settings.rotation_grace)
                && row.successor.as_deref() == Some(next.selector.as_str()) =>
        {
            "grace_reuse"
        }
        Some(_) => {
            revoke_in(&mut tx, &owner, "reuse of a rotated-out token").await?;
            event(
                &mut tx,
                "theft_detected",
                Some(&owner),
                Some(user),
                device.ip.as_deref(),
            )
            .await?;
            let change = Change::Family(announce.tenant, owner.clone());
            SessionCache::notify_in(&mut tx, &change).await?;
            tx.commit().await?;
            announce.cache.changed(change).await;
            tracing::warn!("bridge token replayed after its grace window; device family revoked");
            return Err(BridgeError::Invalid);
        }
    };
    touch_family(&mut tx, &owner, device, at).await?;
    event(
        &mut tx,
        kind,
        Some(&owner),
        Some(user),
        device.ip.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(Rotated {
        user,
        family: owner,
        token: next,
    })
}

/// Records that the family was just used, and from where.
async fn touch_family(
    tx: &mut Tx,
    family: &FamilyId,
    device: &Device,
    at: i64,
) -> Result<(), sqlx::Error> {
    let update = Query::update()
        .table(tx.table(BridgeFamilies::Table))
        .values([
            (BridgeFamilies::LastUsedAt, at.into()),
            (BridgeFamilies::Ip, device.ip.clone().into()),
            (BridgeFamilies::UserAgent, device.user_agent.clone().into()),
        ])
        .and_where(Expr::col(BridgeFamilies::Id).eq(family.as_str()))
        .to_owned();
    tx.execute(&update).await.map(drop)
}

/// Marks the live families of `table` revoked, for `reason` (narrow it to
/// the ones meant).
fn revocation(table: TableRef, reason: &str) -> sea_query::UpdateStatement {
    Query::update()
        .table(table)
        .values([
            (BridgeFamilies::RevokedAt, now().into()),
            (BridgeFamilies::RevokedReason, reason.into()),
        ])
        .and_where(Expr::col(BridgeFamilies::RevokedAt).is_null())
        .to_owned()
}

async fn revoke_in(tx: &mut Tx, family: &FamilyId, reason: &str) -> Result<(), sqlx::Error> {
    let update = revocation(tx.table(BridgeFamilies::Table), reason)
        .and_where(Expr::col(BridgeFamilies::Id).eq(family.as_str()))
        .to_owned();
    tx.execute(&update).await.map(drop)
}

/// Revokes a family (logout, user or admin action, theft); its sessions end
/// in every process.
pub async fn revoke(
    db: &Scope,
    announce: Announce<'_>,
    family: &FamilyId,
    reason: &str,
    ip: Option<&str>,
) -> Result<(), BridgeError> {
    let change = Change::Family(announce.tenant, family.clone());
    let mut tx = db.begin().await?;
    revoke_in(&mut tx, family, reason).await?;
    event(&mut tx, "revoked", Some(family), None, ip).await?;
    SessionCache::notify_in(&mut tx, &change).await?;
    tx.commit().await?;
    announce.cache.changed(change).await;
    Ok(())
}

/// Revokes every live family of the tenant (it is being deleted). Nobody
/// hears of it: the tenant's sessions go with it.
pub async fn revoke_every_family(db: &Scope, reason: &str) -> Result<(), sqlx::Error> {
    let update = revocation(db.table(BridgeFamilies::Table), reason);
    db.execute(&update).await.map(drop)
}

/// Revokes the family of a token that verifies here (a token carried to
/// another tenant is stolen or confused; either way it dies).
pub async fn revoke_presented(
    db: &Scope,
    announce: Announce<'_>,
    ring: &KeyRing,
    presented: &BridgeToken,
    reason: &str,
    ip: Option<&str>,
) -> Result<(), BridgeError> {
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
    if let Some(row) = db.fetch_optional::<Stored>(&query).await? {
        let uses = u32::try_from(row.key_id)
            .ok()
            .and_then(|k| ring.get(KeyId::new(k)));
        if uses.is_some_and(|u| presented.matches(&row.verifier_hash, &u.bridge)) {
            revoke(db, announce, &FamilyId(row.family_id), reason, ip).await?;
        }
    }
    Ok(())
}

/// Whether sessions made by this family may still be used.
pub async fn family_is_live(db: &Scope, family: &FamilyId) -> Result<bool, sqlx::Error> {
    let query = Query::select()
        .column(BridgeFamilies::RevokedAt)
        .from(db.table(BridgeFamilies::Table))
        .and_where(Expr::col(BridgeFamilies::Id).eq(family.as_str()))
        .to_owned();
    let revoked: Option<(Option<i64>,)> = db.fetch_optional(&query).await?;
    Ok(matches!(revoked, Some((None,))))
}

/// Families neither revoked nor expired.
fn live_families() -> sea_query::SelectStatement {
    Query::select()
        .and_where(Expr::col(BridgeFamilies::RevokedAt).is_null())
        .and_where(Expr::col(BridgeFamilies::ExpiresAt).gt(now()))
        .to_owned()
}

/// Live families, most recently used first.
fn live_devices() -> sea_query::SelectStatement {
    live_families()
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
pub async fn devices(db: &Scope, user: UserId) -> Result<Vec<DeviceInfo>, sqlx::Error> {
    let query = live_devices()
        .and_where(Expr::col(BridgeFamilies::UserId).eq(user.get()))
        .to_owned();
    fetch_devices(db, query).await
}

/// The tenant's live devices, most recently used first, `limit` from `offset`.
pub async fn newest_devices(
    db: &Scope,
    offset: u64,
    limit: u64,
) -> Result<Vec<DeviceInfo>, sqlx::Error> {
    let query = live_devices().limit(limit).offset(offset).to_owned();
    fetch_devices(db, query).await
}

/// How many live devices the tenant has.
pub async fn count_devices(db: &Scope) -> Result<u64, sqlx::Error> {
    let query = live_families()
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
    revoke(db, announce, family, "revoked by its owner", ip).await?;
    Ok(true)
}

/// Bridge activity of one day (UTC), for the admin panel's chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayUsage {
    /// Days since 1970-01-01.
    pub day: i64,
    pub restores: u64,
    pub refreshes: u64,
    pub failures: u64,
    pub revocations: u64,
}

/// The last `days` days of events, oldest first, every day present.
pub async fn usage(db: &Scope, days: i64) -> Result<Vec<DayUsage>, sqlx::Error> {
    let today = now() / 86_400;
    let first = today - days + 1;
    // A constant, rendered inline: a bound divisor would differ between the
    // SELECT and the GROUP BY ($1 vs $2), which PostgreSQL refuses.
    let day = Expr::col(BridgeEvents::At).div(Expr::Constant(86_400i64.into()));
    let query = Query::select()
        .expr_as(day.clone(), "day")
        .column(BridgeEvents::Kind)
        .expr_as(Expr::col(BridgeEvents::Id).count(), "n")
        .from(db.table(BridgeEvents::Table))
        .and_where(Expr::col(BridgeEvents::At).gte(first * 86_400))
        .add_group_by([day, Expr::col(BridgeEvents::Kind)])
        .to_owned();
    let rows: Vec<(i64, String, i64)> = db.fetch_all(&query).await?;
    let mut usage: Vec<DayUsage> = (first..=today)
        .map(|day| DayUsage {
            day,
            ..DayUsage::default()
        })
        .collect();
    for (day, kind, n) in rows {
        let count = u64::try_from(n).unwrap_or(0);
        let Some(slot) = usize::try_from(day - first)
            .ok()
            .and_then(|i| usage.get_mut(i))
        else {
            continue;
        };
        match kind.as_str() {
            "restored" => slot.restores += count,
            "refreshed" | "grace_reuse" => slot.refreshes += count,
            "failed" => slot.failures += count,
            "theft_detected" => {
                slot.failures += count;
                slot.revocations += count;
            }
            "revoked" => slot.revocations += count,
            _ => {}
        }
    }
    Ok(usage)
}
