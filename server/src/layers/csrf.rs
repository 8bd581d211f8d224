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

fn verdict(method: &Method, headers: &HeaderMap, https: bool) -> Result<(), ApiError> {
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
        assert!(verdict(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")]),
            false
        )
        .is_ok());
    }

    #[test]
    fn same_origin_passes_and_anything_else_is_refused() {
        let host = ("host", "acme.localhost:3000");
        let post = |pairs: &[(&'static str, &'static str)], https| {
            verdict(&Method::POST, &headers(pairs), https)
        };
        assert!(post(&[host, ("sec-fetch-site", "same-origin")], false).is_ok());
        assert!(post(&[host, ("sec-fetch-site", "same-site")], false).is_err());
        assert!(post(&[host, ("sec-fetch-site", "cross-site")], false).is_err());
        assert!(post(&[host, ("origin", "http://acme.localhost:3000")], false).is_ok());
        assert!(post(&[host, ("origin", "http://globex.localhost:3000")], false).is_err());
        assert!(post(&[host, ("origin", "null")], false).is_err());
        assert!(
            post(&[host], false).is_ok(),
            "no cookies: nothing to forge with"
        );
    }

    #[test]
    fn the_scheme_and_port_are_part_of_the_origin() {
        let host = ("host", "acme.localhost:3000");
        let post = |pairs: &[(&'static str, &'static str)], https| {
            verdict(&Method::POST, &headers(pairs), https)
        };
        assert!(
            post(&[host, ("origin", "http://acme.localhost:3000")], true).is_err(),
            "http page posting to the https site"
        );
        assert!(post(&[host, ("origin", "https://acme.localhost:3000")], true).is_ok());
        assert!(post(&[host, ("origin", "https://acme.localhost:3000")], false).is_err());
        assert!(post(&[host, ("origin", "http://acme.localhost:3001")], false).is_err());
        assert!(
            post(&[host, ("origin", "http://acme.localhost:3000/")], false).is_err(),
            "an Origin is never a URL"
        );
    }

    #[test]
    fn a_cookie_bearing_post_must_say_where_it_comes_from() {
        let (host, cookie) = (
            ("host", "acme.localhost:3000"),
            ("cookie", "tenant_acme_session=x"),
        );
        assert!(verdict(&Method::POST, &headers(&[host, cookie]), false).is_err());
        assert!(verdict(
            &Method::POST,
            &headers(&[host, cookie, ("sec-fetch-site", "same-origin")]),
            false
        )
        .is_ok());
    }
}
