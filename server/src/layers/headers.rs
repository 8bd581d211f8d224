//! Security headers on every response. Pages carry their own nonce-based
//! Content-Security-Policy (see `tessera_app::server::security`); anything
//! else (JSON, error pages, files) gets a policy that runs no script at all.
//! Everything but files is personal (pages, JSON) and never cached; over
//! https, browsers are told to keep to https (HSTS).

use axum::{
    http::{header, HeaderValue},
    response::Response,
};

const FALLBACK_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A year, for the central domain and every tenant under it.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Paths served as files, outside the tenant and session (see `startup`).
pub fn is_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

pub fn secure(response: &mut Response, https: bool, file: bool) {
    let headers = response.headers_mut();
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if !file {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Tenants are separate origins: none learns another's URLs from Referer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // frame-ancestors for current browsers, this for older ones.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(FALLBACK_POLICY),
        );
    }
}
