//! The shape of a tenant's settings: every field a declaration in
//! `catalogue.rs` reads and writes. Their values come only from the
//! declarations (`TenantSettings::default`, `from_lookup`, `with_overrides`
//! in `settings`).

use std::time::Duration;

use crate::{accounts::Role, tenancy::CentralDomain};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// Where session records live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// The tenant's own database (or the central one when not isolated).
    Database,
    /// Redis, keys prefixed per tenant.
    Redis,
    /// One file per session, a directory per tenant.
    File,
    /// This process's memory: lost on restart, single-process only.
    Memory,
}

/// When a restored sign-in must wait for a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUp {
    /// The source document's bridge: the token alone restores.
    Never,
    /// People with a second factor present it before the restore counts.
    Enrolled,
    /// Every restore waits for a second factor; without one, sign in again.
    Always,
}

/// Where a browser keeps its bridge token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeStorage {
    /// The source document's design: the page's script keeps it in
    /// `localStorage` (any script on the page can read it).
    LocalStorage,
    /// An `HttpOnly` cookie sent only to `/api/session-bridge`: no script
    /// ever sees the token.
    Cookie,
}

/// Who within a tenant gets the bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollout {
    Everyone,
    /// Only people of this role.
    Role(Role),
    /// This share of people, each kept in or out by a stable hash of the
    /// tenant and the user (`bridge::rollout`): raising it keeps everyone
    /// who had it.
    Percent(u8),
}

/// Who must have a second factor to be signed in at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorRule {
    /// Each person chooses.
    Optional,
    Admins,
    Everyone,
}

/// Every setting's value for one tenant (or the defaults). Built only from
/// the declarations: `default()`, `from_lookup` and `with_overrides`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    /// Sessions stored per tenant; false = one shared store.
    pub isolation: bool,
    /// A session remembers its tenant and is refused (403) anywhere else.
    pub scope_guard: bool,
    /// The cookie's Domain covers every subdomain of the central domain.
    pub cross_subdomain: bool,
    /// Cookie name and store key prefix.
    pub prefix: String,
    /// Create a tenant's sessions table on first use when it is missing.
    pub auto_create_table: bool,
    /// An explicit cookie Domain; overrides the one cross_subdomain implies.
    pub cookie_domain: Option<String>,
    /// None: Secure exactly when the request came over https.
    pub cookie_secure: Option<bool>,
    pub same_site: SameSite,
    pub driver: Driver,
    /// Idle expiry.
    pub lifetime: Duration,
    pub bridge: BridgeSettings,
    pub signin: SignInPolicy,
}

/// The session bridge's per-tenant behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeSettings {
    pub enabled: bool,
    /// Absolute lifetime of a device's token family, from login.
    pub token_lifetime: Duration,
    /// A family unused for this long expires.
    pub idle_lifetime: Duration,
    /// Restore attempts per client per minute (the tenant as a whole may fail 20× as often).
    pub restore_rate_limit: u32,
    /// How long a rotated-out token still yields its successor (concurrent tabs).
    pub rotation_grace: Duration,
    pub step_up: StepUp,
    pub storage: BridgeStorage,
    pub rollout: Rollout,
}

/// How hard sign-in is throttled (per tenant settings; the environment's for
/// the central site).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Failed attempts an account may have in `lockout` before it is locked for the rest of it.
    pub max_failures: u32,
    pub lockout: Duration,
    /// Attempts one client address may make per minute.
    pub address_rate_limit: u32,
    /// How recent the strongest authentication must be for a privileged
    /// action (settings, roles, factors, the password).
    pub privileged: Duration,
    /// Who must have a second factor.
    pub second_factor: SecondFactorRule,
}

impl TenantSettings {
    /// Placeholders the declarations' defaults overwrite; never seen outside.
    pub(super) fn blank() -> Self {
        Self {
            isolation: false,
            scope_guard: false,
            cross_subdomain: false,
            prefix: String::new(),
            auto_create_table: false,
            cookie_domain: None,
            cookie_secure: None,
            same_site: SameSite::Lax,
            driver: Driver::Database,
            lifetime: Duration::ZERO,
            bridge: BridgeSettings {
                enabled: false,
                token_lifetime: Duration::ZERO,
                idle_lifetime: Duration::ZERO,
                restore_rate_limit: 0,
                rotation_grace: Duration::ZERO,
                step_up: StepUp::Never,
                storage: BridgeStorage::LocalStorage,
                rollout: Rollout::Everyone,
            },
            signin: SignInPolicy {
                max_failures: 0,
                lockout: Duration::ZERO,
                address_rate_limit: 0,
                privileged: Duration::ZERO,
                second_factor: SecondFactorRule::Optional,
            },
        }
    }

    /// The combination that lets one tenant's session be used at another.
    pub fn lets_sessions_cross_tenants(&self) -> bool {
        !self.isolation && !self.scope_guard
    }

    /// The Domain attribute of the session cookie, or None for a host-only cookie.
    pub fn cookie_domain_for<'a>(&'a self, domain: &'a CentralDomain) -> Option<&'a str> {
        self.cookie_domain
            .as_deref()
            .or_else(|| self.cross_subdomain.then(|| domain.as_str()))
    }
}
