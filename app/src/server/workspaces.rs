//! Tenant sign-up from the central domain.

use tessera_backend::{platform::NewAdmin, tenancy::{Site, Slug}};

use super::context;
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
        return Err(ApiError::NotFound("workspaces are created on the main site".into()));
    }
    let slug = Slug::parse(slug.trim())?;
    let admin = NewAdmin { email: admin_email, password: admin_password, name: admin_name };
    let (tenant, _) = ctx.platform.provision(&slug, &name, Some(admin)).await?;
    tracing::info!(tenant = %tenant.slug, "workspace created from sign-up");
    let port = ctx.host.rsplit_once(':').map(|(_, port)| format!(":{port}")).unwrap_or_default();
    let scheme = if ctx.https { "https" } else { "http" };
    let login_url = format!("{scheme}://{}.{}{port}/login", tenant.slug, ctx.platform.config.domain.as_str());
    super::navigation::after_success(&login_url);
    Ok(WorkspaceCreated { slug: tenant.slug.to_string(), login_url })
}
