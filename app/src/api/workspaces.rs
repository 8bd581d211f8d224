//! `/api/workspaces`: on the central domain, creating a workspace and
//! finding one's sign-in page.

use leptos::prelude::*;

use super::encoding::{JsonOrForm, Posted};
use crate::error::ApiError;
use crate::model::accounts::WorkspaceLogin;

#[server(prefix = "/api", endpoint = "workspaces", input = JsonOrForm, custom = Posted)]
pub async fn create_workspace(
    slug: String,
    name: String,
    admin_name: String,
    admin_email: String,
    admin_password: String,
) -> Result<WorkspaceLogin, ApiError> {
    crate::server::workspaces::create(slug, name, admin_name, admin_email, admin_password).await
}

/// "Sign in to your workspace": from its address as someone remembers it
/// (`acme`, `Acme`, `acme.example.com`, a pasted URL) to its sign-in page.
#[server(prefix = "/api", endpoint = "workspaces/find", input = JsonOrForm, custom = Posted)]
pub async fn find_workspace(workspace: String) -> Result<WorkspaceLogin, ApiError> {
    crate::server::workspaces::find(workspace).await
}
