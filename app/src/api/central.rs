//! The central admin (`/api/central/*` on the central domain): tenants.
//! Guarded by HTTP Basic auth (user `admin`, password from
//! TESSERA_CENTRAL_ADMIN_PASSWORD); without that setting it does not exist.

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::encoding::{JsonOrForm, Posted};
use crate::{error::ApiError, model::central::TenantRow};

#[server(prefix = "/api", endpoint = "central/tenants", input = GetUrl)]
pub async fn central_tenants() -> Result<Vec<TenantRow>, ApiError> {
    crate::server::central::tenants().await
}

#[server(prefix = "/api", endpoint = "central/tenants/create", input = JsonOrForm, custom = Posted)]
pub async fn central_create(
    slug: String,
    name: String,
    admin_email: String,
    admin_password: String,
) -> Result<Vec<TenantRow>, ApiError> {
    crate::server::central::create(slug, name, admin_email, admin_password).await
}

#[server(prefix = "/api", endpoint = "central/tenants/migrate", input = JsonOrForm, custom = Posted)]
pub async fn central_migrate(slug: String) -> Result<Vec<TenantRow>, ApiError> {
    crate::server::central::migrate(slug).await
}

/// Deletes a tenant and all its data; `confirm` must repeat the slug.
#[server(prefix = "/api", endpoint = "central/tenants/delete", input = JsonOrForm, custom = Posted)]
pub async fn central_delete(slug: String, confirm: String) -> Result<Vec<TenantRow>, ApiError> {
    crate::server::central::delete(slug, confirm).await
}
