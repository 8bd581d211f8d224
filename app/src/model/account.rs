//! The Security page: one's own sessions and bridge devices.

use serde::{Deserialize, Serialize};

use super::{admin::SessionView, bridge::DeviceView};

/// One's own sessions (this one marked `current`) and bridge devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub sessions: Vec<SessionView>,
    pub devices: Vec<DeviceView>,
}
