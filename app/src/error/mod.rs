//! The one error type every API endpoint answers with, and the one place its
//! variants become HTTP statuses (the bridge's failures name a variant's
//! kind, `FailureReason::as_api_error`, rather than choosing a status).

#[cfg(feature = "ssr")]
pub mod navigation;
pub mod sent_back;
mod server_fn_error;

use serde::{Deserialize, Serialize};

/// A refusal that passes with time: the body carries only its message, the
/// wait goes in the `Retry-After` header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RetryLater {
    pub message: String,
    pub after_secs: u64,
}

impl RetryLater {
    pub fn new(message: impl Into<String>, after_secs: u64) -> Self {
        Self {
            message: message.into(),
            after_secs: after_secs.max(1),
        }
    }
}

impl Serialize for RetryLater {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.message)
    }
}

impl<'de> Deserialize<'de> for RetryLater {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self {
            message: String::deserialize(deserializer)?,
            after_secs: 0,
        })
    }
}

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
    /// A privileged action without a recent enough second factor (or,
    /// without one, password): present it again, then retry.
    #[error("{0}")]
    StepUpRequired(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Request headers (cookies, mostly) beyond what any browser sends.
    #[error("{0}")]
    HeadersTooLarge(String),
    /// Throttled (sign-in attempts, restores).
    #[error("{0}")]
    TooManyRequests(RetryLater),
    #[error("{0}")]
    Unavailable(String),
    /// Overloaded for a moment (every password-hashing slot busy).
    #[error("{0}")]
    Busy(RetryLater),
    #[error("{0}")]
    Internal(String),
}

/// How the "no such workspace" message begins (a sent-back form names it).
const NO_WORKSPACE: &str = "There is no workspace called ";

impl ApiError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            ApiError::BadRequest(_) => S::BAD_REQUEST,
            ApiError::Unauthorized(_) => S::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::StepUpRequired(_) => S::FORBIDDEN,
            ApiError::NotFound(_) => S::NOT_FOUND,
            ApiError::Conflict(_) => S::CONFLICT,
            ApiError::PayloadTooLarge(_) => S::PAYLOAD_TOO_LARGE,
            ApiError::HeadersTooLarge(_) => S::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::TooManyRequests(_) => S::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::Busy(_) => S::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// A message safe to show to the user.
    pub fn message(&self) -> &str {
        match self {
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::StepUpRequired(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::PayloadTooLarge(m)
            | ApiError::HeadersTooLarge(m)
            | ApiError::Unavailable(m)
            | ApiError::Internal(m) => m,
            ApiError::TooManyRequests(later) | ApiError::Busy(later) => &later.message,
        }
    }

    /// Seconds to send in `Retry-After`, for the refusals that pass with time.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyRequests(later) | ApiError::Busy(later) => Some(later.after_secs),
            _ => None,
        }
    }

    /// A workspace address nobody has (a Host at the front door, or a name
    /// typed on the central site).
    pub fn no_workspace(name: impl std::fmt::Display) -> Self {
        ApiError::NotFound(format!("{NO_WORKSPACE}\"{name}\" here."))
    }

    pub fn internal() -> Self {
        ApiError::Internal("something went wrong on our side; please try again".into())
    }
}
