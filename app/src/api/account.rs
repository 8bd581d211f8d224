//! `/api/account/*`: a signed-in user's own sessions and bridge devices
//! (the Security page).

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::encoding::{JsonOrForm, Posted};
use crate::{
    error::ApiError,
    model::account::{
        FactorChanged, PasskeyView, PasswordChanged, RecoveryCodesView, SecurityView, TotpEnrolment,
    },
};

#[server(prefix = "/api", endpoint = "account/security", input = GetUrl)]
pub async fn my_security() -> Result<SecurityView, ApiError> {
    crate::server::account::security().await
}

/// Ends another session of one's own (this one ends with signing out).
#[server(prefix = "/api", endpoint = "account/sessions/revoke", input = JsonOrForm, custom = Posted)]
pub async fn revoke_my_session(handle: String) -> Result<SecurityView, ApiError> {
    crate::server::account::revoke_session(handle).await
}

/// Revokes another bridge device of one's own: its token stops working and
/// its sessions end.
#[server(prefix = "/api", endpoint = "account/devices/revoke", input = JsonOrForm, custom = Posted)]
pub async fn revoke_my_device(device_id: String) -> Result<SecurityView, ApiError> {
    crate::server::account::revoke_device(device_id).await
}

/// Ends every other session of one's own and revokes every other device.
#[server(prefix = "/api", endpoint = "account/sign-out-others", input = JsonOrForm, custom = Posted)]
pub async fn sign_out_others() -> Result<SecurityView, ApiError> {
    crate::server::account::sign_out_others().await
}

/// Starts setting up TOTP (the password again first); confirmed by `totp/confirm`.
#[server(prefix = "/api", endpoint = "account/totp/enrol", input = JsonOrForm, custom = Posted)]
pub async fn totp_enrol(password: String) -> Result<TotpEnrolment, ApiError> {
    crate::server::second_factor::enrol(password).await
}

/// Turns TOTP on with a code from the app; answers the recovery codes.
#[server(prefix = "/api", endpoint = "account/totp/confirm", input = JsonOrForm, custom = Posted)]
pub async fn totp_confirm(code: String) -> Result<RecoveryCodesView, ApiError> {
    crate::server::second_factor::confirm(code).await
}

/// Turns TOTP off with a code (or a recovery code).
#[server(prefix = "/api", endpoint = "account/totp/disable", input = JsonOrForm, custom = Posted)]
pub async fn totp_disable(code: String) -> Result<FactorChanged, ApiError> {
    crate::server::second_factor::disable(code).await
}

/// A new set of recovery codes (with a code); the old set stops working.
#[server(prefix = "/api", endpoint = "account/recovery-codes", input = JsonOrForm, custom = Posted)]
pub async fn recovery_codes(code: String) -> Result<RecoveryCodesView, ApiError> {
    crate::server::second_factor::regenerate_codes(code).await
}

/// Changes one's password (the current one first; a privileged action).
/// Every other session and bridge device of the person ends.
#[server(prefix = "/api", endpoint = "account/password", input = JsonOrForm, custom = Posted)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<PasswordChanged, ApiError> {
    crate::server::password::change(current_password, new_password).await
}

/// The recovery codes just made, for the page that shows them once (read
/// on the server as the page renders; no endpoint serves them again).
pub async fn fresh_recovery_codes() -> Result<Vec<String>, ApiError> {
    #[cfg(feature = "ssr")]
    return crate::server::second_factor::fresh_recovery_codes().await;
    #[cfg(not(feature = "ssr"))]
    Err(ApiError::internal())
}

/// One's passkeys, the newest first.
#[server(prefix = "/api", endpoint = "account/passkeys", input = GetUrl)]
pub async fn my_passkeys() -> Result<Vec<PasskeyView>, ApiError> {
    crate::server::passkeys::list().await
}

/// Starts registering a passkey named `name` (a privileged action): the
/// options for `navigator.credentials.create` (`{publicKey: {...}}`, in the
/// WebAuthn JSON form `PublicKeyCredential.parseCreationOptionsFromJSON`
/// reads).
#[server(prefix = "/api", endpoint = "account/passkeys/register/start", input = JsonOrForm, custom = Posted)]
pub async fn passkey_register_start(name: String) -> Result<serde_json::Value, ApiError> {
    crate::server::passkeys::start_registration(name).await
}

/// Finishes it with the browser's `credential.toJSON()`: the passkeys now.
#[server(prefix = "/api", endpoint = "account/passkeys/register/finish", input = JsonOrForm, custom = Posted)]
pub async fn passkey_register_finish(
    credential: serde_json::Value,
) -> Result<Vec<PasskeyView>, ApiError> {
    crate::server::passkeys::finish_registration(credential).await
}

/// Removes one of one's passkeys (a privileged action).
#[server(prefix = "/api", endpoint = "account/passkeys/remove", input = JsonOrForm, custom = Posted)]
pub async fn passkey_remove(id: String) -> Result<Vec<PasskeyView>, ApiError> {
    crate::server::passkeys::remove(id).await
}
