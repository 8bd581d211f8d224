//! A signed-in user's own sessions and bridge devices: list, revoke one,
//! sign out everywhere else. The session and device of this very request
//! are left to signing out, so a click here never locks the user out of
//! the page they are on.

use tessera_backend::{
    accounts::{audit, User},
    bridge::{self, FamilyId},
};

use super::{
    admin_sessions, bridge::own_devices, context::TenantContext, guard::require_user, passkeys,
    second_factor::two_step_of,
};
use crate::{
    error::ApiError,
    model::{account::SecurityView, bridge::DeviceView},
};

/// The user's sessions, devices and second factors, read at once (four
/// indexed queries).
async fn view(ctx: &TenantContext, user: &User) -> Result<SecurityView, ApiError> {
    let (sessions, mut devices, two_step, passkeys) = tokio::try_join!(
        admin_sessions::sessions_of(ctx, user),
        own_devices(ctx, user),
        two_step_of(ctx, user),
        passkeys::views(ctx, user)
    )?;
    DeviceView::link_restored(&mut devices, &sessions);
    Ok(SecurityView {
        sessions,
        devices,
        two_step,
        passkeys,
    })
}

fn this_one(what: &str) -> ApiError {
    ApiError::Conflict(format!(
        "this is the {what} you are using; sign out to end it"
    ))
}

pub async fn security() -> Result<SecurityView, ApiError> {
    let (ctx, user) = require_user().await?;
    view(&ctx, &user).await
}

pub async fn revoke_session(handle: String) -> Result<SecurityView, ApiError> {
    let (ctx, user) = require_user().await?;
    let store = admin_sessions::store(&ctx).await?;
    let found = admin_sessions::find_session(&store, &handle, Some(user.id)).await?;
    if admin_sessions::current(&ctx, &store).as_ref() == Some(&found.stored) {
        return Err(this_one("session"));
    }
    admin_sessions::end(&ctx, &store, &found, "session revoked by its user").await?;
    let ((), view) = tokio::try_join!(
        record(&ctx, &user, "session revoked by its user"),
        view(&ctx, &user)
    )?;
    Ok(view)
}

pub async fn revoke_device(device_id: String) -> Result<SecurityView, ApiError> {
    let (ctx, user) = require_user().await?;
    let family = FamilyId::from_client(&device_id);
    if ctx.session.bridge_family().await?.as_ref() == Some(&family) {
        return Err(this_one("device"));
    }
    let db = ctx.tenant.db.clone();
    let ip = ctx.device().ip;
    let revoked = bridge::revoke_device(
        &db,
        ctx.announce(),
        &ctx.platform.clock,
        user.id,
        &family,
        ip.as_deref(),
    )
    .await?;
    if !revoked {
        return Err(ApiError::NotFound("no such device of yours".into()));
    }
    record(&ctx, &user, "device revoked by its user").await?;
    view(&ctx, &user).await
}

pub async fn sign_out_others() -> Result<SecurityView, ApiError> {
    let (ctx, user) = require_user().await?;
    admin_sessions::end_all_of(&ctx, user.id, "signed out everywhere else").await?;
    record(&ctx, &user, "signed out everywhere else").await?;
    view(&ctx, &user).await
}

async fn record(ctx: &TenantContext, user: &User, action: &str) -> Result<(), ApiError> {
    let db = ctx.tenant.db.clone();
    Ok(audit::record(
        &db,
        &ctx.platform.clock,
        user,
        action,
        &user.email.to_string(),
    )
    .await?)
}
