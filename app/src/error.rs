//! The one error type every API endpoint answers with, and the one place its
//! variants become HTTP statuses.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// Serialised as `{"error": "unauthorized", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Request headers (cookies, mostly) beyond what any browser sends.
    #[error("{0}")]
    HeadersTooLarge(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            ApiError::BadRequest(_) => S::BAD_REQUEST,
            ApiError::Unauthorized(_) => S::UNAUTHORIZED,
            ApiError::Forbidden(_) => S::FORBIDDEN,
            ApiError::NotFound(_) => S::NOT_FOUND,
            ApiError::Conflict(_) => S::CONFLICT,
            ApiError::PayloadTooLarge(_) => S::PAYLOAD_TOO_LARGE,
            ApiError::HeadersTooLarge(_) => S::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::Unavailable(_) => S::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// A message safe to show to the user.
    pub fn message(&self) -> &str {
        match self {
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::PayloadTooLarge(m)
            | ApiError::HeadersTooLarge(m)
            | ApiError::Unavailable(m)
            | ApiError::Internal(m) => m,
        }
    }

    pub fn internal() -> Self {
        ApiError::Internal("something went wrong on our side; please try again".into())
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                ApiError::BadRequest(format!("malformed request: {m}"))
            }
            // On the server a Request error is a body that could not be read;
            // in the browser it is a network failure.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(m) => ApiError::BadRequest(format!("could not read the request: {m}")),
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(m) => ApiError::Unavailable(format!("could not reach the server: {m}")),
            ServerFnErrorErr::Response(m) => ApiError::Unavailable(format!("could not reach the server: {m}")),
            ServerFnErrorErr::MissingArg(m) => ApiError::BadRequest(format!("missing field: {m}")),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                ApiError::internal()
            }
        }
    }

    /// Encoding happens inside the server function's response scope, so this
    /// is where the error's status (or a form's redirect) reaches the response.
    fn ser(&self) -> bytes::Bytes {
        #[cfg(feature = "ssr")]
        crate::server::navigation::on_error(self);
        bytes::Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}
