//! The one thing a signed-in session holds: a typed record under one key.

use serde::{Deserialize, Serialize};

use super::assurance::Assurance;
use crate::{accounts::UserId, bridge::FamilyId, tenancy::TenantId};

/// The key the record lives under in the session's data.
pub const KEY: &str = "auth";
/// The key a sign-in waiting for its second factor lives under.
pub const PENDING_KEY: &str = "pending";

/// The key recovery codes just made wait under until their page shows
/// them, once.
pub const CODES_KEY: &str = "recovery_codes";

/// How long recovery codes wait for their page.
pub const CODES_SECS: i64 = 10 * 60;

/// Recovery codes just made, waiting for the page that shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptCodes {
    pub codes: Vec<String>,
    pub at: i64,
}

/// The key a passkey ceremony's first half waits under for its second
/// (taken out by the second: single-use).
pub const CEREMONY_KEY: &str = "passkey_ceremony";

/// How long a sign-in may wait for its second factor.
pub const PENDING_SECS: i64 = 10 * 60;

/// Who is signed in, for which tenant, on which bridge device, since when
/// and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The tenant the session was made for (checked on every read).
    pub tenant: TenantId,
    pub user: UserId,
    /// The bridge device family whose revocation ends this session.
    pub family: Option<FamilyId>,
    pub created_at: i64,
    pub seen_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// How the person proved who they are (sessions from before assurance
    /// was recorded read as none: one factor, nothing recent).
    #[serde(default)]
    pub assurance: Assurance,
}

/// What a pending sign-in waits for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Awaits {
    /// The person's second factor.
    #[default]
    Factor,
    /// A second factor set up: the workspace asks this person for one
    /// (`signin.second_factor`) and they have none yet.
    Enrolment,
}

/// A sign-in that has passed its first step (a password, a bridge token)
/// and waits for a second factor. It signs nobody in: every endpoint but
/// the second factor's and sign-out answers as for a visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub tenant: TenantId,
    pub user: UserId,
    /// The bridge device a restore was presented for (its token is left as
    /// it was; the device is replaced once the factor is presented).
    pub family: Option<FamilyId>,
    /// The proofs so far.
    pub assurance: Assurance,
    pub started_at: i64,
    #[serde(default)]
    pub awaits: Awaits,
}

impl PendingSignIn {
    pub fn is_live(&self, now: i64) -> bool {
        now - self.started_at < PENDING_SECS
    }
}

impl SessionRecord {
    /// The record in a stored session's data, if it holds one.
    pub fn in_data(data: &std::collections::HashMap<String, serde_json::Value>) -> Option<Self> {
        serde_json::from_value(data.get(KEY)?.clone()).ok()
    }
}
