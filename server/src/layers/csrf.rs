//! Cross-site request forgery protection for every state-changing request.
//!
//! Browsers say where a request comes from: `Sec-Fetch-Site` (all current
//! browsers) or at least `Origin` (every cross-origin POST). A request is
//! accepted when it comes from the very origin it is sent to — scheme, host
//! and port; a sibling tenant subdomain is "same-site" but not same-origin,
//! and is refused. A request carrying cookies must say where it comes from:
//! a browser always does, so a cookie-bearing POST with neither header is
//! not one we can vouch for. Without cookies there is no ambient authority
//! to abuse (curl, server-to-server). Nothing here depends on a token in the
//! session, so switching tenants in several tabs can never invalidate a form
//! (the "419 page expired" failure of the seed).

use axum::{
    extract::Request,
    http::{header, HeaderMap, Method},
};
use tessera_app::error::ApiError;

pub fn check(req: &Request, https: bool) -> Result<(), ApiError> {
    verdict(req.method(), req.headers(), https).inspect_err(|_| {
        tracing::warn!(path = %req.uri().path(), "refused a cross-origin request");
    })
}

/// Whether a request with these headers may change anything: a safe method,
/// or a request from this very origin (see the module's notes).
pub fn verdict(method: &Method, headers: &HeaderMap, https: bool) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    let refused = || {
        ApiError::Forbidden(
            "cross-origin request refused: submit this from the workspace's own pages".into(),
        )
    };
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(refused()),
        };
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return if headers.contains_key(header::COOKIE) {
            Err(refused())
        } else {
            Ok(())
        };
    };
    let scheme = if https { "https" } else { "http" };
    match text(header::HOST.as_str()) {
        Some(host) if origin.eq_ignore_ascii_case(&format!("{scheme}://{host}")) => Ok(()),
        _ => Err(refused()),
    }
}
