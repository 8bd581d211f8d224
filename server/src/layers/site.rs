//! First layer of every request: which site (central or which tenant) its
//! Host addresses. Unknown tenants get a 404 page, bad Hosts a 400.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::Response,
};
use tessera_app::error::ApiError;
use tessera_backend::{
    tenancy::{HostTarget, Site},
    Platform,
};

use super::reply;

/// Browsers keep a site's cookies to about 4 KiB each and send a few; a
/// Cookie header far beyond that is junk or an attack on whatever parses it.
const MAX_COOKIE_BYTES: usize = 16 * 1024;

pub async fn resolve_site(
    State(platform): State<Arc<Platform>>,
    mut req: Request,
    next: Next,
) -> Response {
    let cookie_bytes: usize = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .map(|v| v.len())
        .sum();
    if cookie_bytes > MAX_COOKIE_BYTES {
        let error = ApiError::HeadersTooLarge(
            "too many or too large cookies; clear this site's cookies and try again".into(),
        );
        return reply::error(req.uri().path(), req.headers(), error);
    }
    let host = host_of(&req);
    let site = match find_site(&platform, host).await {
        Ok(site) => site,
        Err(error) => return reply::error(req.uri().path(), req.headers(), error),
    };
    req.extensions_mut().insert(site);
    req.extensions_mut().insert(platform);
    next.run(req).await
}

/// The Host header, or the URI's authority (HTTP/2); an undecodable header
/// is passed on as an empty string, which resolves as malformed.
fn host_of(req: &Request) -> Option<String> {
    match req.headers().get(header::HOST) {
        Some(value) => Some(value.to_str().unwrap_or_default().to_owned()),
        None => req.uri().authority().map(|a| a.as_str().to_owned()),
    }
}

async fn find_site(platform: &Platform, host: Option<String>) -> Result<Site, ApiError> {
    match platform.config.domain.resolve(host.as_deref())? {
        HostTarget::Central => Ok(Site::Central),
        HostTarget::Tenant(slug) => match platform.directory.resolve(&slug).await? {
            Some(handle) => Ok(Site::Tenant(handle)),
            None => Err(ApiError::NotFound(format!(
                "There is no workspace called \"{slug}\" here."
            ))),
        },
    }
}
