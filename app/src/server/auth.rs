//! Registration, login, logout and "who am I" for a tenant.

use tessera_backend::{
    accounts::{users, NewRole, Role, User},
    tenancy::{Site, Tenant},
};

use super::context::{self, TenantContext};
use crate::{
    api::types::{MeResponse, RoleView, TenantView, UserView},
    error::ApiError,
};

fn tenant_view(tenant: &Tenant) -> TenantView {
    TenantView { slug: tenant.slug.to_string(), name: tenant.name.clone() }
}

fn user_view(user: &User) -> UserView {
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
    MeResponse { authenticated: true, user: Some(user_view(user)), tenant: Some(tenant_view(tenant)) }
}

fn signed_out(tenant: Option<&Tenant>) -> MeResponse {
    MeResponse { authenticated: false, user: None, tenant: tenant.map(tenant_view) }
}

/// The signed-in user of this tenant, if any.
pub async fn current_user(ctx: &TenantContext) -> Result<Option<User>, ApiError> {
    let Some(id) = ctx.session.user_id().await? else { return Ok(None) };
    let db = ctx.platform.directory.db(&ctx.tenant.tenant).await?;
    Ok(users::find(&db, id).await?)
}

pub async fn register(email: String, password: String, name: String) -> Result<MeResponse, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let db = ctx.platform.directory.db(&ctx.tenant.tenant).await?;
    let user = users::register(&db, &email, password, &name, NewRole::FirstUserIsAdmin).await?;
    ctx.session.log_in(user.id).await?;
    super::navigation::after_success("/dashboard");
    Ok(signed_in(&ctx.tenant.tenant, &user))
}

pub async fn login(email: String, password: String) -> Result<MeResponse, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    let db = ctx.platform.directory.db(&ctx.tenant.tenant).await?;
    let user = users::authenticate(&db, &email, password).await?;
    ctx.session.log_in(user.id).await?;
    super::navigation::after_success("/dashboard");
    Ok(signed_in(&ctx.tenant.tenant, &user))
}

pub async fn logout() -> Result<MeResponse, ApiError> {
    let ctx = context::request()?.into_tenant()?;
    ctx.session.log_out().await?;
    super::navigation::after_success("/");
    Ok(signed_out(Some(&ctx.tenant.tenant)))
}

pub async fn me() -> Result<MeResponse, ApiError> {
    let request = context::request()?;
    if let Site::Central = request.site {
        return Ok(signed_out(None));
    }
    let ctx = request.into_tenant()?;
    Ok(match current_user(&ctx).await? {
        Some(user) => signed_in(&ctx.tenant.tenant, &user),
        None => signed_out(Some(&ctx.tenant.tenant)),
    })
}
