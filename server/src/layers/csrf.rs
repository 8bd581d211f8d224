//! Cross-site request forgery protection for every state-changing request.
//!
//! Browsers say where a request comes from: `Sec-Fetch-Site` (all current
//! browsers) or at least `Origin` (every cross-origin POST). A request is
//! accepted when it comes from the very origin it is sent to; a sibling
//! tenant subdomain is "same-site" but not same-origin, and is refused. A
//! request with neither header was not made by a browser on behalf of
//! another site, so there is nothing to forge. Nothing here depends on a
//! token in the session, so switching tenants in several tabs can never
//! invalidate a form (the "419 page expired" failure of the seed).

use axum::{
    extract::Request,
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::Response,
};
use tessera_app::error::ApiError;

use super::reply;

pub async fn check_origin(req: Request, next: Next) -> Response {
    match verdict(req.method(), req.headers()) {
        Ok(()) => next.run(req).await,
        Err(error) => {
            tracing::warn!(path = %req.uri().path(), "refused a cross-origin request");
            reply::error(req.uri().path(), req.headers(), error)
        }
    }
}

fn verdict(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let text = |name| headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
    let refused = || ApiError::Forbidden("cross-origin request refused: submit this from the workspace's own pages".into());
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(refused()),
        };
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else { return Ok(()) };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'));
    match (origin_host, text(header::HOST.as_str())) {
        (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, axum::http::HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn safe_methods_pass() {
        assert!(verdict(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")])).is_ok());
    }

    #[test]
    fn same_origin_passes_and_anything_else_is_refused() {
        let host = ("host", "acme.localhost:3000");
        assert!(verdict(&Method::POST, &headers(&[host, ("sec-fetch-site", "same-origin")])).is_ok());
        assert!(verdict(&Method::POST, &headers(&[host, ("sec-fetch-site", "same-site")])).is_err());
        assert!(verdict(&Method::POST, &headers(&[host, ("sec-fetch-site", "cross-site")])).is_err());
        assert!(verdict(&Method::POST, &headers(&[host, ("origin", "http://acme.localhost:3000")])).is_ok());
        assert!(verdict(&Method::POST, &headers(&[host, ("origin", "http://globex.localhost:3000")])).is_err());
        assert!(verdict(&Method::POST, &headers(&[host, ("origin", "null")])).is_err());
        assert!(verdict(&Method::POST, &headers(&[host])).is_ok(), "non-browser clients");
    }
}
