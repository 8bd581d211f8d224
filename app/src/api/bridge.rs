//! `/api/session-bridge/*`, with the source document's paths and shapes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::{GetUrl, JsonEncoding},
    error::{FromServerFnError, ServerFnErrorErr},
};

use super::encoding::{JsonOrForm, Posted};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreResponse {
    pub success: bool,
    pub message: String,
    pub new_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResponse {
    pub authenticated: bool,
    pub user_id: Option<i64>,
    pub has_token: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshResponse {
    pub success: bool,
    pub token: String,
}

/// One of the signed-in user's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The device of this very session.
    pub current: bool,
}

/// Why a bridge call failed; the client forgets its token only on `Invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    Invalid,
    RateLimited,
    Unauthenticated,
    Disabled,
    BadRequest,
    Forbidden,
    Unavailable,
}

impl FailureReason {
    pub fn status(self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            FailureReason::Invalid | FailureReason::Unauthenticated => S::UNAUTHORIZED,
            FailureReason::RateLimited => S::TOO_MANY_REQUESTS,
            FailureReason::Disabled => S::NOT_FOUND,
            FailureReason::BadRequest => S::BAD_REQUEST,
            FailureReason::Forbidden => S::FORBIDDEN,
            FailureReason::Unavailable => S::SERVICE_UNAVAILABLE,
        }
    }
}

/// The failure body: `{"success": false, "message": ..., "reason": ...}`
/// (the source document's shape plus a machine-readable reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct BridgeFailure {
    pub success: bool,
    pub message: String,
    pub reason: FailureReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl BridgeFailure {
    pub fn new(reason: FailureReason, message: impl Into<String>) -> Self {
        Self {
            success: false,
            message: message.into(),
            reason,
            retry_after: None,
        }
    }

    pub fn invalid() -> Self {
        Self::new(FailureReason::Invalid, "Invalid or expired session token")
    }
}

impl FromServerFnError for BridgeFailure {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::MissingArg(m) => {
                Self::new(FailureReason::BadRequest, format!("malformed request: {m}"))
            }
            other => Self::new(FailureReason::Unavailable, other.to_string()),
        }
    }

    /// Where the failure meets the response: its status and Retry-After.
    fn ser(&self) -> bytes::Bytes {
        #[cfg(feature = "ssr")]
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(self.reason.status());
            if let Some(seconds) = self.retry_after {
                options.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
        bytes::Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}

#[server(prefix = "/api", endpoint = "session-bridge/restore", input = JsonOrForm, custom = Posted)]
pub async fn restore(token: String) -> Result<RestoreResponse, BridgeFailure> {
    crate::server::bridge::restore(token).await
}

#[server(prefix = "/api", endpoint = "session-bridge/check", input = JsonOrForm, custom = Posted)]
pub async fn check() -> Result<CheckResponse, BridgeFailure> {
    crate::server::bridge::check().await
}

/// Rotates this device's token. The client sends the token it holds, so two
/// tabs refreshing at once both end up with the same valid successor.
#[server(prefix = "/api", endpoint = "session-bridge/refresh", input = JsonOrForm, custom = Posted)]
pub async fn refresh(token: Option<String>) -> Result<RefreshResponse, BridgeFailure> {
    crate::server::bridge::refresh(token).await
}

#[server(prefix = "/api", endpoint = "session-bridge/devices", input = GetUrl)]
pub async fn devices() -> Result<Vec<DeviceView>, BridgeFailure> {
    crate::server::bridge::devices().await
}

#[server(prefix = "/api", endpoint = "session-bridge/devices/revoke", input = JsonOrForm, custom = Posted)]
pub async fn revoke_device(device_id: String) -> Result<Vec<DeviceView>, BridgeFailure> {
    crate::server::bridge::revoke_device(device_id).await
}
