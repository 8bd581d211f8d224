//! Request bodies: the server's size limit, enforced before any handler or
//! decoder reads a body. (Forms and JSON are both read by the server
//! functions' own input encoding, `tessera_app::api::encoding`.)

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::header,
};
use http_body_util::Limited;
use tessera_app::error::ApiError;

/// Bodies larger than this are refused with 413 before anything reads them.
const MAX_BODY_BYTES: usize = 256 * 1024;

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

/// A body sent without a declared length (chunked) is read here, so one
/// that outgrows the limit is a 413 rather than whatever its decoder makes
/// of a cut-off body. A declared length was checked against the limit
/// already; such a body passes untouched.
pub async fn buffer_chunked(req: Request) -> Result<Request, ApiError> {
    let headers = req.headers();
    if !headers.contains_key(header::TRANSFER_ENCODING)
        || headers.contains_key(header::CONTENT_LENGTH)
    {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes = read_body(body).await?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The whole body: 413 beyond the server's limit (`limit` bounds the body),
/// 400 when it cannot be read at all.
async fn read_body(body: Body) -> Result<axum::body::Bytes, ApiError> {
    to_bytes(body, usize::MAX).await.map_err(|e| {
        let over_limit = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
            .any(|e| e.is::<http_body_util::LengthLimitError>());
        if over_limit {
            too_large()
        } else {
            ApiError::BadRequest("the request body could not be read".into())
        }
    })
}
