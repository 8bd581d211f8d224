//! Who may call a server function: a signed-in user of this tenant, or one
//! of its admins. Every body that needs either starts here, so "signed in"
//! means one thing everywhere: a live session whose principal (user and
//! bridge device) still stands.

use tessera_backend::{
    accounts::{Role, User},
    sessions::{principal, Family, SessionRecord},
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
    if principal.family == Family::Revoked {
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
