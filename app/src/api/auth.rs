//! `/api/auth/*`: the JSON endpoints, which are also the UI's server functions.

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::encoding::{JsonOrForm, Posted};
use crate::error::ApiError;
use crate::model::{
    account::TwoStepView,
    accounts::{MeResponse, SignedIn},
};

#[server(prefix = "/api", endpoint = "auth/register", input = JsonOrForm, custom = Posted)]
pub async fn register(email: String, password: String, name: String) -> Result<SignedIn, ApiError> {
    crate::server::auth::register(email, password, name).await
}

#[server(prefix = "/api", endpoint = "auth/login", input = JsonOrForm, custom = Posted)]
pub async fn login(email: String, password: String) -> Result<SignedIn, ApiError> {
    crate::server::auth::login(email, password).await
}

/// Finishes a sign-in or restore waiting for a second factor (a TOTP code
/// or a recovery code), or presents it again before a privileged action.
#[server(prefix = "/api", endpoint = "auth/second-factor", input = JsonOrForm, custom = Posted)]
pub async fn second_factor(code: String) -> Result<SignedIn, ApiError> {
    crate::server::auth::second_factor(code).await
}

/// The password again, for someone without a second factor whose
/// privileged action answered `step_up_required`.
#[server(prefix = "/api", endpoint = "auth/confirm-password", input = JsonOrForm, custom = Posted)]
pub async fn confirm_password(password: String) -> Result<MeResponse, ApiError> {
    crate::server::auth::confirm_password(password).await
}

/// Where the TOTP of the person setting it up stands: signed in, or a
/// sign-in waiting for its set-up.
#[server(prefix = "/api", endpoint = "auth/two-step", input = GetUrl)]
pub async fn two_step() -> Result<TwoStepView, ApiError> {
    crate::server::second_factor::two_step().await
}

/// Starts a passkey ceremony: for a sign-in waiting for its second factor
/// (or someone signed in confirming it is them) with that person's
/// passkeys, else a sign-in with a passkey alone. The options for
/// `navigator.credentials.get` (`{publicKey: {...}}`, WebAuthn's JSON form).
#[server(prefix = "/api", endpoint = "auth/passkey/start", input = JsonOrForm, custom = Posted)]
pub async fn passkey_start() -> Result<serde_json::Value, ApiError> {
    crate::server::passkeys::start_authentication().await
}

/// Finishes it with the browser's `credential.toJSON()`: the full sign-in
/// answer (as `second-factor`'s); 401 for a passkey that does not verify.
#[server(prefix = "/api", endpoint = "auth/passkey/finish", input = JsonOrForm, custom = Posted)]
pub async fn passkey_finish(credential: serde_json::Value) -> Result<SignedIn, ApiError> {
    crate::server::passkeys::finish_authentication(credential).await
}

#[server(prefix = "/api", endpoint = "auth/logout", input = JsonOrForm, custom = Posted)]
pub async fn logout() -> Result<MeResponse, ApiError> {
    crate::server::auth::logout().await
}

#[server(prefix = "/api", endpoint = "auth/me", input = GetUrl)]
pub async fn me() -> Result<MeResponse, ApiError> {
    crate::server::auth::me().await
}

/// Who is visiting the page being rendered: read by the front door before
/// it renders (pages render only on the server, in islands mode), so a page
/// needs no resource for it.
pub fn this_visitor() -> Result<MeResponse, ApiError> {
    #[cfg(feature = "ssr")]
    return crate::server::auth::page_visitor();
    #[cfg(not(feature = "ssr"))]
    Err(ApiError::internal())
}
