//! Who within a tenant gets the bridge (`bridge.rollout`): everyone, one
//! role, or a stable share of people. A person outside it gets no device at
//! sign-in, and a device of someone who leaves it (a lower percentage, a
//! new role, another rule) is revoked, recorded as such.

use sea_query::{Expr, ExprTrait, Order, Query};
use sha2::{Digest, Sha256};

pub use super::family::LEFT_THE_ROLLOUT;
use super::{devices, family::FamilyId, BridgeError};
use crate::{
    accounts::{Role, User, UserId},
    bus::Announce,
    clock::Clock,
    db::{
        schema::{BridgeFamilies, Users},
        Scope,
    },
    settings::Rollout,
    tenancy::TenantId,
};

/// Why someone has the bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Everyone,
    Role(Role),
    /// Their bucket (0–99) is below the rollout's percentage.
    Bucket {
        bucket: u8,
        percent: u8,
    },
}

impl Admission {
    /// For the admin panel.
    pub fn describe(self) -> String {
        match self {
            Admission::Everyone => "everyone has it".into(),
            Admission::Role(role) => format!("role {}", role.as_str()),
            Admission::Bucket { bucket, percent } => {
                format!("bucket {bucket} is within the first {percent}%")
            }
        }
    }
}

/// Fixed, so that a person's bucket never moves: not the key ring's, which
/// rotates. It only separates these buckets from any other use of the ids.
const SALT: &[u8] = b"tessera bridge rollout v1";

/// A person's place (0–99) in a percentage rollout: a salted hash of the
/// tenant and the user, so raising the percentage keeps everyone who had
/// it, and one person is not in the same part of every tenant's rollout.
pub fn bucket(tenant: TenantId, user: UserId) -> u8 {
    let digest = Sha256::new()
        .chain_update(SALT)
        .chain_update(tenant.get().to_be_bytes())
        .chain_update(user.get().to_be_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // Below 100 by construction.
    u8::try_from(u64::from_be_bytes(first) % 100).unwrap_or(0)
}

/// Whether (and why) `user`, of `role`, has the bridge under `rollout`.
pub fn admits(rollout: Rollout, tenant: TenantId, user: UserId, role: Role) -> Option<Admission> {
    match rollout {
        Rollout::Everyone => Some(Admission::Everyone),
        Rollout::Role(wanted) => (wanted == role).then_some(Admission::Role(role)),
        Rollout::Percent(percent) => {
            let bucket = bucket(tenant, user);
            (bucket < percent).then_some(Admission::Bucket { bucket, percent })
        }
    }
}

/// The people who have the bridge: how many, and the first `limit` of them
/// by id, each with the reason.
pub struct Holders {
    pub count: u64,
    /// Everyone in the tenant, in or out.
    pub users: u64,
    pub first: Vec<(User, Admission)>,
}

/// Who has the bridge at this tenant, under `rollout`.
pub async fn holders(
    db: &Scope,
    rollout: Rollout,
    tenant: TenantId,
    limit: usize,
) -> Result<Holders, sqlx::Error> {
    let everyone = crate::accounts::users::list(db).await?;
    let mut holders = Holders {
        count: 0,
        users: u64::try_from(everyone.len()).unwrap_or(u64::MAX),
        first: Vec::new(),
    };
    for user in everyone {
        if let Some(admission) = admits(rollout, tenant, user.id, user.role) {
            holders.count += 1;
            if holders.first.len() < limit {
                holders.first.push((user, admission));
            }
        }
    }
    Ok(holders)
}

/// Whose devices to look at.
#[derive(Debug, Clone, Copy)]
pub enum Whose {
    Everyone,
    /// One person (their role changed).
    User(UserId),
}

/// Revokes the live devices of everyone `rollout` leaves out (among
/// `whose`), recording why; returns how many.
pub async fn revoke_departed(
    db: &Scope,
    announce: Announce<'_>,
    clock: &Clock,
    rollout: Rollout,
    whose: Whose,
) -> Result<u64, sqlx::Error> {
    if rollout == Rollout::Everyone {
        return Ok(0);
    }
    let families = db.table(BridgeFamilies::Table);
    let users = db.table(Users::Table);
    let mut query = Query::select()
        .column((BridgeFamilies::Table, BridgeFamilies::Id))
        .column((BridgeFamilies::Table, BridgeFamilies::UserId))
        .column((Users::Table, Users::Role))
        .from(families)
        .inner_join(
            users,
            Expr::col((Users::Table, Users::Id))
                .equals((BridgeFamilies::Table, BridgeFamilies::UserId)),
        )
        .and_where(Expr::col((BridgeFamilies::Table, BridgeFamilies::RevokedAt)).is_null())
        .and_where(Expr::col((BridgeFamilies::Table, BridgeFamilies::ExpiresAt)).gt(clock.unix()))
        .order_by((BridgeFamilies::Table, BridgeFamilies::Id), Order::Asc)
        .to_owned();
    if let Whose::User(user) = whose {
        query.and_where(Expr::col((BridgeFamilies::Table, BridgeFamilies::UserId)).eq(user.get()));
    }
    let live: Vec<(String, i64, String)> = db.fetch_all(&query).await?;
    let mut revoked = 0;
    for (family, user, role) in live {
        let Some(role) = Role::from_name(&role) else {
            continue;
        };
        if admits(rollout, announce.tenant, UserId::new(user), role).is_none() {
            let family = FamilyId(family);
            match devices::revoke(db, announce, clock, &family, LEFT_THE_ROLLOUT, None).await {
                Ok(()) => revoked += 1,
                Err(BridgeError::Database(e)) => return Err(e),
                Err(BridgeError::Invalid) => {}
            }
        }
    }
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_the_percentage_keeps_everyone_who_had_it() {
        let tenant = TenantId::new(7);
        let ids: Vec<UserId> = (1..=2000).map(UserId::new).collect();
        let mut before: Vec<UserId> = Vec::new();
        for percent in [0u8, 10, 25, 50, 90, 100] {
            let now: Vec<UserId> = ids
                .iter()
                .copied()
                .filter(|u| admits(Rollout::Percent(percent), tenant, *u, Role::Member).is_some())
                .collect();
            assert!(before.iter().all(|u| now.contains(u)), "{percent}%");
            let share = now.len() * 100 / ids.len();
            assert!(
                share.abs_diff(usize::from(percent)) <= 3,
                "{percent}%: {share}%"
            );
            before = now;
        }
        assert_eq!(before.len(), ids.len(), "100% is everyone");
    }

    #[test]
    fn buckets_differ_between_tenants() {
        let same = (1..=200)
            .map(UserId::new)
            .filter(|u| bucket(TenantId::new(1), *u) == bucket(TenantId::new(2), *u))
            .count();
        assert!(same < 20, "{same} of 200 share a bucket");
    }

    #[test]
    fn a_role_rollout_admits_that_role_only() {
        let (t, u) = (TenantId::new(1), UserId::new(1));
        let admins = Rollout::Role(Role::Admin);
        assert_eq!(
            admits(admins, t, u, Role::Admin),
            Some(Admission::Role(Role::Admin))
        );
        assert_eq!(admits(admins, t, u, Role::Member), None);
        assert_eq!(
            admits(Rollout::Everyone, t, u, Role::Member),
            Some(Admission::Everyone)
        );
    }
}
