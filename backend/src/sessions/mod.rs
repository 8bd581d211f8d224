//! Tenant sessions: the cookie, the store, the typed session.

pub mod assurance;
pub mod auth;
pub mod cache;
pub mod cookie;
pub mod principal;
pub mod record;
pub mod seal;
pub mod stores;
pub mod totals;

pub use assurance::{Assurance, Level, Method};
pub use auth::{AuthSession, SessionError, SessionSummary};
pub use cache::SessionCache;
pub use cookie::{cookie_pairs, CookieSpec};
pub use principal::{Principal, PrincipalSlot};
pub use record::{Awaits, PendingSignIn, SessionRecord};
pub use seal::Unsealed;
pub use stores::{MissingTable, StoredId, TenantStore};
