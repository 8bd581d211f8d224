//! Registration, login, logout and "who am I" for a tenant.

use http::request::Parts;
use leptos::prelude::with_context;
use tessera_backend::{
    accounts::{users, AccountError, NewRole, Role, User},
    bridge,
    limits::{AddressCount, SignInGate, SignInRealm},
    tenancy::{Site, Tenant},
};

use super::{
    context::{self, TenantContext},
    guard::current_user,
    throttle,
};
use crate::{
    error::ApiError,
    model::accounts::{MeResponse, RoleView, SignedIn, TenantView, UserView},
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

fn signed_in(tenant: &Tenant, user: &User) -> MeResponse {
    MeResponse {
        authenticated: true,
        user: Some(user_view(user)),
        tenant: Some(tenant_view(tenant)),
    }
}

fn signed_out(tenant: Option<&Tenant>) -> MeResponse {
    MeResponse {
        authenticated: false,
        user: None,
        tenant: tenant.map(tenant_view),
    }
}

/// Signs the user in, starting this device's bridge family when the bridge
/// is on and the answer can reach a script: a plain form post (before
/// hydration, or without JavaScript) is redirected and its token would be
/// lost, so that device's family starts on its first refresh instead.
async fn sign_in(ctx: &TenantContext, user: &User) -> Result<SignedIn, ApiError> {
    let settings = &ctx.tenant.settings.bridge;
    let issued = if settings.enabled && !crate::error::navigation::is_plain_form_post() {
        let db = ctx.tenant.db.clone();
        Some(super::bridge::issue_family(ctx, &db, user.id).await?)
    } else {
        None
    };
    ctx.session
        .log_in(user.id, issued.as_ref().map(|i| &i.family), &ctx.device())
        .await?;
    crate::error::navigation::after_success("/dashboard");
    Ok(SignedIn {
        me: signed_in(&ctx.tenant.tenant, user),
        bridge_token: issued.map(|i| i.token.expose()),
    })
}

/// Admits a sign-in or registration attempt for `email` at this tenant (429 otherwise).
async fn admit<'a>(ctx: &'a TenantContext, email: &str) -> Result<SignInGate<'a>, ApiError> {
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
    sign_in(&ctx, &user).await
}

pub async fn login(email: String, password: String) -> Result<SignedIn, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let gate = admit(&ctx, &email).await?;
    let db = ctx.tenant.db.clone();
    let user = match users::authenticate(&db, &ctx.platform.hasher, &email, password).await {
        Ok(user) => user,
        Err(AccountError::WrongCredentials) => {
            throttle::failed(&gate, &ctx.platform.clock, Some(&db), &email, &ctx.client).await?;
            return Err(AccountError::WrongCredentials.into());
        }
        Err(e) => return Err(e.into()),
    };
    gate.succeeded().await.map_err(throttle::limiter_down)?;
    sign_in(&ctx, &user).await
}

/// Ends the session and revokes this device's bridge token server-side.
pub async fn logout() -> Result<MeResponse, ApiError> {
    let ctx = context::request()?.into_tenant()?;
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
        None => signed_out(Some(&ctx.tenant.tenant)),
    })
}
