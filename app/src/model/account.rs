//! The Security page: one's own sessions and bridge devices.

use serde::{Deserialize, Serialize};

use super::{admin::SessionView, bridge::DeviceView};

/// One's own sessions (this one marked `current`), bridge devices and
/// second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub sessions: Vec<SessionView>,
    pub devices: Vec<DeviceView>,
    pub two_step: TwoStepView,
    pub passkeys: Vec<PasskeyView>,
}

/// One of one's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    /// The credential id (base64url).
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TotpStatus {
    Off,
    /// Set up, waiting for its first code.
    SettingUp,
    On,
}

/// Where one's TOTP stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepView {
    pub totp: TotpStatus,
    /// While setting up: what the app needs, shown until confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment: Option<TotpEnrolment>,
}

/// `POST /api/account/totp/enrol`: what an authenticator app needs. The
/// factor counts only once confirmed with a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// The secret in base32, to type in by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as a QR code, an inline SVG drawn on the server.
    pub qr_svg: String,
}

/// A new set of ten recovery codes, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodesView {
    pub recovery_codes: Vec<String>,
    /// When this confirmation finished a sign-in that waited for a factor
    /// to be set up: the device's first bridge token, as at sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge_token: Option<String>,
}

/// The answer to changing one's password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChanged {
    pub password_changed: bool,
}

/// The answer to turning a factor off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorChanged {
    pub totp: bool,
}
