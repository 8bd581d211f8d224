//! What the tenant admin panel shows: settings, users, sessions, devices,
//! audit, bridge usage.

use serde::{Deserialize, Serialize};

use super::accounts::{SecondFactorDue, UserView};

/// One setting as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingField {
    /// The setting's name (`cookie.same_site`), also the form field's.
    pub key: String,
    /// What a person calls it ("Session lifetime").
    pub label: String,
    /// What it does, in a line.
    pub help: String,
    pub section: SettingSection,
    pub control: Control,
    /// The environment variable that gives the default.
    pub env: String,
    /// The effective value, as the control shows it ("" when unset).
    pub value: String,
    /// The default's value, likewise.
    pub default: String,
    /// True when the tenant overrides the default.
    pub overridden: bool,
    /// Kept by the operator: shown, not editable here.
    pub locked: bool,
}

/// The settings page's sections, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingSection {
    SessionsAndCookies,
    Storage,
    SessionBridge,
    SignInProtection,
}

impl SettingSection {
    pub const ALL: [SettingSection; 4] = [
        SettingSection::SessionsAndCookies,
        SettingSection::Storage,
        SettingSection::SessionBridge,
        SettingSection::SignInProtection,
    ];

    pub fn title(self) -> &'static str {
        match self {
            SettingSection::SessionsAndCookies => "Sessions and cookies",
            SettingSection::Storage => "Storage",
            SettingSection::SessionBridge => "Session bridge",
            SettingSection::SignInProtection => "Sign-in protection",
        }
    }
}

/// How a setting is edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Control {
    /// On or off.
    Switch,
    /// One of a few values.
    Select { options: Vec<Choice> },
    /// A whole number in `min..=max` of `unit`.
    Number { unit: String, min: u64, max: u64 },
    /// Free text; empty means unset when `optional`.
    Text { optional: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
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
    /// How it was signed in.
    pub assurance: AssuranceView,
    /// The bridge device it belongs to (its id, as the devices list names
    /// it), if any: the device that brought it back, for a restored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

/// One way a session's person proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofView {
    Password,
    Totp,
    RecoveryCode,
    Passkey,
    BridgeRestore,
}

impl ProofView {
    fn label(self) -> &'static str {
        match self {
            ProofView::Password => "password",
            ProofView::Totp => "authenticator code",
            ProofView::RecoveryCode => "recovery code",
            ProofView::Passkey => "passkey",
            ProofView::BridgeRestore => "restored by the bridge",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelView {
    OneFactor,
    TwoFactors,
}

/// A session's assurance: `{"level": "two_factors", "methods": ["password", "totp"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssuranceView {
    pub level: LevelView,
    /// Each proof, oldest first.
    pub methods: Vec<ProofView>,
}

impl AssuranceView {
    /// "password + authenticator code (two factors)": each method once.
    pub fn describe(&self) -> String {
        let mut methods: Vec<&str> = Vec::new();
        for label in self.methods.iter().map(|m| m.label()) {
            if !methods.contains(&label) {
                methods.push(label);
            }
        }
        let level = match self.level {
            LevelView::OneFactor => "one factor",
            LevelView::TwoFactors => "two factors",
        };
        if methods.is_empty() {
            return level.to_owned();
        }
        format!("{} ({level})", methods.join(" + "))
    }
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

/// One page of a workspace-wide list, the most recent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Rows in the whole list (counted at most every ten seconds).
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    /// Rows a page holds.
    pub const SIZE: u32 = 50;

    /// The number of the page after this one, if there is one.
    pub fn next(&self) -> Option<u32> {
        (u64::from(self.page) * u64::from(self.per_page) < self.total).then(|| self.page + 1)
    }

    /// The number of the page before this one, if there is one.
    pub fn previous(&self) -> Option<u32> {
        (self.page > 1).then(|| self.page - 1)
    }
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

/// Bridge activity of one cohort (by role), for the split chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageCohort {
    /// `admins` or `members`.
    pub cohort: String,
    pub usage: Vec<UsageDay>,
}

/// Who has the session bridge under the workspace's rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeHoldersView {
    /// The `bridge.rollout` in force.
    pub rollout: String,
    /// How many people have it, of how many.
    pub count: u64,
    pub users: u64,
    /// The first of them by id (fifty at most), each with the reason.
    pub first: Vec<HolderView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderView {
    pub email: String,
    pub name: String,
    pub reason: String,
}

/// Everything the panel shows, in one round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelView {
    /// What a step-up asks the admin looking for (their second factors;
    /// none: the password).
    pub step_up: SecondFactorDue,
    pub settings: SettingsView,
    pub users: Vec<UserView>,
    pub audit: Vec<AuditEntryView>,
    pub usage: Vec<UsageDay>,
    /// The same, split by role.
    pub usage_by_role: Vec<UsageCohort>,
    pub holders: BridgeHoldersView,
    pub sessions: Page<SessionView>,
    pub devices: Page<AdminDeviceView>,
    pub sign_in_events: Vec<SignInEventView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assurance_names_each_method_once_and_its_level() {
        let assurance = AssuranceView {
            level: LevelView::TwoFactors,
            methods: vec![ProofView::Password, ProofView::Password, ProofView::Totp],
        };
        assert_eq!(
            assurance.describe(),
            "password + authenticator code (two factors)"
        );
        let restored = AssuranceView {
            level: LevelView::OneFactor,
            methods: vec![ProofView::BridgeRestore],
        };
        assert_eq!(restored.describe(), "restored by the bridge (one factor)");
    }
}
