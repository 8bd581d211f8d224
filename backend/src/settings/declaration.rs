//! What a setting is, as data: its names, the values it takes, its default,
//! the words an admin reads, and how the operator's fence treats it. Parsing,
//! validation, the CLI, the admin panel's controls and the fence all read
//! these declarations; none of them lists the settings again.

use super::{kind::Kind, values::Value, TenantSettings};

/// One setting, declared once in `catalogue.rs`.
pub struct Setting {
    /// The name a tenant override, the CLI and the admin panel use.
    pub name: &'static str,
    /// The environment variable that gives the default for every tenant.
    pub env: &'static str,
    pub kind: Kind,
    /// The built-in default, in the text form `set` accepts ("" for unset).
    pub default: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub section: Section,
    pub fence: Fenced,
    pub(super) field: &'static (dyn Field + Sync),
}

/// Where the admin panel shows a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    SessionsAndCookies,
    Storage,
    SessionBridge,
    SignInProtection,
}

/// How the operator's fence treats a setting by default
/// (`TESSERA_TENANT_ADMIN_SETTINGS` and `TESSERA_MAX_*`/`TESSERA_MIN_*`
/// change it per installation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fenced {
    /// Tenant admins may set any value the kind accepts.
    Open,
    /// Every tenant override must fall in this range, in the setting's unit.
    Bounded(Bound),
    /// Only the operator (the CLI) may change it: where sessions live and
    /// which cookies they use decide isolation itself.
    OperatorOnly,
}

/// The inclusive range a tenant's override of a numeric setting must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub min: u64,
    pub max: u64,
}

/// Reads and writes one field of `TenantSettings` as text.
pub(super) trait Field {
    fn get(&self, settings: &TenantSettings, kind: &Kind) -> String;
    fn set(&self, settings: &mut TenantSettings, text: &str, kind: &Kind) -> Result<(), String>;
}

/// The place of a field in `TenantSettings`; `at!(bridge.enabled)` makes one.
pub(super) struct At<T: 'static> {
    pub read: fn(&TenantSettings) -> &T,
    pub write: fn(&mut TenantSettings) -> &mut T,
}

impl<T: Value> Field for At<T> {
    fn get(&self, settings: &TenantSettings, kind: &Kind) -> String {
        (self.read)(settings).show(kind)
    }

    fn set(&self, settings: &mut TenantSettings, text: &str, kind: &Kind) -> Result<(), String> {
        *(self.write)(settings) = T::parse(text, kind)?;
        Ok(())
    }
}

/// `at!(bridge.enabled)`: the field `settings.bridge.enabled`.
macro_rules! at {
    ($($path:ident).+) => {
        &$crate::settings::declaration::At {
            read: |s| &s.$($path).+,
            write: |s| &mut s.$($path).+,
        }
    };
}
pub(super) use at;
