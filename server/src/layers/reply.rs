//! Answers the layers give on their own (before any handler runs): JSON for
//! API clients, a small HTML page for browsers.

use axum::{
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use tessera_app::error::ApiError;

/// Who an error answer is for, decided from the request before it is handed
/// on (so an answer made after the handler needs none of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The JSON API, or a client that asked for JSON only.
    Json,
    /// A browser.
    Html,
}

impl Audience {
    pub fn of(path: &str, headers: &HeaderMap) -> Self {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if path.starts_with("/api/")
            || (accept.contains("application/json") && !accept.contains("text/html"))
        {
            Self::Json
        } else {
            Self::Html
        }
    }
}

pub fn error(audience: Audience, error: ApiError) -> Response {
    let mut response = body(audience, &error);
    if let Some(secs) = error.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

fn body(audience: Audience, error: &ApiError) -> Response {
    let status = error.status();
    if audience == Audience::Json {
        return (status, Json(error)).into_response();
    }
    let title = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Tessera</title>\
         <link rel=\"stylesheet\" href=\"/pkg/tessera.css\"><link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\"></head><body><main class=\"page\">\
         <section class=\"card\"><h1>{title}</h1><p data-testid=\"error-message\">{message}</p></section>\
         </main></body></html>",
        message = escape_html(error.message()),
    );
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
