//! Changing one's password: with the current one, and a recent second
//! factor for whoever has one (a privileged action). Every other session
//! and bridge device of the person ends (ASVS 7.4.3), and it is audited.

use tessera_backend::accounts::users;

use super::{admin_sessions, auth, guard};
use crate::{error::ApiError, model::account::PasswordChanged};

pub async fn change(
    current_password: String,
    new_password: String,
) -> Result<PasswordChanged, ApiError> {
    let ctx = super::context::request()?.into_tenant()?;
    let Some((user, _)) = guard::signed_in_session(&ctx).await? else {
        return Err(guard::Refused::SignInFirst.into());
    };
    auth::reauthenticate(&ctx, &user, current_password).await?;
    // Read after the password counted: without a factor, it is the proof.
    let Some((_, record)) = guard::signed_in_session(&ctx).await? else {
        return Err(guard::Refused::SignInFirst.into());
    };
    guard::require_recent(&ctx, &user, &record).await?;
    let db = ctx.tenant.db.clone();
    users::set_password(&db, &ctx.platform.hasher, user.id, new_password).await?;
    admin_sessions::sign_in_changed(&ctx, &user, "password changed", user.email.as_str()).await?;
    crate::error::navigation::after_success("/security?saved=password");
    Ok(PasswordChanged {
        password_changed: true,
    })
}
