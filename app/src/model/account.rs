//! The Security page: one's own sessions and bridge devices.

use serde::{Deserialize, Serialize};

use super::{admin::SessionView, bridge::DeviceView};

/// One's own sessions (this one marked `current`) and bridge devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub sessions: Vec<SessionView>,
    pub devices: Vec<DeviceView>,
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
}

/// The answer to turning a factor off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorChanged {
    pub totp: bool,
}
