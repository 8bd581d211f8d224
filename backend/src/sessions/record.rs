//! The one thing a signed-in session holds: a typed record under one key.

use serde::{Deserialize, Serialize};

use crate::{accounts::UserId, bridge::FamilyId, tenancy::TenantId};

/// The key the record lives under in the session's data.
pub const KEY: &str = "auth";

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
}

impl SessionRecord {
    /// The record in a stored session's data, if it holds one.
    pub fn in_data(data: &std::collections::HashMap<String, serde_json::Value>) -> Option<Self> {
        serde_json::from_value(data.get(KEY)?.clone()).ok()
    }
}
