//! The tenant admin panel's API (`/api/admin/*`): admins only, 403 for anyone else.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::GetUrl;

use super::encoding::{JsonOrForm, Posted};
use super::types::{RoleView, UserView};
use crate::error::ApiError;

/// One setting as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingField {
    /// The setting's name (`cookie.same_site`), also the form field's.
    pub key: String,
    /// The environment variable that gives the default.
    pub env: String,
    pub value: String,
    /// True when the tenant overrides the default.
    pub overridden: bool,
    /// Kept by the operator: shown, not editable here.
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub fields: Vec<SettingField>,
    /// Set when the settings let sessions cross tenants.
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// A failed sign-in, or the lockout one caused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInEventView {
    pub at: i64,
    /// `failed` or `locked`.
    pub kind: String,
    /// As typed (normalised), which may be no account at all.
    pub email: String,
    pub ip: Option<String>,
}

/// A signed-in session of the tenant. `handle` names it without revealing
/// its id (a one-way hash of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub handle: String,
    pub user: String,
    pub created_at: Option<i64>,
    pub last_seen: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub current: bool,
}

/// A bridge device of any user of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDeviceView {
    pub id: String,
    pub user: String,
    pub last_used_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Bridge activity of one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub restores: u64,
    pub refreshes: u64,
    pub failures: u64,
    pub revocations: u64,
}

/// Everything the panel shows, in one round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelView {
    pub settings: SettingsView,
    pub users: Vec<UserView>,
    pub audit: Vec<AuditEntryView>,
    pub usage: Vec<UsageDay>,
    pub sessions: Vec<SessionView>,
    pub devices: Vec<AdminDeviceView>,
    pub sign_in_events: Vec<SignInEventView>,
}

#[server(prefix = "/api", endpoint = "admin/panel", input = GetUrl)]
pub async fn admin_panel() -> Result<PanelView, ApiError> {
    crate::server::admin::panel().await
}

#[server(prefix = "/api", endpoint = "admin/settings", input = GetUrl)]
pub async fn admin_settings() -> Result<SettingsView, ApiError> {
    crate::server::admin::settings().await
}

/// Saves the submitted values (a value equal to the default, or empty, drops
/// the override). Refused as a whole, naming the field, when any is invalid.
#[server(prefix = "/api", endpoint = "admin/settings/save", input = JsonOrForm, custom = Posted)]
pub async fn save_settings(values: BTreeMap<String, String>) -> Result<SettingsView, ApiError> {
    crate::server::admin::save_settings(values).await
}

#[server(prefix = "/api", endpoint = "admin/users", input = GetUrl)]
pub async fn admin_users() -> Result<Vec<UserView>, ApiError> {
    crate::server::admin::users().await
}

#[server(prefix = "/api", endpoint = "admin/users/role", input = JsonOrForm, custom = Posted)]
pub async fn set_role(user_id: i64, role: RoleView) -> Result<Vec<UserView>, ApiError> {
    crate::server::admin::set_role(user_id, role).await
}

#[server(prefix = "/api", endpoint = "admin/audit", input = GetUrl)]
pub async fn admin_audit() -> Result<Vec<AuditEntryView>, ApiError> {
    crate::server::admin::audit().await
}

/// Bridge restores, refreshes, failures and revocations per day, last 14 days.
#[server(prefix = "/api", endpoint = "admin/bridge-usage", input = GetUrl)]
pub async fn bridge_usage() -> Result<Vec<UsageDay>, ApiError> {
    crate::server::admin::bridge_usage().await
}

#[server(prefix = "/api", endpoint = "admin/sessions", input = GetUrl)]
pub async fn admin_sessions() -> Result<Vec<SessionView>, ApiError> {
    crate::server::admin_sessions::sessions().await
}

/// Ends a session; its holder is signed out on their next request.
#[server(prefix = "/api", endpoint = "admin/sessions/revoke", input = JsonOrForm, custom = Posted)]
pub async fn revoke_session(handle: String) -> Result<Vec<SessionView>, ApiError> {
    crate::server::admin_sessions::revoke_session(handle).await
}

#[server(prefix = "/api", endpoint = "admin/devices", input = GetUrl)]
pub async fn admin_devices() -> Result<Vec<AdminDeviceView>, ApiError> {
    crate::server::admin_sessions::devices().await
}

/// Revokes a bridge device: its token stops working and its sessions end.
#[server(prefix = "/api", endpoint = "admin/devices/revoke", input = JsonOrForm, custom = Posted)]
pub async fn admin_revoke_device(device_id: String) -> Result<Vec<AdminDeviceView>, ApiError> {
    crate::server::admin_sessions::revoke_device(device_id).await
}
