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
}

/// Whole seconds of a duration, as times are stored.
pub(super) fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}
