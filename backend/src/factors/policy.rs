//! Who has a second factor, and who must.

use super::{passkeys, totp};
use crate::{
    accounts::{Role, UserId},
    db::Scope,
    settings::SecondFactorRule,
};

/// Which second factors a person has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enrolled {
    pub totp: bool,
    pub passkeys: bool,
}

impl Enrolled {
    pub fn any(self) -> bool {
        self.totp || self.passkeys
    }
}

/// Which second factors `user` has: TOTP (confirmed), passkeys.
pub async fn enrolled(db: &Scope, user: UserId) -> Result<Enrolled, sqlx::Error> {
    Ok(Enrolled {
        totp: totp::is_enrolled(db, user).await?,
        passkeys: passkeys::has_any(db, user).await?,
    })
}

/// Whether a workspace's `signin.second_factor` asks someone of `role` to
/// have a second factor.
pub fn required(rule: SecondFactorRule, role: Role) -> bool {
    match rule {
        SecondFactorRule::Optional => false,
        SecondFactorRule::Admins => role == Role::Admin,
        SecondFactorRule::Everyone => true,
    }
}
