//! The session bridge endpoints' bodies.

use tessera_backend::{
    accounts::UserId,
    bridge::{self, BridgeError, BridgeToken, FamilyId, Presentation, Purpose},
    bus::Announce,
    db::Scope,
    factors,
    limits::{LimitError, Limiter, Rule, Throttled},
    sessions::{Assurance, Method},
    settings::StepUp,
};

use super::{
    context::{self, TenantContext},
    guard::{require_user, signed_in_session},
};
use crate::{
    error::ApiError,
    model::{
        accounts::SecondFactorDue,
        bridge::{
            BridgeFailure, CheckResponse, DeviceView, FailureReason, RefreshResponse,
            RestoreResponse,
        },
    },
};

impl From<ApiError> for BridgeFailure {
    fn from(e: ApiError) -> Self {
        let reason = match e {
            ApiError::BadRequest(_)
            | ApiError::PayloadTooLarge(_)
            | ApiError::HeadersTooLarge(_) => FailureReason::BadRequest,
            ApiError::Unauthorized(_) => FailureReason::Invalid,
            ApiError::Forbidden(_) | ApiError::StepUpRequired(_) => FailureReason::Forbidden,
            ApiError::NotFound(_) => FailureReason::Disabled,
            ApiError::TooManyRequests(_) => FailureReason::RateLimited,
            ApiError::Conflict(_)
            | ApiError::Unavailable(_)
            | ApiError::Busy(_)
            | ApiError::Internal(_) => FailureReason::Unavailable,
        };
        BridgeFailure {
            retry_after: e.retry_after(),
            ..BridgeFailure::new(reason, e.message())
        }
    }
}

impl From<BridgeError> for BridgeFailure {
    fn from(e: BridgeError) -> Self {
        match e {
            BridgeError::Invalid => BridgeFailure::invalid(),
            BridgeError::Database(db) => ApiError::from(db).into(),
        }
    }
}

/// Starts this request's device family for `user`, with its first token.
pub(super) async fn issue_family(
    ctx: &TenantContext,
    db: &Scope,
    user: UserId,
) -> Result<bridge::Rotated, BridgeError> {
    let ring = ctx.platform.keys.ring().await;
    bridge::issue(
        db,
        &ring,
        ctx.tenant.tenant.id,
        user,
        &ctx.device(),
        &ctx.tenant.settings.bridge,
        &ctx.platform.clock,
    )
    .await
}

/// The tenant request, if this tenant has the bridge on.
fn enabled_tenant() -> Result<TenantContext, BridgeFailure> {
    let ctx = context::request()?.into_tenant()?;
    if !ctx.tenant.settings.bridge.enabled {
        return Err(BridgeFailure::new(
            FailureReason::Disabled,
            "the session bridge is off for this workspace",
        ));
    }
    Ok(ctx)
}

fn rate_limited(t: Throttled) -> BridgeFailure {
    BridgeFailure {
        retry_after: Some(t.seconds()),
        ..BridgeFailure::new(
            FailureReason::RateLimited,
            "too many restore attempts; try again later",
        )
    }
}

fn limiter_down(e: LimitError) -> BridgeFailure {
    tracing::error!(error = %e, "the restore rate limiter is unavailable");
    BridgeFailure::new(
        FailureReason::Unavailable,
        "session restore is unavailable right now; please try again shortly",
    )
}

/// Restores per client (every attempt) and per tenant (failures only, 20×
/// the per-client limit). A good token is never refused for the tenant's
/// sake: past its failure budget only failures are answered 429 (and no
/// longer recorded), so junk from many addresses cannot block real restores.
struct RestoreLimits {
    per_client: (String, Rule),
    per_tenant: (String, Rule),
}

impl RestoreLimits {
    fn of(ctx: &TenantContext) -> Self {
        let (tenant, limit) = (
            ctx.tenant.tenant.id,
            ctx.tenant.settings.bridge.restore_rate_limit,
        );
        Self {
            per_client: (
                format!("restore:{tenant}:{}", ctx.client.limit_key()),
                Rule::per_minute(limit),
            ),
            per_tenant: (
                format!("restore-failures:{tenant}"),
                Rule::per_minute(limit.saturating_mul(20)),
            ),
        }
    }

    async fn admit(&self, limiter: &Limiter) -> Result<(), BridgeFailure> {
        let (key, rule) = &self.per_client;
        limiter
            .hit(key, *rule)
            .await
            .map_err(limiter_down)?
            .map_err(rate_limited)
    }

    /// Counts a failed restore against the tenant, and records it.
    async fn failed(&self, ctx: &TenantContext, db: &Scope) -> BridgeFailure {
        let (key, rule) = &self.per_tenant;
        match ctx.platform.limiter.hit(key, *rule).await {
            Err(e) => return limiter_down(e),
            Ok(Err(throttled)) => return rate_limited(throttled),
            Ok(Ok(())) => {}
        }
        match bridge::record_failure(db, &ctx.platform.clock, ctx.device().ip.as_deref()).await {
            Ok(()) => BridgeFailure::invalid(),
            Err(e) => ApiError::from(e).into(),
        }
    }
}

/// Rotates a presented token for this request's device, under the
/// tenant's bridge settings and the ring in force.
async fn rotate(
    ctx: &TenantContext,
    db: &Scope,
    token: &BridgeToken,
    family: Option<&FamilyId>,
    purpose: Purpose,
) -> Result<bridge::Rotated, BridgeError> {
    let ring = ctx.platform.keys.ring().await;
    let presentation = Presentation {
        token,
        family,
        purpose,
        device: &ctx.device(),
    };
    let settings = &ctx.tenant.settings.bridge;
    bridge::rotate(
        db,
        ctx.announce(),
        presentation,
        settings,
        &ring,
        &ctx.platform.clock,
    )
    .await
}

pub async fn restore(token: String) -> Result<RestoreResponse, BridgeFailure> {
    let ctx = enabled_tenant()?;
    let tenant = &ctx.tenant.tenant;
    let limits = RestoreLimits::of(&ctx);
    limits.admit(&ctx.platform.limiter).await?;

    let db = ctx
        .platform
        .directory
        .db(tenant)
        .await
        .map_err(ApiError::from)?;
    let Some(presented) = BridgeToken::parse(&token) else {
        return Err(limits.failed(&ctx, &db).await);
    };
    if presented.tenant != tenant.id {
        revoke_at_its_own_tenant(&ctx, &presented).await;
        return Err(limits.failed(&ctx, &db).await);
    }
    match rotate(&ctx, &db, &presented, None, Purpose::Restore).await {
        Ok(rotated) => restored(&ctx, &db, rotated).await,
        Err(BridgeError::Invalid) => Err(limits.failed(&ctx, &db).await),
        Err(e) => Err(e.into()),
    }
}

/// What a good token restores, under the tenant's `bridge.step_up`: a
/// session (one factor: the token re-authenticates, never raises), or a
/// sign-in waiting for the person's second factor, or — `always`, for
/// someone without one — nothing: the device is revoked, sign in again.
async fn restored(
    ctx: &TenantContext,
    db: &Scope,
    rotated: bridge::Rotated,
) -> Result<RestoreResponse, BridgeFailure> {
    let tenant = &ctx.tenant.tenant;
    let clock = &ctx.platform.clock;
    let restore = Assurance::of(Method::BridgeRestore, clock.unix());
    let step_up = ctx.tenant.settings.bridge.step_up;
    // Under `never` nobody is asked: no need to look.
    let enrolled = step_up != StepUp::Never
        && factors::totp::is_enrolled(db, rotated.user)
            .await
            .map_err(ApiError::from)?;
    match (step_up, enrolled) {
        (StepUp::Never, _) | (StepUp::Enrolled, false) => {
            ctx.session
                .log_in(rotated.user, Some(&rotated.family), &ctx.device(), restore)
                .await
                .map_err(ApiError::from)?;
            tracing::info!(tenant = %tenant.slug, user = %rotated.user, "session bridge token used to restore session");
            Ok(RestoreResponse {
                success: true,
                message: "Session restored successfully".into(),
                new_token: Some(rotated.token.expose()),
                step_up: None,
            })
        }
        (StepUp::Enrolled | StepUp::Always, true) => {
            ctx.session
                .begin_pending(rotated.user, Some(&rotated.family), restore)
                .await
                .map_err(ApiError::from)?;
            tracing::info!(tenant = %tenant.slug, user = %rotated.user, "session bridge restore waits for a second factor");
            Ok(RestoreResponse {
                success: true,
                message:
                    "Enter a code from your authenticator app to finish restoring your session"
                        .into(),
                new_token: Some(rotated.token.expose()),
                step_up: Some(SecondFactorDue::any()),
            })
        }
        (StepUp::Always, false) => {
            bridge::revoke(
                db,
                ctx.announce(),
                clock,
                &rotated.family,
                "restore needs a second factor; the person has none",
                ctx.device().ip.as_deref(),
            )
            .await?;
            Err(BridgeFailure::new(
                FailureReason::Unauthenticated,
                "this workspace asks for a second factor to restore a sign-in; please sign in again",
            ))
        }
    }
}

/// A token made at another tenant was presented here: whoever holds it should
/// not, so it is revoked where it was made.
async fn revoke_at_its_own_tenant(ctx: &TenantContext, presented: &BridgeToken) {
    tracing::warn!(tenant = %ctx.tenant.tenant.slug, origin = %presented.tenant, "a bridge token of another tenant was presented; revoking it");
    let directory = &ctx.platform.directory;
    let revoked = async {
        let Some(origin) = directory
            .central()
            .find_tenant_by_id(presented.tenant)
            .await?
        else {
            return Ok(());
        };
        let db = directory.db(&origin).await?;
        let origin_tenant = Announce {
            cache: &*ctx.platform.sessions,
            tenant: origin.id,
        };
        bridge::revoke_presented(
            &db,
            origin_tenant,
            &ctx.platform.clock,
            &*ctx.platform.keys.ring().await,
            presented,
            "presented at another tenant",
            ctx.device().ip.as_deref(),
        )
        .await
    };
    if let Err(e) = revoked.await {
        tracing::error!(error = %e, "could not revoke a foreign bridge token");
    }
}

pub async fn check() -> Result<CheckResponse, BridgeFailure> {
    // The central site has no sessions to restore: nobody is signed in there.
    if matches!(
        context::request()?.site,
        tessera_backend::tenancy::Site::Central
    ) {
        return Ok(CheckResponse {
            authenticated: false,
            user_id: None,
            has_token: false,
            step_up: false,
        });
    }
    let ctx = enabled_tenant()?;
    if let Some((user, record)) = signed_in_session(&ctx).await? {
        return Ok(CheckResponse {
            authenticated: true,
            has_token: record.family.is_some(),
            user_id: Some(user.id.get()),
            step_up: false,
        });
    }
    let waiting = ctx.session.pending().await.map_err(ApiError::from)?;
    Ok(CheckResponse {
        authenticated: false,
        user_id: None,
        has_token: waiting.as_ref().is_some_and(|w| w.family.is_some()),
        step_up: waiting.is_some_and(|w| w.family.is_some()),
    })
}

pub async fn refresh(token: Option<String>) -> Result<RefreshResponse, BridgeFailure> {
    let ctx = enabled_tenant()?;
    let Some((_, record)) = signed_in_session(&ctx).await? else {
        return Err(BridgeFailure::new(
            FailureReason::Unauthenticated,
            "sign in first",
        ));
    };
    let db = ctx.tenant.db.clone();
    // A session with no device (signed in by a plain form post, or while
    // the bridge was off) gets nothing here: a session cookie alone, stolen
    // or not, must never mint a token that outlives the session.
    let Some(family) = record.family else {
        return Err(BridgeFailure::new(
            FailureReason::Invalid,
            "this session has no bridge device; sign in again to get one",
        ));
    };
    let presented = token
        .as_deref()
        .and_then(BridgeToken::parse)
        .filter(|t| t.tenant == ctx.tenant.tenant.id);
    let token = match presented {
        Some(presented) => {
            match rotate(&ctx, &db, &presented, Some(&family), Purpose::Refresh).await {
                Ok(rotated) => rotated.token,
                Err(BridgeError::Invalid) => {
                    // A replay revoked the family, or the token is not this device's.
                    if !bridge::family_is_live(&db, &family)
                        .await
                        .map_err(ApiError::from)?
                    {
                        ctx.session.log_out().await.map_err(ApiError::from)?;
                    }
                    return Err(BridgeFailure::invalid());
                }
                Err(e) => return Err(e.into()),
            }
        }
        // Without the current token there is nothing to prove this is the
        // device the family belongs to: a stolen session cookie alone must
        // not mint a bridge token that outlives it.
        None => {
            return Err(BridgeFailure::new(
                FailureReason::Invalid,
                "this device's current token is required to refresh it",
            ))
        }
    };
    Ok(RefreshResponse {
        success: true,
        token: token.expose(),
    })
}

async fn device_views(
    ctx: &TenantContext,
    user: &tessera_backend::accounts::User,
) -> Result<Vec<DeviceView>, BridgeFailure> {
    Ok(own_devices(ctx, user).await?)
}

/// A user's live bridge devices, the one of this session marked.
pub(super) async fn own_devices(
    ctx: &TenantContext,
    user: &tessera_backend::accounts::User,
) -> Result<Vec<DeviceView>, ApiError> {
    let db = ctx.tenant.db.clone();
    let current = ctx.session.bridge_family().await?;
    let devices = bridge::devices(&db, &ctx.platform.clock, user.id).await?;
    Ok(devices
        .into_iter()
        .map(|d| DeviceView {
            current: current.as_ref() == Some(&d.family),
            id: d.family.as_str().to_owned(),
            created_at: d.created_at,
            last_used_at: d.last_used_at,
            expires_at: d.expires_at,
            ip: d.ip,
            user_agent: d.user_agent,
        })
        .collect())
}

pub async fn devices() -> Result<Vec<DeviceView>, BridgeFailure> {
    let (ctx, user) = require_user().await?;
    device_views(&ctx, &user).await
}

pub async fn revoke_device(device_id: String) -> Result<Vec<DeviceView>, BridgeFailure> {
    let (ctx, user) = require_user().await?;
    let db = ctx.tenant.db.clone();
    let family = FamilyId::from_client(&device_id);
    if !bridge::revoke_device(
        &db,
        ctx.announce(),
        &ctx.platform.clock,
        user.id,
        &family,
        ctx.device().ip.as_deref(),
    )
    .await?
    {
        return Err(BridgeFailure::new(
            FailureReason::Forbidden,
            "no such device of yours",
        ));
    }
    device_views(&ctx, &user).await
}
