//! Passkeys: a signed-in person registers, lists and removes their own
//! (adding and removing are privileged, and end every other session and
//! device, as any factor change does); anyone signs in with one alone; a
//! sign-in waiting for its second factor, or a privileged action, takes one
//! as the factor. Each ceremony's state waits in the session between its
//! two requests, used once (`factors::passkeys`).

use serde_json::Value;
use tessera_backend::{
    accounts::{users, User},
    factors::passkeys::{self, Ceremony, CeremonyKind, PasskeyError, PasskeyInfo, RelyingParty},
    sessions::{Assurance, Awaits, Method},
};

use super::{
    admin_sessions,
    auth::{self, sign_in},
    context::{self, TenantContext},
    guard::{self, require_user},
};
use crate::{
    error::ApiError,
    model::{account::PasskeyView, accounts::SignedIn},
};

/// This workspace as the relying party, at the host the browser reached.
fn relying_party(ctx: &TenantContext) -> Result<RelyingParty, ApiError> {
    Ok(RelyingParty::of_request(
        &ctx.host,
        ctx.client.https,
        &ctx.tenant.tenant.name,
    )?)
}

fn view(info: PasskeyInfo) -> PasskeyView {
    PasskeyView {
        id: info.id,
        name: info.name,
        created_at: info.created_at,
        last_used_at: info.last_used_at,
    }
}

pub(super) async fn views(ctx: &TenantContext, user: &User) -> Result<Vec<PasskeyView>, ApiError> {
    Ok(passkeys::list(&ctx.tenant.db, user.id)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

async fn keep(ctx: &TenantContext, ceremony: &Ceremony) -> Result<(), ApiError> {
    let json = serde_json::to_value(ceremony).map_err(|_| ApiError::internal())?;
    Ok(ctx.session.keep_ceremony(json).await?)
}

async fn take(ctx: &TenantContext) -> Result<Ceremony, ApiError> {
    ctx.session
        .take_ceremony()
        .await?
        .and_then(|json| serde_json::from_value(json).ok())
        .ok_or_else(|| PasskeyError::NoCeremony.into())
}

/// Whatever the browser answered, as the type webauthn-rs reads (a 400 for
/// anything else).
fn parsed<T: serde::de::DeserializeOwned>(credential: Value) -> Result<T, ApiError> {
    serde_json::from_value(credential)
        .map_err(|_| ApiError::BadRequest("malformed request: not a WebAuthn credential".into()))
}

/// The signed-in person, with a recent enough proof for a privileged action.
async fn privileged() -> Result<(TenantContext, User), ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let Some((user, record)) = guard::signed_in_session(&ctx).await? else {
        return Err(guard::Refused::SignInFirst.into());
    };
    guard::require_recent(&ctx, &user, &record).await?;
    Ok((ctx, user))
}

pub async fn list() -> Result<Vec<PasskeyView>, ApiError> {
    let (ctx, user) = require_user().await?;
    views(&ctx, &user).await
}

pub async fn start_registration(name: String) -> Result<Value, ApiError> {
    let (ctx, user) = privileged().await?;
    let rp = relying_party(&ctx)?;
    let (options, ceremony) =
        passkeys::start_registration(&ctx.tenant.db, &rp, &ctx.platform.clock, &user, &name)
            .await?;
    keep(&ctx, &ceremony).await?;
    serde_json::to_value(options).map_err(|_| ApiError::internal())
}

pub async fn finish_registration(credential: Value) -> Result<Vec<PasskeyView>, ApiError> {
    let (ctx, user) = require_user().await?;
    let ceremony = take(&ctx).await?;
    let response = parsed(credential)?;
    let rp = relying_party(&ctx)?;
    let (owner, added) = passkeys::finish_registration(
        &ctx.tenant.db,
        &rp,
        &ctx.platform.clock,
        ceremony,
        &response,
    )
    .await?;
    if owner != user.id {
        return Err(PasskeyError::NoCeremony.into());
    }
    admin_sessions::sign_in_changed(&ctx, &user, "passkey added", &added.name).await?;
    views(&ctx, &user).await
}

pub async fn remove(id: String) -> Result<Vec<PasskeyView>, ApiError> {
    let (ctx, user) = privileged().await?;
    let name = passkeys::list(&ctx.tenant.db, user.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .map(|p| p.name)
        .ok_or(PasskeyError::NoSuchPasskey)?;
    passkeys::remove(&ctx.tenant.db, user.id, &id).await?;
    admin_sessions::sign_in_changed(&ctx, &user, "passkey removed", &name).await?;
    views(&ctx, &user).await
}

/// Options for the browser: for a sign-in waiting for its second factor, or
/// someone signed in confirming it is them, that person's passkeys; for
/// anyone else, a sign-in with a passkey alone.
pub async fn start_authentication() -> Result<Value, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let rp = relying_party(&ctx)?;
    let clock = &ctx.platform.clock;
    let person = match ctx.session.pending().await? {
        Some(waiting) if waiting.awaits == Awaits::Factor => Some(waiting.user),
        Some(_) => return Err(ApiError::Forbidden(auth::ENROL_FIRST.into())),
        None => guard::current_user(&ctx).await?.map(|user| user.id),
    };
    let (options, ceremony) = match person {
        Some(user) => passkeys::start_confirmation(&ctx.tenant.db, &rp, clock, user).await?,
        None => passkeys::start_sign_in(&rp, clock)?,
    };
    keep(&ctx, &ceremony).await?;
    serde_json::to_value(options).map_err(|_| ApiError::internal())
}

/// The browser's answer: signs in (a passkey alone is two factors: the
/// device and its user verification), finishes a waiting sign-in, or
/// counts as a fresh proof for someone signed in.
pub async fn finish_authentication(credential: Value) -> Result<SignedIn, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let ceremony = take(&ctx).await?;
    let signing_in = matches!(ceremony.kind, CeremonyKind::SignIn { .. });
    let response = parsed(credential)?;
    let rp = relying_party(&ctx)?;
    let clock = &ctx.platform.clock;
    let person =
        passkeys::finish_authentication(&ctx.tenant.db, &rp, clock, ceremony, &response).await?;
    let db = ctx.tenant.db.clone();
    let user = users::find(&db, person)
        .await?
        .ok_or(PasskeyError::NotVerified)?;
    let now = clock.unix();
    if signing_in {
        return sign_in(&ctx, &user, Assurance::of(Method::Passkey, now)).await;
    }
    match ctx.session.pending().await? {
        Some(waiting) if waiting.user == user.id => {
            auth::complete(&ctx, &user, waiting, Method::Passkey, now).await
        }
        Some(_) => Err(PasskeyError::NotVerified.into()),
        None => {
            let signed_in = guard::current_user(&ctx).await?;
            if signed_in.as_ref().map(|u| u.id) != Some(user.id) {
                return Err(PasskeyError::NotVerified.into());
            }
            ctx.session.prove(Method::Passkey).await?;
            crate::error::navigation::after_success_back();
            Ok(SignedIn {
                me: auth::signed_in(&ctx.tenant.tenant, &user),
                bridge_token: None,
            })
        }
    }
}
