//! Normalises bodies posted to the JSON API so every client can use it:
//! a url-encoded form (submitted before hydration or without JavaScript)
//! becomes the equivalent JSON object of strings (`a[b]=c` nests), and an empty body (a bare
//! `POST /api/auth/logout`) becomes `{}`.

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, HeaderValue, Method},
    middleware::Next,
    response::Response,
};
use tessera_app::error::ApiError;

use super::reply;

/// Forms here are a few short fields.
const MAX_FORM_BYTES: usize = 64 * 1024;

pub async fn normalise(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let is_empty = match headers.get(header::CONTENT_LENGTH) {
        Some(length) => length.as_bytes() == b"0",
        None => !headers.contains_key(header::TRANSFER_ENCODING),
    };
    if is_empty && !is_form {
        let (mut parts, _) = req.into_parts();
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return next.run(Request::from_parts(parts, Body::from("{}"))).await;
    }
    if !is_form {
        return with_whole_body(req, next).await;
    }
    let (mut parts, body) = req.into_parts();
    let json = read_body(body, MAX_FORM_BYTES).await.and_then(|bytes| {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("malformed form: {e}")))
            .and_then(|fields| serde_json::to_vec(&nest(fields)).map_err(|_| ApiError::internal()))
    });
    match json {
        Ok(json) => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            next.run(Request::from_parts(parts, Body::from(json))).await
        }
        Err(error) => reply::error(parts.uri.path(), &parts.headers, error),
    }
}

/// Reads the body here, so one that outgrows the limit (sent chunked, with
/// no Content-Length to refuse up front) is a 413, not a parse error.
async fn with_whole_body(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // The request body limit layer outside bounds it already.
    match read_body(body, usize::MAX).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(error) => reply::error(parts.uri.path(), &parts.headers, error),
    }
}

/// The whole body, at most `limit` bytes: 413 beyond this limit or the
/// server's, 400 when it cannot be read at all.
async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
            .any(|e| e.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError::PayloadTooLarge("the request body is too large".into())
        } else {
            ApiError::BadRequest("the request body could not be read".into())
        }
    })
}

/// Form fields as a JSON object of strings; `outer[inner]=v` becomes
/// `{"outer": {"inner": "v"}}`, as Leptos' own form decoding reads it once
/// hydrated.
fn nest(fields: Vec<(String, String)>) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut object = Map::new();
    for (key, value) in fields {
        let nested = key.strip_suffix(']').and_then(|k| k.split_once('['));
        match nested {
            Some((outer, inner)) if !outer.is_empty() && !inner.contains(['[', ']']) => {
                let slot = object
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = slot {
                    map.insert(inner.to_owned(), Value::String(value));
                }
            }
            _ => {
                object.insert(key, Value::String(value));
            }
        }
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_bracketed_keys_one_level() {
        let fields = vec![
            ("email".to_owned(), "a@b.test".to_owned()),
            ("values[isolation]".to_owned(), "true".to_owned()),
            ("values[cookie.domain]".to_owned(), "".to_owned()),
            ("odd[a][b]".to_owned(), "x".to_owned()),
        ];
        assert_eq!(
            nest(fields),
            serde_json::json!({"email": "a@b.test", "values": {"isolation": "true", "cookie.domain": ""}, "odd[a][b]": "x"})
        );
    }
}
