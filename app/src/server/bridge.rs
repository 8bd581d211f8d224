//! The session bridge endpoints' bodies.

use tessera_backend::{
    accounts::{users, Role, User, UserId},
    bridge::{
        self, rollout, BridgeError, BridgeToken, EventKind, FamilyId, FamilyState, Presentation,
        Purpose,
    },
    bus::Announce,
    db::{DbError, Scope},
    factors,
    limits::{LimitError, Limiter, Rule, Throttled},
    sessions::{Assurance, Awaits, Method, SessionError},
    settings::{Rollout, SecondFactorRule, StepUp},
};

use super::{
    bridge_storage::{self, Presented},
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

    /// A token that does not stand: counted and recorded (`failed`), and
    /// the bridge cookie that carried it, if any, dropped.
    async fn refused(&self, ctx: &TenantContext, db: &Scope) -> BridgeFailure {
        bridge_storage::forget(ctx);
        self.failed(ctx, db).await
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

/// Checks a presented token for a restore without rotating it.
async fn vouch(
    ctx: &TenantContext,
    db: &Scope,
    token: &BridgeToken,
) -> Result<bridge::Vouched, BridgeError> {
    let ring = ctx.platform.keys.ring().await;
    let presentation = Presentation {
        token,
        family: None,
        purpose: Purpose::Restore,
        device: &ctx.device(),
    };
    let settings = &ctx.tenant.settings.bridge;
    bridge::vouch(
        db,
        ctx.announce(),
        presentation,
        settings,
        &ring,
        &ctx.platform.clock,
    )
    .await
}

/// Restores a sign-in from the token in the body or, with an empty body,
/// in the bridge cookie (`bridge_storage`).
pub async fn restore(token: Option<String>) -> Result<RestoreResponse, BridgeFailure> {
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
    let token = match bridge_storage::presented(&ctx, token) {
        Presented::Token(token) => token,
        Presented::Nothing | Presented::Ambiguous => return Err(limits.refused(&ctx, &db).await),
    };
    let Some(presented) = BridgeToken::parse(&token) else {
        return Err(limits.refused(&ctx, &db).await);
    };
    if presented.tenant != tenant.id {
        revoke_at_its_own_tenant(&ctx, &presented).await;
        return Err(limits.refused(&ctx, &db).await);
    }
    let outcome = match ctx.tenant.settings.bridge.step_up {
        // Nobody is asked: no need to look who the token is for first.
        StepUp::Never => rotate_and_restore(&ctx, &db, &presented).await,
        policy => step_up_or_restore(&ctx, &db, &presented, policy).await,
    };
    match outcome {
        Err(Refusal::Invalid) => {
            if withdrawn(&ctx, &db, &presented).await {
                bridge_storage::forget(&ctx);
                return Err(outside_rollout());
            }
            Err(limits.refused(&ctx, &db).await)
        }
        Err(Refusal::Failed(failure)) => {
            // The device was revoked on the way (a second factor the person
            // lacks); anything else (an outage, a limit) leaves it alone.
            if failure.reason == FailureReason::Unauthenticated {
                bridge_storage::forget(&ctx);
            }
            Err(failure)
        }
        Ok(restored) => Ok(restored),
    }
}

/// Why a restore was refused: a token that does not stand (counted against
/// the tenant's failure budget), or anything else.
enum Refusal {
    Invalid,
    Failed(BridgeFailure),
}

impl From<BridgeError> for Refusal {
    fn from(e: BridgeError) -> Self {
        match e {
            BridgeError::Invalid => Refusal::Invalid,
            other => Refusal::Failed(other.into()),
        }
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal::Failed(e.into())
    }
}

impl From<SessionError> for Refusal {
    fn from(e: SessionError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<DbError> for Refusal {
    fn from(e: DbError) -> Self {
        ApiError::from(e).into()
    }
}

/// A device of someone outside the bridge's rollout (`bridge.rollout`)
/// restores nothing: it is revoked, recorded as leaving the rollout, and
/// the answer is the one a tenant without the bridge gives (404).
async fn refuse_outside_rollout(
    ctx: &TenantContext,
    db: &Scope,
    user: UserId,
    family: &FamilyId,
) -> Result<(), Refusal> {
    if admitted(ctx, db, user).await? {
        return Ok(());
    }
    Err(Refusal::Failed(leave_rollout(ctx, db, family).await?))
}

/// Withdraws the device of someone who left the rollout (their sessions
/// live on); the answer for them.
async fn leave_rollout(
    ctx: &TenantContext,
    db: &Scope,
    family: &FamilyId,
) -> Result<BridgeFailure, BridgeError> {
    if bridge::family_state(db, family).await? == FamilyState::Live {
        bridge::revoke(
            db,
            ctx.announce(),
            &ctx.platform.clock,
            family,
            rollout::LEFT_THE_ROLLOUT,
            ctx.device().ip.as_deref(),
        )
        .await?;
    }
    bridge_storage::forget(ctx);
    Ok(outside_rollout())
}

fn outside_rollout() -> BridgeFailure {
    BridgeFailure::new(
        FailureReason::Disabled,
        "the session bridge is not on for you in this workspace",
    )
}

/// Whether a refused token is a device withdrawn when its person left the
/// rollout (answered as the bridge being off for them, not as a bad token).
async fn withdrawn(ctx: &TenantContext, db: &Scope, presented: &BridgeToken) -> bool {
    let ring = ctx.platform.keys.ring().await;
    let state = match bridge::family_of(db, &ring, presented).await {
        Ok(Some(family)) => bridge::family_state(db, &family).await,
        Ok(None) => return false,
        Err(e) => Err(e),
    };
    state.is_ok_and(|s| s == FamilyState::Withdrawn)
}

/// Whether `user` is within this tenant's bridge rollout.
pub(super) fn admits(ctx: &TenantContext, user: &User) -> bool {
    let policy = ctx.tenant.settings.bridge.rollout;
    rollout::admits(policy, ctx.tenant.tenant.id, user.id, user.role).is_some()
}

/// The same for a user known by id (their role is read only for a rollout
/// by role).
async fn admitted(ctx: &TenantContext, db: &Scope, user: UserId) -> Result<bool, DbError> {
    let policy = ctx.tenant.settings.bridge.rollout;
    let tenant = ctx.tenant.tenant.id;
    Ok(match policy {
        Rollout::Role(_) => users::find(db, user)
            .await?
            .is_some_and(|u| rollout::admits(policy, tenant, u.id, u.role).is_some()),
        // Neither looks at the role.
        Rollout::Everyone | Rollout::Percent(_) => {
            rollout::admits(policy, tenant, user, Role::Member).is_some()
        }
    })
}

/// A restore for someone the workspace asks to have a second factor
/// (`signin.second_factor`) who has none restores nobody: the device is
/// revoked, and the password sign-in takes them to the set-up.
async fn refuse_without_required_factor(
    ctx: &TenantContext,
    db: &Scope,
    user: UserId,
    family: &FamilyId,
    enrolled: bool,
) -> Result<(), Refusal> {
    let rule = ctx.tenant.settings.signin.second_factor;
    if enrolled || rule == SecondFactorRule::Optional {
        return Ok(());
    }
    let required = users::find(db, user)
        .await?
        .is_some_and(|user| factors::required(rule, user.role));
    if !required {
        return Ok(());
    }
    bridge::revoke(
        db,
        ctx.announce(),
        &ctx.platform.clock,
        family,
        "restore needs a second factor set up; the person has none",
        ctx.device().ip.as_deref(),
    )
    .await?;
    Err(Refusal::Failed(BridgeFailure::new(
        FailureReason::Unauthenticated,
        "this workspace asks for a second factor; please sign in again to set one up",
    )))
}

/// The source document's restore: the token is rotated and re-authenticates
/// the person, one factor, never more.
async fn rotate_and_restore(
    ctx: &TenantContext,
    db: &Scope,
    presented: &BridgeToken,
) -> Result<RestoreResponse, Refusal> {
    let rotated = rotate(ctx, db, presented, None, Purpose::Restore).await?;
    // Only asked under `never`: `step_up_or_restore` asked before rotating.
    if ctx.tenant.settings.bridge.step_up == StepUp::Never {
        refuse_outside_rollout(ctx, db, rotated.user, &rotated.family).await?;
        refuse_without_required_factor(ctx, db, rotated.user, &rotated.family, false).await?;
    }
    let restore = Assurance::of(Method::BridgeRestore, ctx.platform.clock.unix());
    ctx.session
        .log_in(rotated.user, Some(&rotated.family), &ctx.device(), restore)
        .await?;
    tracing::info!(tenant = %ctx.tenant.tenant.slug, user = %rotated.user, "session bridge token used to restore session");
    Ok(RestoreResponse {
        success: true,
        message: "Session restored successfully".into(),
        new_token: bridge_storage::hand_over(ctx, &rotated),
        step_up: None,
    })
}

/// A restore under `enrolled` or `always`: for whoever has a second factor,
/// a sign-in waiting for it, the token left as it was (whoever presented it
/// has not shown yet that they own it: if they never do, the owner's device
/// and sessions are untouched); under `enrolled`, a plain restore for
/// whoever has none; under `always`, nothing for them: the device is
/// revoked, sign in again.
async fn step_up_or_restore(
    ctx: &TenantContext,
    db: &Scope,
    presented: &BridgeToken,
    policy: StepUp,
) -> Result<RestoreResponse, Refusal> {
    let vouched = vouch(ctx, db, presented).await?;
    refuse_outside_rollout(ctx, db, vouched.user, &vouched.family).await?;
    let factors = factors::enrolled(db, vouched.user)
        .await
        .map_err(ApiError::from)?;
    let enrolled = factors.any();
    refuse_without_required_factor(ctx, db, vouched.user, &vouched.family, enrolled).await?;
    let clock = &ctx.platform.clock;
    match (policy, enrolled) {
        (StepUp::Never | StepUp::Enrolled, false) => rotate_and_restore(ctx, db, presented).await,
        (_, true) => {
            let restore = Assurance::of(Method::BridgeRestore, clock.unix());
            ctx.session
                .begin_pending(vouched.user, Some(&vouched.family), restore, Awaits::Factor)
                .await?;
            let device = ctx.device();
            let asked = bridge::Event {
                kind: EventKind::StepUpAsked,
                family: Some(&vouched.family),
                user: Some(vouched.user),
                ip: device.ip.as_deref(),
                at: clock.unix(),
            };
            bridge::record(db, asked).await.map_err(ApiError::from)?;
            tracing::info!(tenant = %ctx.tenant.tenant.slug, user = %vouched.user, "session bridge restore waits for a second factor");
            Ok(RestoreResponse {
                success: true,
                message:
                    "Enter a code from your authenticator app to finish restoring your session"
                        .into(),
                new_token: None,
                step_up: Some(SecondFactorDue::of(factors.totp, factors.passkeys)),
            })
        }
        (StepUp::Always, false) => {
            bridge::revoke(
                db,
                ctx.announce(),
                clock,
                &vouched.family,
                "restore needs a second factor; the person has none",
                ctx.device().ip.as_deref(),
            )
            .await?;
            Err(Refusal::Failed(BridgeFailure::new(
                FailureReason::Unauthenticated,
                "this workspace asks for a second factor to restore a sign-in; please sign in again",
            )))
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
        // A restore's sign-in waiting here, or a bridge cookie to restore
        // from (the page's script cannot see it, so it asks).
        has_token: waiting.as_ref().is_some_and(|w| w.family.is_some())
            || bridge_storage::carries_cookie(&ctx),
        // Any sign-in waiting here (a restore's or a password's): the
        // client must not restore over it.
        step_up: waiting.is_some(),
    })
}

/// Rotates this device's token, presented in the body or in the bridge
/// cookie; the successor goes back where the tenant keeps tokens now.
pub async fn refresh(token: Option<String>) -> Result<RefreshResponse, BridgeFailure> {
    let ctx = enabled_tenant()?;
    let Some((user, record)) = signed_in_session(&ctx).await? else {
        return Err(BridgeFailure::new(
            FailureReason::Unauthenticated,
            "sign in first",
        ));
    };
    let db = ctx.tenant.db.clone();
    if !admits(&ctx, &user) {
        return Err(match &record.family {
            Some(family) => leave_rollout(&ctx, &db, family).await?,
            None => {
                bridge_storage::forget(&ctx);
                outside_rollout()
            }
        });
    }
    // A session with no device (signed in while the bridge was off, or
    // while this person was outside its rollout) gets nothing here: a
    // session cookie alone, stolen or not, must never mint a token that
    // outlives the session.
    let Some(family) = record.family else {
        return Err(BridgeFailure::new(
            FailureReason::Invalid,
            "this session has no bridge device; sign in again to get one",
        ));
    };
    let tenant = ctx.tenant.tenant.id;
    let presented = match bridge_storage::presented(&ctx, token) {
        Presented::Token(token) => BridgeToken::parse(&token).filter(|t| t.tenant == tenant),
        Presented::Nothing | Presented::Ambiguous => None,
    };
    // Without the current token there is nothing to prove this is the
    // device the family belongs to: a stolen session cookie alone must
    // not mint a bridge token that outlives it.
    let Some(presented) = presented else {
        return Err(BridgeFailure::new(
            FailureReason::Invalid,
            "this device's current token is required to refresh it",
        ));
    };
    match rotate(&ctx, &db, &presented, Some(&family), Purpose::Refresh).await {
        Ok(rotated) => Ok(RefreshResponse {
            success: true,
            token: bridge_storage::hand_over(&ctx, &rotated),
        }),
        Err(BridgeError::Invalid) => {
            let state = bridge::family_state(&db, &family)
                .await
                .map_err(ApiError::from)?;
            match state {
                // A replay revoked the family (or a logout elsewhere, an
                // admin): its sessions end, this one too.
                FamilyState::Revoked => {
                    ctx.session.log_out().await.map_err(ApiError::from)?;
                    bridge_storage::forget(&ctx);
                }
                // Withdrawn from someone who has since come back into the
                // rollout: signed in still, a device at the next sign-in.
                FamilyState::Withdrawn => {
                    bridge_storage::forget(&ctx);
                    return Err(BridgeFailure::new(
                        FailureReason::Invalid,
                        "this session's bridge device was withdrawn; sign in again to get one",
                    ));
                }
                // The token is not this device's current one.
                FamilyState::Live => {}
            }
            Err(BridgeFailure::invalid())
        }
        Err(e) => Err(e.into()),
    }
}

/// A user's devices, each with the sessions it brought back.
async fn device_views(ctx: &TenantContext, user: &User) -> Result<Vec<DeviceView>, BridgeFailure> {
    let (sessions, mut devices) = tokio::try_join!(
        super::admin_sessions::sessions_of(ctx, user),
        own_devices(ctx, user)
    )?;
    DeviceView::link_restored(&mut devices, &sessions);
    Ok(devices)
}

/// A user's live bridge devices, the one of this session marked.
pub(super) async fn own_devices(
    ctx: &TenantContext,
    user: &User,
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
            restored_sessions: Vec::new(),
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
