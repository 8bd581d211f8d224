//! Who a request is for: slugs, hosts, the tenant directory.

pub mod directory;
pub mod host;
pub mod slug;
pub mod tenant;

pub use directory::{Directory, DirectoryError, SettingsChange, TenantHandle};
pub use host::{CentralDomain, HostError, HostTarget};
pub use slug::{Slug, SlugError};
pub use tenant::{Tenant, TenantId};

/// The site a request addresses, resolved from its Host by the tenancy layer
/// and carried in the request's extensions.
#[derive(Debug, Clone)]
pub enum Site {
    Central,
    Tenant(std::sync::Arc<TenantHandle>),
}
