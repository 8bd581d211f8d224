//! The tenant admin panel's API (`/api/admin/*`): admins only, 403 for anyone else.

use std::collections::BTreeMap;

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::encoding::{JsonOrForm, Posted};
use crate::{
    error::ApiError,
    model::{
        accounts::{RoleView, UserView},
        admin::{
            AdminDeviceView, AuditEntryView, Page, PanelView, SessionView, SettingsView, UsageDay,
        },
    },
};

/// Everything the panel shows; the sessions and devices lists at pages
/// `sessions_page` and `devices_page` (from 1; the first when absent).
#[server(prefix = "/api", endpoint = "admin/panel", input = GetUrl)]
pub async fn admin_panel(
    sessions_page: Option<u32>,
    devices_page: Option<u32>,
) -> Result<PanelView, ApiError> {
    crate::server::admin::panel(sessions_page, devices_page).await
}

#[server(prefix = "/api", endpoint = "admin/settings", input = GetUrl)]
pub async fn admin_settings() -> Result<SettingsView, ApiError> {
    crate::server::admin::settings().await
}

/// Saves the submitted values (a value equal to the default, or empty, drops
/// the override). Refused as a whole, naming the field, when any is invalid.
/// From a form: `switches` names the on/off settings it showed (one that is
/// off sends no value, and is saved as `false`); `reset` names overrides to
/// drop.
#[server(prefix = "/api", endpoint = "admin/settings/save", input = JsonOrForm, custom = Posted)]
pub async fn save_settings(
    values: BTreeMap<String, String>,
    #[server(default)] switches: BTreeMap<String, String>,
    #[server(default)] reset: BTreeMap<String, String>,
) -> Result<SettingsView, ApiError> {
    crate::server::admin::save_settings(values, switches, reset).await
}

#[server(prefix = "/api", endpoint = "admin/users", input = GetUrl)]
pub async fn admin_users() -> Result<Vec<UserView>, ApiError> {
    crate::server::admin::users().await
}

#[server(prefix = "/api", endpoint = "admin/users/role", input = JsonOrForm, custom = Posted)]
pub async fn set_role(user_id: i64, role: RoleView) -> Result<Vec<UserView>, ApiError> {
    crate::server::admin::set_role(user_id, role).await
}

/// Ends every session and bridge device of a user (not one's own: the
/// Security page's "sign out everywhere else" is for that).
#[server(prefix = "/api", endpoint = "admin/users/sign-out", input = JsonOrForm, custom = Posted)]
pub async fn sign_out_user(user_id: i64) -> Result<Vec<UserView>, ApiError> {
    crate::server::admin::sign_out_user(user_id).await
}

#[server(prefix = "/api", endpoint = "admin/audit", input = GetUrl)]
pub async fn admin_audit() -> Result<Vec<AuditEntryView>, ApiError> {
    crate::server::admin::audit().await
}

/// Bridge restores, refreshes, failures and revocations per day, last 14
/// days: everyone's, or one cohort's (`?cohort=admins` or `members`).
#[server(prefix = "/api", endpoint = "admin/bridge-usage", input = GetUrl)]
pub async fn bridge_usage(cohort: Option<String>) -> Result<Vec<UsageDay>, ApiError> {
    crate::server::admin::bridge_usage(cohort).await
}

/// The workspace's sessions, fifty a page, the most recently active first,
/// with their total (`?page=2` for the next fifty).
#[server(prefix = "/api", endpoint = "admin/sessions", input = GetUrl)]
pub async fn admin_sessions(page: Option<u32>) -> Result<Page<SessionView>, ApiError> {
    crate::server::admin_sessions::sessions(page).await
}

/// Ends a session and its bridge device; its holder is signed out on their
/// next request. Answers the first page.
#[server(prefix = "/api", endpoint = "admin/sessions/revoke", input = JsonOrForm, custom = Posted)]
pub async fn revoke_session(handle: String) -> Result<Page<SessionView>, ApiError> {
    crate::server::admin_sessions::revoke_session(handle).await
}

/// The workspace's bridge devices, fifty a page, the most recently used
/// first, with their total (`?page=2` for the next fifty).
#[server(prefix = "/api", endpoint = "admin/devices", input = GetUrl)]
pub async fn admin_devices(page: Option<u32>) -> Result<Page<AdminDeviceView>, ApiError> {
    crate::server::admin_sessions::devices(page).await
}

/// Revokes a bridge device: its token stops working and its sessions end.
/// Answers the first page.
#[server(prefix = "/api", endpoint = "admin/devices/revoke", input = JsonOrForm, custom = Posted)]
pub async fn admin_revoke_device(device_id: String) -> Result<Page<AdminDeviceView>, ApiError> {
    crate::server::admin_sessions::revoke_device(device_id).await
}
