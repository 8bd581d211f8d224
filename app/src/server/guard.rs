//! Who may call a server function: a signed-in user of this tenant, or one
//! of its admins. Every body that needs either starts here, so "signed in"
//! means one thing everywhere: a live session whose principal (user and
//! bridge device) still stands.

use tessera_backend::{
    accounts::{users, Role, User},
    bridge::FamilyState,
    factors,
    sessions::{principal, Awaits, PendingSignIn, SessionRecord},
};

use super::context::{self, TenantContext};
use crate::{
    error::ApiError,
    model::bridge::{BridgeFailure, FailureReason},
};

/// Why a guard turned a request away.
#[derive(Debug)]
pub enum Refused {
    SignInFirst,
    NotAnAdmin,
    Failed(ApiError),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Self {
        Refused::Failed(e)
    }
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::SignInFirst => ApiError::Unauthorized("sign in first".into()),
            Refused::NotAnAdmin => {
                ApiError::Forbidden("this page is for the workspace's admins".into())
            }
            Refused::Failed(e) => e,
        }
    }
}

/// The bridge tells a visitor who is not signed in apart from a bad token.
impl From<Refused> for BridgeFailure {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::SignInFirst => {
                BridgeFailure::new(FailureReason::Unauthenticated, "sign in first")
            }
            other => ApiError::from(other).into(),
        }
    }
}

/// The signed-in user with their session's record, read once. The
/// principal usually came with the session in one read; a session whose
/// bridge device was revoked (logout elsewhere, an admin, theft) ends here.
pub async fn signed_in_session(
    ctx: &TenantContext,
) -> Result<Option<(User, SessionRecord)>, ApiError> {
    let Some(record) = ctx.session.record().await? else {
        return Ok(None);
    };
    let principal = match ctx.session.loaded_principal() {
        Some(principal) => principal,
        None => {
            let db = ctx.tenant.db.clone();
            principal::read(&db, &record).await?
        }
    };
    if principal.family == Some(FamilyState::Revoked) {
        ctx.session.log_out().await?;
        return Ok(None);
    }
    Ok(principal.user.map(|user| (user, record)))
}

/// The signed-in user of this tenant, if any.
pub async fn current_user(ctx: &TenantContext) -> Result<Option<User>, ApiError> {
    Ok(signed_in_session(ctx).await?.map(|(user, _)| user))
}

/// This request's tenant and its signed-in user, or `SignInFirst`.
pub async fn require_user() -> Result<(TenantContext, User), Refused> {
    let ctx = context::request()?.into_tenant()?;
    match current_user(&ctx).await? {
        Some(user) => Ok((ctx, user)),
        None => Err(Refused::SignInFirst),
    }
}

/// As `require_user`, for one of the tenant's admins (403 for anyone else,
/// signed in or not, as the admin pages always answered).
pub async fn require_admin() -> Result<(TenantContext, User), ApiError> {
    let ctx = context::request()?.into_tenant()?;
    match current_user(&ctx).await? {
        Some(user) if user.role == Role::Admin => Ok((ctx, user)),
        _ => Err(Refused::NotAnAdmin.into()),
    }
}

/// Who may set up a second factor: someone signed in, or a sign-in that
/// waits for its set-up (`signin.second_factor`), which can do nothing else.
pub async fn require_enrolling() -> Result<(TenantContext, User, Option<PendingSignIn>), ApiError> {
    let ctx = context::request()?.into_tenant()?;
    if let Some(user) = current_user(&ctx).await? {
        return Ok((ctx, user, None));
    }
    let Some(waiting) = ctx.session.pending().await? else {
        return Err(Refused::SignInFirst.into());
    };
    if waiting.awaits != Awaits::Enrolment {
        return Err(Refused::SignInFirst.into());
    }
    let db = ctx.tenant.db.clone();
    match users::find(&db, waiting.user).await? {
        Some(user) => Ok((ctx, user, Some(waiting))),
        None => Err(Refused::SignInFirst.into()),
    }
}

/// What a privileged action answers when the person's strongest proof is
/// older than `signin.privileged_minutes`.
pub const STEP_UP: &str = "confirm it is you again to do that: a code from your authenticator app, or your password if you have none";

/// A privileged action (settings, roles) is allowed only while the
/// person's strongest proof is recent: a second factor for whoever has one,
/// else a sign-in with the password; a bridge restore never counts.
pub async fn require_recent(
    ctx: &TenantContext,
    user: &User,
    record: &SessionRecord,
) -> Result<(), ApiError> {
    let has_factor = factors::enrolled(&ctx.tenant.db, user.id).await?.any();
    let window = i64::try_from(ctx.tenant.settings.signin.privileged.as_secs()).unwrap_or(i64::MAX);
    let now = ctx.platform.clock.unix();
    match record.assurance.last_strong(has_factor) {
        Some(at) if now.saturating_sub(at) <= window => Ok(()),
        _ => Err(ApiError::StepUpRequired(STEP_UP.into())),
    }
}

/// As `require_admin`, for a privileged action: also `require_recent`.
pub async fn require_privileged_admin() -> Result<(TenantContext, User), ApiError> {
    let ctx = context::request()?.into_tenant()?;
    match signed_in_session(&ctx).await? {
        Some((user, record)) if user.role == Role::Admin => {
            require_recent(&ctx, &user, &record).await?;
            Ok((ctx, user))
        }
        _ => Err(Refused::NotAnAdmin.into()),
    }
}
