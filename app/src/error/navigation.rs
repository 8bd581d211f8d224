//! Where the browser goes after a server function, with or without JavaScript.
//!
//! The hydrated UI calls server functions with `fetch` and follows the
//! redirect hint itself. A plain form post (before hydration, or without
//! JavaScript) needs a real redirect: on success to the next page, on
//! failure back to the form's page with the message in `?error=` and the
//! function that refused in `?form=` (the page shows it at that form only).

use http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::{use_context, with_context};
use leptos_axum::ResponseOptions;

use super::{sent_back::SentBack, ApiError};

pub fn after_success(path: &str) {
    leptos_axum::redirect(path);
}

/// On success, back to the page the form is on, for a form whose next step
/// that page shows.
pub fn after_success_back() {
    after_success(referring_path().as_deref().unwrap_or("/"));
}

/// As `after_success_back`, but from `page` on to `instead`.
pub fn after_success_back_except(page: &str, instead: &str) {
    match referring_path() {
        Some(path) if path != page => after_success(&path),
        _ => after_success(instead),
    }
}

fn referring_path() -> Option<String> {
    with_context::<Parts, _>(|parts| {
        let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
        Some(referer_path(referer).to_owned())
    })
    .flatten()
}

fn accepts_html(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Whether this server function call is a plain form post (answered with a
/// redirect, its body never read by a script).
pub fn is_plain_form_post() -> bool {
    with_context::<Parts, _>(accepts_html).unwrap_or(false)
}

/// Puts an error on the response: its status for API clients, or a redirect
/// back to the form for a plain form post.
pub fn on_error(error: &ApiError) {
    let Some(options) = use_context::<ResponseOptions>() else {
        return;
    };
    let back = with_context::<Parts, _>(|parts| {
        let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
        accepts_html(parts)
            .then(|| form_location(referer, parts.uri.path(), error))
            .flatten()
    })
    .flatten();
    match back {
        Some(location) => {
            options.set_status(StatusCode::FOUND);
            options.insert_header(header::LOCATION, location);
        }
        None => with_status(&options, error.status(), error.retry_after()),
    }
}

/// An answer's status, and how long to wait before trying again.
pub fn set_status(status: StatusCode, retry_after: Option<u64>) {
    if let Some(options) = use_context::<ResponseOptions>() {
        with_status(&options, status, retry_after);
    }
}

fn with_status(options: &ResponseOptions, status: StatusCode, retry_after: Option<u64>) {
    options.set_status(status);
    if let Some(secs) = retry_after {
        options.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
    }
}

/// The referring page's path with `?error=<message>&form=<function>`; only
/// the path is kept, so the redirect cannot leave the site.
fn form_location(referer: &str, function: &str, error: &ApiError) -> Option<HeaderValue> {
    let path = referer_path(referer);
    let mut query = vec![("error", SentBack::of(error).code()), ("form", function)];
    // A refused setting is named `<key>: <why>`.
    if let Some(field) = refused_setting(error) {
        query.push(("field", field));
    }
    let query = serde_urlencoded::to_string(query).ok()?;
    HeaderValue::from_str(&format!("{path}?{query}")).ok()
}

/// The referring page's path alone, never one browsers would read as
/// another host (`//evil.example`, `/\evil.example`: `/` instead).
fn referer_path(referer: &str) -> &str {
    let after_scheme = referer.split_once("://").map_or(referer, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.starts_with("//") || path.starts_with("/\\") {
        "/"
    } else {
        path
    }
}

/// The setting a refusal names, if it names one.
fn refused_setting(error: &ApiError) -> Option<&str> {
    let ApiError::BadRequest(message) = error else {
        return None;
    };
    let (key, _) = message.split_once(':')?;
    key.bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
        .then_some(key)
        .filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_location_keeps_only_the_path() {
        let e = ApiError::Unauthorized("invalid email or password".into());
        let loc = |r| {
            form_location(r, "/api/auth/login", &e)
                .map(|v| v.to_str().unwrap_or_default().to_owned())
        };
        let query = "error=wrong_credentials&form=%2Fapi%2Fauth%2Flogin";
        assert_eq!(
            loc("http://acme.localhost:3000/login?x=1").as_deref(),
            Some(format!("/login?{query}").as_str())
        );
        assert_eq!(
            loc("http://acme.localhost:3000").as_deref(),
            Some(format!("/?{query}").as_str())
        );
        for hostile in [
            "http://acme.localhost:3000//evil.example/x",
            "http://acme.localhost:3000/\\evil.example/x",
        ] {
            assert_eq!(
                loc(hostile).as_deref(),
                Some(format!("/?{query}").as_str()),
                "{hostile}"
            );
        }
    }

    #[test]
    fn a_refused_setting_is_sent_back_by_code_and_field() {
        let e = ApiError::BadRequest("bridge.rotation_grace: must be 0 to 300 seconds".into());
        let location = form_location(
            "http://acme.localhost/admin",
            "/api/admin/settings/save",
            &e,
        )
        .map(|v| v.to_str().unwrap_or_default().to_owned());
        assert_eq!(
            location.as_deref(),
            Some("/admin?error=bad_request&form=%2Fapi%2Fadmin%2Fsettings%2Fsave&field=bridge.rotation_grace")
        );
        let plain = ApiError::BadRequest("malformed request: x".into());
        assert_eq!(refused_setting(&plain), None);
    }
}
