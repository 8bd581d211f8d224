//! Storage: the central database and the per-tenant databases.

pub mod central;
pub mod sqlite;
pub mod tenant_pools;

pub use central::CentralDb;
pub use tenant_pools::TenantPools;

/// The storage error type, re-exported so callers need no sqlx dependency.
pub use sqlx::Error as DbError;
