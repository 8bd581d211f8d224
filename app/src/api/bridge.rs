//! `/api/session-bridge/*`, with the source document's paths and shapes.

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::encoding::{JsonOrForm, Posted};
use crate::model::bridge::{
    BridgeFailure, CheckResponse, DeviceView, RefreshResponse, RestoreResponse,
};

/// Restores a lost session with the token in the body, or with an empty
/// body, the one in the bridge cookie (`bridge.storage = cookie`).
#[server(prefix = "/api", endpoint = "session-bridge/restore", input = JsonOrForm, custom = Posted)]
pub async fn restore(token: Option<String>) -> Result<RestoreResponse, BridgeFailure> {
    crate::server::bridge::restore(token).await
}

#[server(prefix = "/api", endpoint = "session-bridge/check", input = JsonOrForm, custom = Posted)]
pub async fn check() -> Result<CheckResponse, BridgeFailure> {
    crate::server::bridge::check().await
}

/// Rotates this device's token. The client sends the token it holds (or,
/// in cookie mode, the browser sends the cookie), so two tabs refreshing at
/// once both end up with the same valid successor.
#[server(prefix = "/api", endpoint = "session-bridge/refresh", input = JsonOrForm, custom = Posted)]
pub async fn refresh(token: Option<String>) -> Result<RefreshResponse, BridgeFailure> {
    crate::server::bridge::refresh(token).await
}

#[server(prefix = "/api", endpoint = "session-bridge/devices", input = GetUrl)]
pub async fn devices() -> Result<Vec<DeviceView>, BridgeFailure> {
    crate::server::bridge::devices().await
}

#[server(prefix = "/api", endpoint = "session-bridge/devices/revoke", input = JsonOrForm, custom = Posted)]
pub async fn revoke_device(device_id: String) -> Result<Vec<DeviceView>, BridgeFailure> {
    crate::server::bridge::revoke_device(device_id).await
}
