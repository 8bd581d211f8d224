//! Security headers on every response. Pages carry their own nonce-based
//! Content-Security-Policy (see `tessera_app::server::security`); anything
//! else (JSON, error pages, files) gets a policy that runs no script at all.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

const FALLBACK_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Tenants are separate origins: none learns another's URLs from Referer.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // frame-ancestors for current browsers, this for older ones.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FALLBACK_POLICY));
    }
    response
}
