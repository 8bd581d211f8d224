//! Lets plain HTML forms use the JSON API: a url-encoded POST to `/api/...`
//! (a form submitted before hydration or without JavaScript) is re-encoded
//! as the equivalent JSON object of strings before the server function
//! decodes it.

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

pub async fn form_to_json(req: Request, next: Next) -> Response {
    let is_form = req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let json = match to_bytes(body, MAX_FORM_BYTES).await {
        Err(_) => Err(ApiError::PayloadTooLarge("the form is too large".into())),
        Ok(bytes) => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("malformed form: {e}")))
            .and_then(|fields| {
                let object: serde_json::Map<_, _> =
                    fields.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
                serde_json::to_vec(&object).map_err(|_| ApiError::internal())
            }),
    };
    match json {
        Ok(json) => {
            parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            parts.headers.remove(header::CONTENT_LENGTH);
            next.run(Request::from_parts(parts, Body::from(json))).await
        }
        Err(error) => reply::error(parts.uri.path(), &parts.headers, error),
    }
}
