//! The session bridge: long-lived, rotating, per-device tokens that restore
//! a login after the server's sessions are gone (a redeploy).
//!
//! A login (or registration) starts a *family* for that device; the family
//! holds one current token at a time. Every restore and refresh rotates it,
//! in one transaction. A rotated-out token presented again within the grace
//! window (two tabs) yields the same successor; later, it is treated as
//! theft: the whole family is revoked, which also ends the sessions it made.

pub mod token;

use sqlx::{any::AnyRow, Row};

use crate::{
    accounts::UserId,
    db::Scope,
    keys::{KeyId, KeyRing},
    sessions::BridgeSettings,
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

async fn event(
    conn: &mut sqlx::AnyConnection,
    kind: &str,
    family: Option<&FamilyId>,
    user: Option<UserId>,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bridge_events (at, kind, family_id, user_id, ip) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now())
    .bind(kind)
    .bind(family.map(FamilyId::as_str))
    .bind(user.map(UserId::get))
    .bind(ip)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an event without a family (a failed restore).
pub async fn record(db: &Scope, kind: &str, ip: Option<&str>) -> Result<(), sqlx::Error> {
    let mut conn = db.conn().await?;
    event(&mut conn, kind, None, None, ip).await?;
    conn.commit().await
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
    let mut conn = db.begin().await?;
    sqlx::query(
        "INSERT INTO bridge_families (id, user_id, created_at, expires_at, last_used_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $3, $5, $6)",
    )
    .bind(family.as_str())
    .bind(user.get())
    .bind(at)
    .bind(at.saturating_add(secs(settings.token_lifetime)))
    .bind(device.ip.as_deref())
    .bind(device.user_agent.as_deref())
    .execute(&mut *conn)
    .await?;
    insert_token(&mut conn, ring, &token, &family, at).await?;
    event(
        &mut conn,
        "issued",
        Some(&family),
        Some(user),
        device.ip.as_deref(),
    )
    .await?;
    // Expired families go with a new one now and then, keeping the table bounded.
    if rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, 32) {
        sqlx::query("DELETE FROM bridge_families WHERE expires_at <= $1 OR last_used_at <= $2")
            .bind(at)
            .bind(at.saturating_sub(secs(settings.idle_lifetime)))
            .execute(&mut *conn)
            .await?;
    }
    conn.commit().await?;
    Ok(Rotated {
        user,
        family,
        token,
    })
}

/// Stores a token's keyed hash, with the ring's primary key.
async fn insert_token(
    conn: &mut sqlx::AnyConnection,
    ring: &KeyRing,
    token: &BridgeToken,
    family: &FamilyId,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bridge_tokens (selector, family_id, verifier_hash, created_at, key_id) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (selector) DO NOTHING",
    )
    .bind(&token.selector)
    .bind(family.as_str())
    .bind(token.verifier_hash(&ring.primary_uses().bridge))
    .bind(at)
    .bind(i64::from(ring.primary().get()))
    .execute(conn)
    .await?;
    Ok(())
}

/// The bridge key of the token's row, if the presented token verifies
/// under it (a token whose key was retired verifies under none).
fn verified_key<'r>(
    ring: &'r KeyRing,
    presented: &BridgeToken,
    row: &AnyRow,
) -> Result<Option<&'r [u8; 32]>, sqlx::Error> {
    let key = u32::try_from(row.try_get::<i64, _>("key_id")?)
        .ok()
        .map(KeyId::new);
    let Some(uses) = key.and_then(|k| ring.get(k)) else {
        return Ok(None);
    };
    let stored: String = row.try_get("verifier_hash")?;
    Ok(presented
        .matches(&stored, &uses.bridge)
        .then_some(&uses.bridge))
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

/// Checks a presented token and rotates it, all in one transaction.
/// `family`: when refreshing, the token must belong to the session's family.
pub async fn rotate(
    db: &Scope,
    presented: &BridgeToken,
    family: Option<&FamilyId>,
    purpose: Purpose,
    device: &Device,
    settings: &BridgeSettings,
    ring: &KeyRing,
) -> Result<Rotated, BridgeError> {
    let at = now();
    let mut conn = db.begin().await?;
    let row = sqlx::query(
        "SELECT t.family_id, t.verifier_hash, t.key_id, t.rotated_at, t.successor, f.user_id, f.expires_at, f.last_used_at, f.revoked_at \
         FROM bridge_tokens t JOIN bridge_families f ON f.id = t.family_id WHERE t.selector = $1",
    )
    .bind(&presented.selector)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(BridgeError::Invalid);
    };
    let Some(key) = verified_key(ring, presented, &row)? else {
        return Err(BridgeError::Invalid);
    };
    let owner = FamilyId(row.try_get("family_id")?);
    let user = UserId::new(row.try_get("user_id")?);
    let revoked: Option<i64> = row.try_get("revoked_at")?;
    let expired = row.try_get::<i64, _>("expires_at")? <= at
        || row
            .try_get::<i64, _>("last_used_at")?
            .saturating_add(secs(settings.idle_lifetime))
            <= at;
    if revoked.is_some() || expired || family.is_some_and(|f| *f != owner) {
        return Err(BridgeError::Invalid);
    }
    let next = presented.successor(key);
    let rotated_at: Option<i64> = row.try_get("rotated_at")?;
    let successor: Option<String> = row.try_get("successor")?;
    let kind = match rotated_at {
        None => {
            let claimed = sqlx::query(
                "UPDATE bridge_tokens SET rotated_at = $1, successor = $2 WHERE selector = $3 AND rotated_at IS NULL",
            )
            .bind(at)
            .bind(&next.selector)
            .bind(&presented.selector)
            .execute(&mut *conn)
            .await?;
            insert_token(&mut conn, ring, &next, &owner, at).await?;
            // Lost a race to a concurrent rotation of the same token: it made the same successor.
            if claimed.rows_affected() == 1 {
                purpose.event()
            } else {
                "grace_reuse"
            }
        }
        // Strictly within: a grace of 0 allows no replay at all.
        Some(when)
            if at - when < secs(settings.rotation_grace)
                && successor.as_deref() == Some(next.selector.as_str()) =>
        {
            "grace_reuse"
        }
        Some(_) => {
            revoke_in(&mut conn, &owner, "reuse of a rotated-out token").await?;
            event(
                &mut conn,
                "theft_detected",
                Some(&owner),
                Some(user),
                device.ip.as_deref(),
            )
            .await?;
            conn.commit().await?;
            tracing::warn!("bridge token replayed after its grace window; device family revoked");
            return Err(BridgeError::Invalid);
        }
    };
    touch_family(&mut conn, &owner, device, at).await?;
    event(
        &mut conn,
        kind,
        Some(&owner),
        Some(user),
        device.ip.as_deref(),
    )
    .await?;
    conn.commit().await?;
    Ok(Rotated {
        user,
        family: owner,
        token: next,
    })
}

/// Records that the family was just used, and from where.
async fn touch_family(
    conn: &mut sqlx::AnyConnection,
    family: &FamilyId,
    device: &Device,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bridge_families SET last_used_at = $1, ip = $2, user_agent = $3 WHERE id = $4",
    )
    .bind(at)
    .bind(device.ip.as_deref())
    .bind(device.user_agent.as_deref())
    .bind(family.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

async fn revoke_in(
    conn: &mut sqlx::AnyConnection,
    family: &FamilyId,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bridge_families SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(now())
        .bind(reason)
        .bind(family.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes a family (logout, user or admin action, theft).
pub async fn revoke(
    db: &Scope,
    family: &FamilyId,
    reason: &str,
    ip: Option<&str>,
) -> Result<(), BridgeError> {
    let mut conn = db.begin().await?;
    revoke_in(&mut conn, family, reason).await?;
    event(&mut conn, "revoked", Some(family), None, ip).await?;
    conn.commit().await?;
    Ok(())
}

/// Revokes the family of a token that verifies here (a token carried to
/// another tenant is stolen or confused; either way it dies).
pub async fn revoke_presented(
    db: &Scope,
    ring: &KeyRing,
    presented: &BridgeToken,
    reason: &str,
    ip: Option<&str>,
) -> Result<(), BridgeError> {
    let row = sqlx::query(
        "SELECT family_id, verifier_hash, key_id FROM bridge_tokens WHERE selector = $1",
    )
    .bind(&presented.selector)
    .fetch_optional(&mut *db.conn().await?)
    .await?;
    if let Some(row) = row {
        if verified_key(ring, presented, &row)?.is_some() {
            revoke(db, &FamilyId(row.try_get("family_id")?), reason, ip).await?;
        }
    }
    Ok(())
}

/// Whether sessions made by this family may still be used.
pub async fn family_is_live(db: &Scope, family: &FamilyId) -> Result<bool, sqlx::Error> {
    let revoked: Option<Option<i64>> =
        sqlx::query_scalar("SELECT revoked_at FROM bridge_families WHERE id = $1")
            .bind(family.as_str())
            .fetch_optional(&mut *db.conn().await?)
            .await?;
    Ok(matches!(revoked, Some(None)))
}

/// A user's live devices (every user's with `None`), most recently used first.
pub async fn devices(db: &Scope, user: Option<UserId>) -> Result<Vec<DeviceInfo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, user_id, created_at, last_used_at, expires_at, ip, user_agent FROM bridge_families \
         WHERE ($1 IS NULL OR user_id = $1) AND revoked_at IS NULL AND expires_at > $2 ORDER BY last_used_at DESC",
    )
    .bind(user.map(UserId::get))
    .bind(now())
    .fetch_all(&mut *db.conn().await?)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(DeviceInfo {
                family: FamilyId(row.try_get("id")?),
                user: UserId::new(row.try_get("user_id")?),
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
                expires_at: row.try_get("expires_at")?,
                ip: row.try_get("ip")?,
                user_agent: row.try_get("user_agent")?,
            })
        })
        .collect()
}

/// Revokes one of `user`'s devices; false when it is not theirs (or gone).
pub async fn revoke_device(
    db: &Scope,
    user: UserId,
    family: &FamilyId,
    ip: Option<&str>,
) -> Result<bool, BridgeError> {
    let owner: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM bridge_families WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(family.as_str())
    .fetch_optional(&mut *db.conn().await?)
    .await?;
    if owner != Some(user.get()) {
        return Ok(false);
    }
    revoke(db, family, "revoked by its owner", ip).await?;
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
    let rows = sqlx::query(
        "SELECT at / 86400 AS day, kind, COUNT(*) AS n FROM bridge_events WHERE at >= $1 GROUP BY at / 86400, kind",
    )
    .bind(first * 86_400)
    .fetch_all(&mut *db.conn().await?)
    .await?;
    let mut usage: Vec<DayUsage> = (first..=today)
        .map(|day| DayUsage {
            day,
            ..DayUsage::default()
        })
        .collect();
    for row in rows {
        let day: i64 = row.try_get("day")?;
        let count = u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
        let Some(slot) = usize::try_from(day - first)
            .ok()
            .and_then(|i| usage.get_mut(i))
        else {
            continue;
        };
        match row.try_get::<String, _>("kind")?.as_str() {
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
