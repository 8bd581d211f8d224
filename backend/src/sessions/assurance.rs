//! How a session's person proved who they are: each method and when, and
//! the level that makes (NIST SP 800-63B's AAL, Kratos's `aal1`/`aal2`).

use serde::{Deserialize, Serialize};

/// One way of proving who one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Password,
    Totp,
    RecoveryCode,
    Passkey,
    /// A bridge token: possession of a device that signed in before; it
    /// re-authenticates, never raises the level.
    BridgeRestore,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Password => "password",
            Method::Totp => "totp",
            Method::RecoveryCode => "recovery_code",
            Method::Passkey => "passkey",
            Method::BridgeRestore => "bridge_restore",
        }
    }

    /// A factor that, with a first one, makes two.
    pub fn is_second_factor(self) -> bool {
        matches!(self, Method::Totp | Method::RecoveryCode)
    }
}

/// A method presented at a time (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    pub method: Method,
    pub at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    OneFactor,
    TwoFactors,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::OneFactor => "one_factor",
            Level::TwoFactors => "two_factors",
        }
    }
}

/// Every proof a session rests on, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assurance {
    pub proofs: Vec<Proof>,
}

impl Assurance {
    pub fn of(method: Method, at: i64) -> Self {
        Self {
            proofs: vec![Proof { method, at }],
        }
    }

    #[must_use]
    pub fn and(mut self, method: Method, at: i64) -> Self {
        self.proofs.push(Proof { method, at });
        self
    }

    /// Two factors when a second factor (or a passkey, which is both a
    /// possession and a verified user) was presented.
    pub fn level(&self) -> Level {
        let two = self
            .proofs
            .iter()
            .any(|p| p.method.is_second_factor() || p.method == Method::Passkey);
        if two {
            Level::TwoFactors
        } else {
            Level::OneFactor
        }
    }

    /// When the strongest proof the person can give was last given: a
    /// second factor's (or passkey's) time if `has_second_factor`, else any
    /// authentication's but a bridge restore's. What privileged actions
    /// ask to be recent.
    pub fn last_strong(&self, has_second_factor: bool) -> Option<i64> {
        self.proofs
            .iter()
            .filter(|p| match p.method {
                Method::BridgeRestore => false,
                Method::Password => !has_second_factor,
                Method::Totp | Method::RecoveryCode | Method::Passkey => true,
            })
            .map(|p| p.at)
            .max()
    }

    pub fn methods(&self) -> Vec<Method> {
        self.proofs.iter().map(|p| p.method).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_never_raises_the_level_and_is_never_recent_enough() {
        let restored = Assurance::of(Method::BridgeRestore, 100);
        assert_eq!(restored.level(), Level::OneFactor);
        assert_eq!(restored.last_strong(false), None);
        let stepped_up = restored.and(Method::Totp, 200);
        assert_eq!(stepped_up.level(), Level::TwoFactors);
        assert_eq!(stepped_up.last_strong(true), Some(200));
        let password = Assurance::of(Method::Password, 50);
        assert_eq!(password.last_strong(false), Some(50));
        assert_eq!(
            password.last_strong(true),
            None,
            "a password is not their strongest"
        );
    }
}
