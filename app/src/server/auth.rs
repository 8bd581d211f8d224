//! Registration, login, logout and "who am I" for a tenant.

use http::request::Parts;
use leptos::prelude::with_context;
use tessera_backend::{
    accounts::{audit, sign_in_events::SignInEventKind, users, AccountError, NewRole, Role, User},
    bridge,
    factors::{self, totp::Owner, FactorError, Presented},
    limits::{AddressCount, SignInGate, SignInRealm},
    sessions::{Assurance, Awaits, Method, PendingSignIn},
    settings::BridgeStorage,
    tenancy::{Site, Tenant},
};

use super::{
    context::{self, TenantContext},
    guard::{current_user, require_user},
    throttle,
};
use crate::{
    error::ApiError,
    model::accounts::{
        MeResponse, RoleView, SecondFactorDue, SignedIn, TenantView, UserView, TWO_STEP_PAGE,
    },
};

fn tenant_view(tenant: &Tenant) -> TenantView {
    TenantView {
        slug: tenant.slug.to_string(),
        name: tenant.name.clone(),
    }
}

pub fn user_view(user: &User) -> UserView {
    UserView {
        id: user.id.get(),
        email: user.email.to_string(),
        name: user.name.clone(),
        role: match user.role {
            Role::Admin => RoleView::Admin,
            Role::Member => RoleView::Member,
        },
    }
}

pub(super) fn signed_in(tenant: &Tenant, user: &User) -> MeResponse {
    MeResponse {
        authenticated: true,
        user: Some(user_view(user)),
        tenant: Some(tenant_view(tenant)),
        second_factor: None,
    }
}

fn signed_out(tenant: Option<&Tenant>) -> MeResponse {
    MeResponse {
        authenticated: false,
        user: None,
        tenant: tenant.map(tenant_view),
        second_factor: None,
    }
}

/// A visitor whose sign-in waits for a second factor (or for one to be set
/// up): signed out, told what finishes it.
fn pending(tenant: &Tenant, due: SecondFactorDue) -> MeResponse {
    MeResponse {
        second_factor: Some(due),
        ..signed_out(Some(tenant))
    }
}

/// What a waiting sign-in waits for.
async fn due_of(ctx: &TenantContext, waiting: &PendingSignIn) -> Result<SecondFactorDue, ApiError> {
    Ok(match waiting.awaits {
        Awaits::Enrolment => SecondFactorDue::enrolment(),
        Awaits::Factor => {
            let enrolled = factors::enrolled(&ctx.tenant.db, waiting.user).await?;
            SecondFactorDue::of(enrolled.totp, enrolled.passkeys)
        }
    })
}

/// After the password: signed in; or, for someone with a second factor, a
/// sign-in waiting for it; or, for someone the workspace asks to have one
/// (`signin.second_factor`) who has none, a sign-in waiting for its set-up.
async fn after_password(ctx: &TenantContext, user: &User) -> Result<SignedIn, ApiError> {
    let password = Assurance::of(Method::Password, ctx.platform.clock.unix());
    let enrolled = factors::enrolled(&ctx.tenant.db, user.id).await?;
    let (awaits, due) = if enrolled.any() {
        (
            Awaits::Factor,
            SecondFactorDue::of(enrolled.totp, enrolled.passkeys),
        )
    } else if factors::required(ctx.tenant.settings.signin.second_factor, user.role) {
        (Awaits::Enrolment, SecondFactorDue::enrolment())
    } else {
        return sign_in(ctx, user, password).await;
    };
    ctx.session
        .begin_pending(user.id, None, password, awaits)
        .await?;
    crate::error::navigation::after_success(TWO_STEP_PAGE);
    Ok(SignedIn {
        me: pending(&ctx.tenant.tenant, due),
        bridge_token: None,
    })
}

/// Signs the user in, starting this device's bridge family when the bridge
/// is on for them (`bridge.enabled`, `bridge.rollout`) and the token can
/// reach the browser: in the bridge cookie (`bridge.storage = cookie`), or
/// in the answer for the page's script — which a plain form post (before
/// hydration, or without JavaScript) never reads, so there the family
/// starts on the device's first refresh instead.
pub(super) async fn sign_in(
    ctx: &TenantContext,
    user: &User,
    assurance: Assurance,
) -> Result<SignedIn, ApiError> {
    let settings = &ctx.tenant.settings.bridge;
    let reachable = settings.storage == BridgeStorage::Cookie
        || !crate::error::navigation::is_plain_form_post();
    let issued = if settings.enabled && reachable && super::bridge::admits(ctx, user) {
        let db = ctx.tenant.db.clone();
        Some(super::bridge::issue_family(ctx, &db, user.id).await?)
    } else {
        None
    };
    ctx.session
        .log_in(
            user.id,
            issued.as_ref().map(|i| &i.family),
            &ctx.device(),
            assurance,
        )
        .await?;
    crate::error::navigation::after_success("/dashboard");
    Ok(SignedIn {
        me: signed_in(&ctx.tenant.tenant, user),
        bridge_token: issued.and_then(|i| super::bridge_storage::hand_over(ctx, &i)),
    })
}

/// Admits a sign-in or registration attempt for `email` at this tenant (429 otherwise).
pub(super) async fn admit<'a>(
    ctx: &'a TenantContext,
    email: &str,
) -> Result<SignInGate<'a>, ApiError> {
    let realm = SignInRealm::Tenant(ctx.tenant.tenant.id);
    let policy = ctx.tenant.settings.signin;
    throttle::admit(
        &ctx.platform,
        realm,
        email,
        &ctx.client,
        policy,
        AddressCount::EveryAttempt,
    )
    .await
}

pub async fn register(email: String, password: String, name: String) -> Result<SignedIn, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let gate = admit(&ctx, &email).await?;
    let db = ctx.tenant.db.clone();
    let user = match users::register(
        &db,
        &ctx.platform.clock,
        &ctx.platform.hasher,
        &email,
        password,
        &name,
        NewRole::FirstUserIsAdmin,
    )
    .await
    {
        Ok(user) => user,
        // Probing for existing accounts counts like guessing passwords.
        Err(AccountError::EmailTaken) => {
            throttle::failed(&gate, &ctx.platform.clock, None, &email, &ctx.client).await?;
            return Err(AccountError::EmailTaken.into());
        }
        Err(e) => return Err(e.into()),
    };
    after_password(&ctx, &user).await
}

pub async fn login(email: String, password: String) -> Result<SignedIn, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let gate = admit(&ctx, &email).await?;
    let db = ctx.tenant.db.clone();
    let user = match users::authenticate(&db, &ctx.platform.hasher, &email, password).await {
        Ok(user) => user,
        Err(AccountError::WrongCredentials) => {
            let event = (&db, SignInEventKind::Failed);
            throttle::failed(&gate, &ctx.platform.clock, Some(event), &email, &ctx.client).await?;
            return Err(AccountError::WrongCredentials.into());
        }
        Err(e) => return Err(e.into()),
    };
    gate.succeeded().await.map_err(throttle::limiter_down)?;
    after_password(&ctx, &user).await
}

const WRONG_PASSWORD: &str = "that password is not right";
pub(super) const ENROL_FIRST: &str =
    "set up two-step sign-in first: this workspace asks you for it";

/// Checks the signed-in person's password again, throttled and recorded
/// like a sign-in, and counts it as a fresh proof for this session.
pub(super) async fn reauthenticate(
    ctx: &TenantContext,
    user: &User,
    password: String,
) -> Result<(), ApiError> {
    let email = user.email.as_str();
    let gate = admit(ctx, email).await?;
    let db = ctx.tenant.db.clone();
    match users::authenticate(&db, &ctx.platform.hasher, email, password).await {
        Ok(_) => {}
        Err(AccountError::WrongCredentials) => {
            let event = (&db, SignInEventKind::Failed);
            throttle::failed(&gate, &ctx.platform.clock, Some(event), email, &ctx.client).await?;
            return Err(ApiError::Unauthorized(WRONG_PASSWORD.into()));
        }
        Err(e) => return Err(e.into()),
    }
    gate.succeeded().await.map_err(throttle::limiter_down)?;
    ctx.session.prove(Method::Password).await?;
    Ok(())
}

/// The password again, for someone without a second factor whose
/// privileged action answered `step_up_required`.
pub async fn confirm_password(password: String) -> Result<MeResponse, ApiError> {
    let (ctx, user) = require_user().await?;
    reauthenticate(&ctx, &user, password).await?;
    Ok(signed_in(&ctx.tenant.tenant, &user))
}

/// Completes a sign-in (or a restore) waiting for its second factor with a
/// TOTP code or a recovery code; or, for someone signed in, presents the
/// factor again before a privileged action. Wrong codes count like wrong
/// passwords, per account and per client.
pub async fn second_factor(code: String) -> Result<SignedIn, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let (waiting, current) = match ctx.session.pending().await? {
        Some(waiting) if waiting.awaits == Awaits::Enrolment => {
            return Err(ApiError::Forbidden(ENROL_FIRST.into()))
        }
        Some(waiting) => (Some(waiting), None),
        None => (None, super::guard::signed_in_session(&ctx).await?),
    };
    let user_id = match (&waiting, &current) {
        (Some(waiting), _) => waiting.user,
        (None, Some((user, _))) => user.id,
        (None, None) => {
            return Err(ApiError::Unauthorized(
                "no sign-in is waiting for a second factor; sign in first".into(),
            ))
        }
    };
    let db = ctx.tenant.db.clone();
    let Some(user) = users::find(&db, user_id).await? else {
        ctx.session.log_out().await?;
        return Err(ApiError::Unauthorized("sign in first".into()));
    };
    let gate = admit(&ctx, user.email.as_str()).await?;
    let ring = ctx.platform.keys.ring().await;
    let owner = Owner {
        tenant: ctx.tenant.tenant.id,
        user: user.id,
    };
    let presented = match factors::totp::verify(&db, &ring, &ctx.platform.clock, owner, &code).await
    {
        Ok(presented) => presented,
        Err(FactorError::WrongCode | FactorError::NotEnrolled) => {
            let event = (&db, SignInEventKind::WrongCode);
            let (clock, email) = (&ctx.platform.clock, user.email.as_str());
            throttle::failed(&gate, clock, Some(event), email, &ctx.client).await?;
            // A restore whose factor is guessed at: the admin sees it in
            // the bridge's chart as a failure, beside the sign-in event.
            if let Some(family) = waiting.as_ref().and_then(|w| w.family.as_ref()) {
                let device = ctx.device();
                let failed = bridge::Event {
                    kind: bridge::EventKind::StepUpFailed,
                    family: Some(family),
                    user: Some(user.id),
                    ip: device.ip.as_deref(),
                    at: clock.unix(),
                };
                bridge::record(&db, failed).await?;
            }
            return Err(ApiError::Unauthorized(FactorError::WrongCode.to_string()));
        }
        Err(e) => return Err(e.into()),
    };
    gate.succeeded().await.map_err(throttle::limiter_down)?;
    let now = ctx.platform.clock.unix();
    if presented == Presented::RecoveryCode {
        audit::record(&db, &ctx.platform.clock, &user, "recovery code used", "").await?;
    }
    match (waiting, current) {
        (Some(waiting), _) => complete(&ctx, &user, waiting, Method::from(presented), now).await,
        (None, Some(_)) => {
            ctx.session.prove(Method::from(presented)).await?;
            Ok(SignedIn {
                me: signed_in(&ctx.tenant.tenant, &user),
                bridge_token: None,
            })
        }
        (None, None) => Err(ApiError::internal()),
    }
}

/// Finishes a pending sign-in. A restore's family is replaced: its token
/// was never rotated while the factor was due (see `bridge::vouch`), and
/// this device starts a new family, as at a sign-in; the old one, whose
/// token this device holds, is revoked.
pub(super) async fn complete(
    ctx: &TenantContext,
    user: &User,
    waiting: PendingSignIn,
    presented: Method,
    now: i64,
) -> Result<SignedIn, ApiError> {
    let Some(family) = &waiting.family else {
        return sign_in(ctx, user, waiting.assurance.and(presented, now)).await;
    };
    let db = ctx.tenant.db.clone();
    bridge::revoke(
        &db,
        ctx.announce(),
        &ctx.platform.clock,
        family,
        "replaced: its restore was completed with a second factor",
        ctx.device().ip.as_deref(),
    )
    .await?;
    let signed_in = sign_in(ctx, user, waiting.assurance.and(presented, now)).await?;
    // A restore asked in place (`pages::restore_prompt`) goes on with the
    // page it was asked on.
    crate::error::navigation::after_success_back_except(TWO_STEP_PAGE, "/dashboard");
    Ok(signed_in)
}

/// Ends the session and revokes this device's bridge token server-side.
pub async fn logout() -> Result<MeResponse, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    // A sign-in still waiting for its second factor holds no device of its
    // own: a restore's token is left to its owner (see `bridge::vouch`).
    if let Some(family) = ctx.session.bridge_family().await? {
        let db = ctx.tenant.db.clone();
        bridge::revoke(
            &db,
            ctx.announce(),
            &ctx.platform.clock,
            &family,
            "logout",
            ctx.device().ip.as_deref(),
        )
        .await?;
    }
    super::bridge_storage::forget(&ctx);
    ctx.session.log_out().await?;
    crate::error::navigation::after_success("/");
    Ok(signed_out(Some(&ctx.tenant.tenant)))
}

pub async fn me() -> Result<MeResponse, ApiError> {
    visitor_of(context::request()?).await
}

/// The visitor the front door read for the page being rendered (the
/// central site has none to read: nobody signs in there).
pub fn page_visitor() -> Result<MeResponse, ApiError> {
    with_context::<Parts, _>(|parts| {
        let visit = parts.extensions.get::<context::Visit>()?;
        match &visit.site {
            Site::Central => Some(Ok(signed_out(None))),
            Site::Tenant(_) => visit.visitor.clone(),
        }
    })
    .flatten()
    .unwrap_or_else(|| Err(ApiError::internal()))
}

/// Who is visiting: signed in at this tenant, or not.
pub async fn visitor_of(request: context::RequestContext) -> Result<MeResponse, ApiError> {
    if let Site::Central = request.site {
        return Ok(signed_out(None));
    }
    let ctx = request.into_tenant()?;
    Ok(match current_user(&ctx).await? {
        Some(user) => signed_in(&ctx.tenant.tenant, &user),
        None => match ctx.session.pending().await? {
            Some(waiting) => pending(&ctx.tenant.tenant, due_of(&ctx, &waiting).await?),
            None => signed_out(Some(&ctx.tenant.tenant)),
        },
    })
}
