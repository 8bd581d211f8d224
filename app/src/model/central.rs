//! The central admin's tenant list.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: i64,
}
