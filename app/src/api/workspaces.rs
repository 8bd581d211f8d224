//! `/api/workspaces`: tenant sign-up on the central domain.

use leptos::prelude::*;

use super::encoding::{JsonOrForm, Posted};
use super::types::WorkspaceCreated;
use crate::error::ApiError;

#[server(prefix = "/api", endpoint = "workspaces", input = JsonOrForm, custom = Posted)]
pub async fn create_workspace(
    slug: String,
    name: String,
    admin_name: String,
    admin_email: String,
    admin_password: String,
) -> Result<WorkspaceCreated, ApiError> {
    crate::server::workspaces::create(slug, name, admin_name, admin_email, admin_password).await
}
