//! A device's token family and what the bridge's operations return.

use crate::accounts::UserId;

use super::token::BridgeToken;

/// One device's token family.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct FamilyId(pub(super) String);

impl FamilyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn from_client(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// The reason a device is revoked when its person leaves the bridge's
/// rollout (`bridge.rollout`). Unlike every other revocation it ends no
/// session: the person stays signed in, without a device.
pub const LEFT_THE_ROLLOUT: &str = "left the bridge rollout";

/// Where a family stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyState {
    Live,
    /// Revoked because its person left the rollout: its sessions live on.
    Withdrawn,
    /// Revoked for any other reason, or gone: its sessions end.
    Revoked,
}

impl FamilyState {
    /// The state of a family that exists, from its revocation columns.
    pub fn of(revoked_at: Option<i64>, reason: Option<&str>) -> Self {
        match (revoked_at, reason) {
            (None, _) => FamilyState::Live,
            (Some(_), Some(LEFT_THE_ROLLOUT)) => FamilyState::Withdrawn,
            (Some(_), _) => FamilyState::Revoked,
        }
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

/// A successful issue, restore or refresh.
#[derive(Debug)]
pub struct Rotated {
    pub user: UserId,
    pub family: FamilyId,
    pub token: BridgeToken,
    /// When the device's family ends (its lifetime from sign-in).
    pub expires_at: i64,
}

/// Whole seconds of a duration, as times are stored.
pub(super) fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}
