//! A device's family and its one current token: issued at sign-in, rotated
//! by every restore and refresh in one transaction. `judge` is the state
//! machine (rotate, grace, theft, refused), a pure function of what the
//! store holds and the time, so its rules are tested without a database or
//! a sleep.

use sea_query::{Cond, Expr, ExprTrait, OnConflict, Query};

use super::{
    devices::revoke_in,
    events::{self, Event, EventKind},
    family::{secs, BridgeError, Device, FamilyId, Rotated},
    token::{self, BridgeToken},
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
    settings::BridgeSettings,
    tenancy::TenantId,
};

/// Starts a device's family at login and returns its first token.
pub async fn issue(
    db: &Scope,
    ring: &KeyRing,
    tenant: TenantId,
    user: UserId,
    device: &Device,
    settings: &BridgeSettings,
    clock: &Clock,
) -> Result<Rotated, BridgeError> {
    let (family, token, at) = (
        FamilyId(token::random_id()),
        BridgeToken::generate(tenant),
        clock.unix(),
    );
    let expires_at = at.saturating_add(secs(settings.token_lifetime));
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
            expires_at.into(),
            at.into(),
            device.ip.clone().into(),
            device.user_agent.clone().into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    insert_token(&mut tx, ring, &token, &family, at).await?;
    events::append(
        &mut tx,
        Event {
            kind: EventKind::Issued,
            family: Some(&family),
            user: Some(user),
            ip: device.ip.as_deref(),
            at,
        },
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
        expires_at,
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
    fn event(self) -> EventKind {
        match self {
            Purpose::Restore => EventKind::Restored,
            Purpose::Refresh => EventKind::Refreshed,
        }
    }
}

/// What the store says of a presented token that verified, and of its family.
#[derive(Debug, Clone, Copy)]
struct Standing {
    revoked: bool,
    expires_at: i64,
    last_used_at: i64,
    /// When the token was rotated out, if it was.
    rotated_at: Option<i64>,
    /// Its recorded successor is the one it derives (same key, same token).
    successor_matches: bool,
    /// When refreshing, the family is the session's own.
    family_matches: bool,
}

/// What a verified token may do at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The family's current token: rotate it.
    Rotate,
    /// Rotated out within the grace window (another tab got there first):
    /// the same successor again.
    Grace,
    /// Rotated out after the grace window: someone else holds the family's
    /// current token. Revoke the family.
    Theft,
    /// Revoked, expired, idle too long, or another family's: refused,
    /// nothing changes.
    Refused,
}

fn judge(standing: &Standing, at: i64, settings: &BridgeSettings) -> Verdict {
    let idle_until = standing
        .last_used_at
        .saturating_add(secs(settings.idle_lifetime));
    let expired = standing.expires_at <= at || idle_until <= at;
    if standing.revoked || expired || !standing.family_matches {
        return Verdict::Refused;
    }
    match standing.rotated_at {
        None => Verdict::Rotate,
        // Strictly within: a grace of 0 allows no replay at all.
        Some(when) if at - when < secs(settings.rotation_grace) && standing.successor_matches => {
            Verdict::Grace
        }
        Some(_) => Verdict::Theft,
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

/// A presented token that verified: its family, its person, the successor
/// it derives and what the store says of it.
struct Found {
    owner: FamilyId,
    user: UserId,
    next: BridgeToken,
    standing: Standing,
}

/// Reads a presented token and its family inside `tx`; `Invalid` for a
/// token the store does not hold or that does not verify.
async fn find(
    tx: &mut Tx,
    presentation: &Presentation<'_>,
    ring: &KeyRing,
) -> Result<Found, BridgeError> {
    let presented = presentation.token;
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
    let next = presented.successor(key);
    let standing = Standing {
        revoked: row.revoked_at.is_some(),
        expires_at: row.expires_at,
        last_used_at: row.last_used_at,
        rotated_at: row.rotated_at,
        successor_matches: row.successor.as_deref() == Some(next.selector.as_str()),
        family_matches: presentation.family.is_none_or(|f| *f == owner),
    };
    Ok(Found {
        user: UserId::new(row.user_id),
        owner,
        next,
        standing,
    })
}

/// A rotated-out token came back after its grace window: someone else holds
/// the family's current token. Revokes the family (and so its sessions),
/// records the theft and tells every process; the presenter gets `Invalid`.
async fn theft(
    mut tx: Tx,
    announce: Announce<'_>,
    found: &Found,
    device: &Device,
    at: i64,
) -> Result<(), BridgeError> {
    let owner = &found.owner;
    revoke_in(&mut tx, owner, "reuse of a rotated-out token", at).await?;
    let theft = Event {
        kind: EventKind::TheftDetected,
        family: Some(owner),
        user: Some(found.user),
        ip: device.ip.as_deref(),
        at,
    };
    events::append(&mut tx, theft).await?;
    let change = Change::Family(announce.tenant, owner.clone());
    bus::notify_in(&mut tx, &change).await?;
    tx.commit().await?;
    announce.cache.changed(change).await;
    tracing::warn!("bridge token replayed after its grace window; device family revoked");
    Ok(())
}

/// Checks a presented token and rotates it, all in one transaction.
pub async fn rotate(
    db: &Scope,
    announce: Announce<'_>,
    presentation: Presentation<'_>,
    settings: &BridgeSettings,
    ring: &KeyRing,
    clock: &Clock,
) -> Result<Rotated, BridgeError> {
    let at = clock.unix();
    let mut tx = db.begin().await?;
    let found = find(&mut tx, &presentation, ring).await?;
    let Presentation {
        token: presented,
        purpose,
        device,
        ..
    } = presentation;
    let kind = match judge(&found.standing, at, settings) {
        Verdict::Refused => return Err(BridgeError::Invalid),
        Verdict::Rotate => {
            let claim = Query::update()
                .table(tx.table(BridgeTokens::Table))
                .values([
                    (BridgeTokens::RotatedAt, at.into()),
                    (BridgeTokens::Successor, found.next.selector.clone().into()),
                ])
                .and_where(Expr::col(BridgeTokens::Selector).eq(presented.selector.as_str()))
                .and_where(Expr::col(BridgeTokens::RotatedAt).is_null())
                .to_owned();
            let claimed = tx.execute(&claim).await?;
            insert_token(&mut tx, ring, &found.next, &found.owner, at).await?;
            // Lost a race to a concurrent rotation of the same token: it made the same successor.
            if claimed == 1 {
                purpose.event()
            } else {
                EventKind::GraceReuse
            }
        }
        Verdict::Grace => EventKind::GraceReuse,
        Verdict::Theft => {
            theft(tx, announce, &found, device, at).await?;
            return Err(BridgeError::Invalid);
        }
    };
    touch_family(&mut tx, &found.owner, device, at).await?;
    let used = Event {
        kind,
        family: Some(&found.owner),
        user: Some(found.user),
        ip: device.ip.as_deref(),
        at,
    };
    events::append(&mut tx, used).await?;
    tx.commit().await?;
    Ok(Rotated {
        user: found.user,
        family: found.owner,
        token: found.next,
        expires_at: found.standing.expires_at,
    })
}

/// A token that stands, and whose it is; nothing rotated.
#[derive(Debug)]
pub struct Vouched {
    pub user: UserId,
    pub family: FamilyId,
}

/// Checks a presented token as a restore would, without rotating it: for a
/// restore that must wait for a second factor. Whoever presented the token
/// has not shown yet that they are its owner, so the family's current token
/// stays the owner's until the factor is presented (and the family is then
/// replaced). A replay after the grace window is theft, as in `rotate`.
pub async fn vouch(
    db: &Scope,
    announce: Announce<'_>,
    presentation: Presentation<'_>,
    settings: &BridgeSettings,
    ring: &KeyRing,
    clock: &Clock,
) -> Result<Vouched, BridgeError> {
    let at = clock.unix();
    let mut tx = db.begin().await?;
    let found = find(&mut tx, &presentation, ring).await?;
    match judge(&found.standing, at, settings) {
        Verdict::Refused => return Err(BridgeError::Invalid),
        Verdict::Theft => {
            theft(tx, announce, &found, presentation.device, at).await?;
            return Err(BridgeError::Invalid);
        }
        Verdict::Rotate | Verdict::Grace => {}
    }
    Ok(Vouched {
        user: found.user,
        family: found.owner,
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const T0: i64 = 1_000_000;

    fn settings() -> BridgeSettings {
        BridgeSettings {
            enabled: true,
            token_lifetime: Duration::from_secs(30 * 86_400),
            idle_lifetime: Duration::from_secs(7 * 86_400),
            restore_rate_limit: 10,
            rotation_grace: Duration::from_secs(30),
            step_up: crate::settings::StepUp::Enrolled,
            storage: crate::settings::BridgeStorage::LocalStorage,
            rollout: crate::settings::Rollout::Everyone,
        }
    }

    /// A live family's current token, last used at T0.
    fn current() -> Standing {
        Standing {
            revoked: false,
            expires_at: T0 + 30 * 86_400,
            last_used_at: T0,
            rotated_at: None,
            successor_matches: false,
            family_matches: true,
        }
    }

    /// The same token, rotated out at T0 by another tab.
    fn rotated_out() -> Standing {
        Standing {
            rotated_at: Some(T0),
            successor_matches: true,
            ..current()
        }
    }

    #[test]
    fn the_current_token_rotates() {
        assert_eq!(judge(&current(), T0 + 5, &settings()), Verdict::Rotate);
    }

    #[test]
    fn a_rotated_out_token_gets_its_successor_only_within_the_grace_window() {
        let s = settings();
        assert_eq!(judge(&rotated_out(), T0, &s), Verdict::Grace);
        assert_eq!(judge(&rotated_out(), T0 + 29, &s), Verdict::Grace);
        assert_eq!(
            judge(&rotated_out(), T0 + 30, &s),
            Verdict::Theft,
            "strictly within"
        );
        assert_eq!(judge(&rotated_out(), T0 + 3_600, &s), Verdict::Theft);
    }

    #[test]
    fn no_grace_means_any_replay_is_theft() {
        let s = BridgeSettings {
            rotation_grace: Duration::ZERO,
            ..settings()
        };
        assert_eq!(judge(&rotated_out(), T0, &s), Verdict::Theft);
    }

    #[test]
    fn a_replay_whose_successor_differs_is_theft_even_within_grace() {
        let replay = Standing {
            successor_matches: false,
            ..rotated_out()
        };
        assert_eq!(judge(&replay, T0 + 1, &settings()), Verdict::Theft);
    }

    #[test]
    fn an_expired_family_refuses_at_its_expiry() {
        let s = settings();
        let standing = current();
        let expiry = standing.expires_at;
        // Used a day before expiry, so idle expiry is not what refuses it.
        let recent = Standing {
            last_used_at: expiry - 86_400,
            ..standing
        };
        assert_eq!(judge(&recent, expiry - 1, &s), Verdict::Rotate);
        assert_eq!(judge(&recent, expiry, &s), Verdict::Refused);
        // Expiry outranks theft: an expired family's old token changes nothing.
        let old = Standing {
            rotated_at: Some(expiry - 86_400),
            successor_matches: true,
            ..recent
        };
        assert_eq!(judge(&old, expiry + 1, &s), Verdict::Refused);
    }

    #[test]
    fn a_family_unused_for_the_idle_lifetime_refuses() {
        let s = settings();
        let idle = 7 * 86_400;
        assert_eq!(judge(&current(), T0 + idle - 1, &s), Verdict::Rotate);
        assert_eq!(judge(&current(), T0 + idle, &s), Verdict::Refused);
    }

    #[test]
    fn a_revoked_family_or_another_sessions_family_refuses() {
        let s = settings();
        let revoked = Standing {
            revoked: true,
            ..current()
        };
        assert_eq!(judge(&revoked, T0, &s), Verdict::Refused);
        let replayed_revoked = Standing {
            revoked: true,
            ..rotated_out()
        };
        assert_eq!(judge(&replayed_revoked, T0 + 3_600, &s), Verdict::Refused);
        let elsewhere = Standing {
            family_matches: false,
            ..current()
        };
        assert_eq!(judge(&elsewhere, T0, &s), Verdict::Refused);
    }
}
