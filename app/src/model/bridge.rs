//! The session bridge's answers, in the source document's shapes, and its
//! failure (its own error type: the client acts on `reason`).

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

use super::{
    accounts::SecondFactorDue,
    admin::{ProofView, SessionView},
};
use crate::error::{ApiError, RetryLater};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreResponse {
    pub success: bool,
    pub message: String,
    /// The successor; null when it went into the bridge cookie, or when
    /// the restore waits for a second factor.
    pub new_token: Option<String>,
    /// Present when the restored sign-in waits for a second factor
    /// (`bridge.step_up`): the session is pending until it is presented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up: Option<SecondFactorDue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResponse {
    pub authenticated: bool,
    pub user_id: Option<i64>,
    pub has_token: bool,
    /// A sign-in on this session (a restore's, or a password's) waits for
    /// its second step (absent otherwise: the source document's shape).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub step_up: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshResponse {
    pub success: bool,
    /// The successor; null when it went into the bridge cookie.
    pub token: Option<String>,
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
    /// The sessions it brought back (restored after theirs was lost), by
    /// handle, as the sessions list names them.
    #[serde(default)]
    pub restored_sessions: Vec<String>,
}

impl DeviceView {
    /// Fills in each device's `restored_sessions` from the user's sessions.
    pub fn link_restored(devices: &mut [DeviceView], sessions: &[SessionView]) {
        for device in devices {
            device.restored_sessions = sessions
                .iter()
                .filter(|s| s.device.as_deref() == Some(device.id.as_str()))
                .filter(|s| s.assurance.methods.contains(&ProofView::BridgeRestore))
                .map(|s| s.handle.clone())
                .collect();
        }
    }
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
    /// The API error a failure of this reason is, so its status comes from
    /// `ApiError::status` like every other answer's.
    pub fn as_api_error(self, message: String) -> ApiError {
        match self {
            FailureReason::Invalid | FailureReason::Unauthenticated => {
                ApiError::Unauthorized(message)
            }
            FailureReason::RateLimited => ApiError::TooManyRequests(RetryLater::new(message, 1)),
            FailureReason::Disabled => ApiError::NotFound(message),
            FailureReason::BadRequest => ApiError::BadRequest(message),
            FailureReason::Forbidden => ApiError::Forbidden(message),
            FailureReason::Unavailable => ApiError::Unavailable(message),
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
        crate::error::navigation::set_status(
            self.reason.as_api_error(String::new()).status(),
            self.retry_after,
        );
        bytes::Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}
