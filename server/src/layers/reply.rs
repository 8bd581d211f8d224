//! Answers the layers give on their own (before any handler runs): JSON for
//! API clients, a small HTML page for browsers.

use axum::{
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use tessera_app::error::ApiError;

fn wants_json(path: &str, headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    path.starts_with("/api/")
        || (accept.contains("application/json") && !accept.contains("text/html"))
}

pub fn error(path: &str, headers: &HeaderMap, error: ApiError) -> Response {
    let mut response = body(path, headers, &error);
    if let Some(secs) = error.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

fn body(path: &str, headers: &HeaderMap, error: &ApiError) -> Response {
    let status = error.status();
    if wants_json(path, headers) {
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

fn escape_html(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
