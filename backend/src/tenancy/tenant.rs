//! A tenant as recorded in the central database.

use std::fmt;

use super::slug::Slug;

/// The central database's id for a tenant. Never reused: a tenant deleted and
/// created again under the same slug gets a new id, so old cookies die with it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct TenantId(i64);

impl TenantId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: Slug,
    pub name: String,
    pub created_at: i64,
}

/// A tenant's display name: trimmed, 1–100 characters.
pub fn validate_name(input: &str) -> Result<String, NameError> {
    let name = input.trim();
    match name.chars().count() {
        0 => Err(NameError::Empty),
        1..=100 => Ok(name.to_owned()),
        _ => Err(NameError::TooLong),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name cannot be empty")]
    Empty,
    #[error("the name can be at most 100 characters long")]
    TooLong,
}
