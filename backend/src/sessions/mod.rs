//! Tenant sessions: settings, the cookie, the store, the typed session.

pub mod auth;
pub mod cache;
pub mod cookie;
pub mod fence;
pub mod principal;
pub mod record;
pub mod seal;
pub mod settings;
pub mod stores;
pub mod totals;

pub use auth::{AuthSession, SessionError, SessionSummary};
pub use cache::{Announce, Change, SessionCache};
pub use cookie::CookieSpec;
pub use fence::Fence;
pub use principal::{Family, Principal, PrincipalSlot};
pub use record::SessionRecord;
pub use seal::Unsealed;
pub use settings::{
    BridgeSettings, Driver, Key, Kind, Overrides, SameSite, SessionSettings, SettingError,
    CROSSING_WARNING,
};
pub use stores::{MissingTable, StoredId, TenantStore};
