//! Request bodies: the server's size limit, and bodies posted to the JSON
//! API normalised so every client can use it: a url-encoded form (submitted
//! before hydration or without JavaScript) becomes the equivalent JSON
//! object of strings (`a[b]=c` nests), and an empty body (a bare
//! `POST /api/auth/logout`) becomes `{}`.

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, HeaderValue, Method},
};
use http_body_util::Limited;
use tessera_app::error::ApiError;

/// Bodies larger than this are refused with 413 before anything reads them.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Forms here are a few short fields.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Refuses a declared length over the limit up front; a body sent without
/// one (chunked) fails with 413 where it is read past the limit.
pub fn limit(req: Request) -> Result<Request, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    Ok(req.map(|body| Body::new(Limited::new(body, MAX_BODY_BYTES))))
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge("the request body is too large".into())
}

pub async fn normalise(req: Request) -> Result<Request, ApiError> {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") {
        return Ok(req);
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
        return Ok(Request::from_parts(parts, Body::from("{}")));
    }
    if !is_form {
        // A declared length was checked against the limit already; a body
        // sent chunked is read here, so one that outgrows the limit is a 413
        // rather than a parse error (`limit` bounds it).
        if headers.contains_key(header::CONTENT_LENGTH) {
            return Ok(req);
        }
        let (parts, body) = req.into_parts();
        let bytes = read_body(body, usize::MAX).await?;
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }
    let (mut parts, body) = req.into_parts();
    let bytes = read_body(body, MAX_FORM_BYTES).await?;
    let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("malformed form: {e}")))?;
    let json = serde_json::to_vec(&nest(fields)).map_err(|_| ApiError::internal())?;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Request::from_parts(parts, Body::from(json)))
}

/// The whole body, at most `limit` bytes: 413 beyond this limit or the
/// server's, 400 when it cannot be read at all.
async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    to_bytes(body, limit).await.map_err(|e| {
        let over_limit = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
            .any(|e| e.is::<http_body_util::LengthLimitError>());
        if over_limit {
            too_large()
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
