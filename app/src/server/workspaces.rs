//! Tenant sign-up from the central domain.

use tessera_backend::{
    limits::{AddressCount, SignInRealm},
    platform::NewAdmin,
    tenancy::{Site, Slug},
};

use super::{context, throttle};
use crate::{api::types::WorkspaceCreated, error::ApiError};

pub async fn create(
    slug: String,
    name: String,
    admin_name: String,
    admin_email: String,
    admin_password: String,
) -> Result<WorkspaceCreated, ApiError> {
    let ctx = context::request()?;
    if !matches!(ctx.site, Site::Central) {
        return Err(ApiError::NotFound(
            "workspaces are created on the main site".into(),
        ));
    }
    let policy = ctx.platform.directory.defaults().signin;
    let gate = throttle::admit(
        &ctx.platform,
        SignInRealm::Central,
        &admin_email,
        &ctx.client,
        policy,
        AddressCount::EveryAttempt,
    )
    .await?;
    let slug = Slug::parse(slug.trim())?;
    let email = admin_email.clone();
    let admin = NewAdmin {
        email: admin_email,
        password: admin_password,
        name: admin_name,
    };
    let (tenant, _) = match ctx.platform.provision(&slug, &name, Some(admin)).await {
        Ok(created) => created,
        Err(e) => {
            throttle::failed(&gate, None, &email, &ctx.client).await?;
            return Err(e.into());
        }
    };
    tracing::info!(tenant = %tenant.slug, "workspace created from sign-up");
    let port = ctx
        .host
        .rsplit_once(':')
        .map(|(_, port)| format!(":{port}"))
        .unwrap_or_default();
    let scheme = if ctx.client.https { "https" } else { "http" };
    let login_url = format!(
        "{scheme}://{}.{}{port}/login",
        tenant.slug,
        ctx.platform.config.domain.as_str()
    );
    super::navigation::after_success(&login_url);
    Ok(WorkspaceCreated {
        slug: tenant.slug.to_string(),
        login_url,
    })
}
