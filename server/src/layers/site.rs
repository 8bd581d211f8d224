//! Which site (central or which tenant) a request's Host addresses. Unknown
//! tenants get a 404 page, bad Hosts a 400.

use axum::http::{header, HeaderMap, Uri};
use tessera_app::error::ApiError;
use tessera_backend::{
    tenancy::{HostTarget, Site},
    Platform,
};

/// Browsers keep a site's cookies to about 4 KiB each and send a few; a
/// Cookie header far beyond that is junk or an attack on whatever parses it.
const MAX_COOKIE_BYTES: usize = 16 * 1024;

/// From the request's headers and URI (not the request: its body may not
/// be shared while the tenant is looked up).
pub async fn resolve(
    platform: &Platform,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<Site, ApiError> {
    let cookie_bytes: usize = headers
        .get_all(header::COOKIE)
        .iter()
        .map(|v| v.len())
        .sum();
    if cookie_bytes > MAX_COOKIE_BYTES {
        return Err(ApiError::HeadersTooLarge(
            "too many or too large cookies; clear this site's cookies and try again".into(),
        ));
    }
    match platform.config.domain.resolve(host_of(headers, uri))? {
        HostTarget::Central => Ok(Site::Central),
        HostTarget::Tenant(slug) => match platform.directory.resolve(&slug).await? {
            Some(handle) => Ok(Site::Tenant(handle)),
            None => Err(ApiError::no_workspace(&slug)),
        },
    }
}

/// The Host header, or the URI's authority (HTTP/2); an undecodable header
/// is passed on as an empty string, which resolves as malformed.
fn host_of<'a>(headers: &'a HeaderMap, uri: &'a Uri) -> Option<&'a str> {
    match headers.get(header::HOST) {
        Some(value) => Some(value.to_str().unwrap_or_default()),
        None => uri.authority().map(|a| a.as_str()),
    }
}
