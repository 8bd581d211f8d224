//! Session behaviour settings. The environment gives the defaults (with the
//! seed documents' variable names); a tenant may override any of them
//! (stored centrally, edited with `tessera tenant settings` or the admin panel).

use std::{collections::BTreeMap, fmt, time::Duration};

use crate::{limits::SignInPolicy, tenancy::CentralDomain};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
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
}

impl Default for BridgeSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            token_lifetime: Duration::from_secs(30 * 24 * 3600),
            idle_lifetime: Duration::from_secs(7 * 24 * 3600),
            restore_rate_limit: 10,
            rotation_grace: Duration::from_secs(30),
        }
    }
}

/// Every setting, by the name a tenant override (and the admin panel) uses
/// and by the environment variable that gives its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Isolation,
    ScopeGuard,
    CrossSubdomain,
    Prefix,
    AutoCreateTable,
    CookieDomain,
    CookieSecure,
    CookieSameSite,
    Driver,
    Lifetime,
    BridgeEnabled,
    BridgeTokenLifetime,
    BridgeIdleLifetime,
    BridgeRestoreRateLimit,
    BridgeRotationGrace,
    SignInMaxFailures,
    SignInLockout,
    SignInAddressRateLimit,
}

impl Key {
    pub const ALL: [Key; 18] = [
        Key::Isolation,
        Key::ScopeGuard,
        Key::CrossSubdomain,
        Key::Prefix,
        Key::AutoCreateTable,
        Key::CookieDomain,
        Key::CookieSecure,
        Key::CookieSameSite,
        Key::Driver,
        Key::Lifetime,
        Key::BridgeEnabled,
        Key::BridgeTokenLifetime,
        Key::BridgeIdleLifetime,
        Key::BridgeRestoreRateLimit,
        Key::BridgeRotationGrace,
        Key::SignInMaxFailures,
        Key::SignInLockout,
        Key::SignInAddressRateLimit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Key::Isolation => "isolation",
            Key::ScopeGuard => "scope_guard",
            Key::CrossSubdomain => "cross_subdomain",
            Key::Prefix => "prefix",
            Key::AutoCreateTable => "auto_create_session_table",
            Key::CookieDomain => "cookie.domain",
            Key::CookieSecure => "cookie.secure",
            Key::CookieSameSite => "cookie.same_site",
            Key::Driver => "driver",
            Key::Lifetime => "lifetime",
            Key::BridgeEnabled => "bridge.enabled",
            Key::BridgeTokenLifetime => "bridge.token_lifetime",
            Key::BridgeIdleLifetime => "bridge.idle_lifetime",
            Key::BridgeRestoreRateLimit => "bridge.restore_rate_limit",
            Key::BridgeRotationGrace => "bridge.rotation_grace",
            Key::SignInMaxFailures => "signin.max_failures",
            Key::SignInLockout => "signin.lockout",
            Key::SignInAddressRateLimit => "signin.address_rate_limit",
        }
    }

    pub fn env(self) -> &'static str {
        match self {
            Key::Isolation => "TENANCY_SESSION_ISOLATION",
            Key::ScopeGuard => "TENANCY_SESSION_SCOPE_GUARD",
            Key::CrossSubdomain => "TENANCY_CROSS_SUBDOMAIN_SESSIONS",
            Key::Prefix => "TENANCY_SESSION_PREFIX",
            Key::AutoCreateTable => "TENANCY_AUTO_CREATE_SESSION_TABLE",
            Key::CookieDomain => "TENANCY_SESSION_COOKIE_DOMAIN",
            Key::CookieSecure => "TENANCY_SESSION_COOKIE_SECURE",
            Key::CookieSameSite => "TENANCY_SESSION_COOKIE_SAME_SITE",
            Key::Driver => "SESSION_DRIVER",
            Key::Lifetime => "SESSION_LIFETIME",
            Key::BridgeEnabled => "BRIDGE_ENABLED",
            Key::BridgeTokenLifetime => "BRIDGE_TOKEN_LIFETIME",
            Key::BridgeIdleLifetime => "BRIDGE_IDLE_LIFETIME",
            Key::BridgeRestoreRateLimit => "BRIDGE_RESTORE_RATE_LIMIT",
            Key::BridgeRotationGrace => "BRIDGE_ROTATION_GRACE",
            Key::SignInMaxFailures => "SIGNIN_MAX_FAILURES",
            Key::SignInLockout => "SIGNIN_LOCKOUT",
            Key::SignInAddressRateLimit => "SIGNIN_ADDRESS_RATE_LIMIT",
        }
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What a key's value is, as an editor needs to know it: the control to
/// show and the range `set` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Flag,
    /// Unset (decided per request) or a flag.
    OptionalFlag,
    Choice(&'static [&'static str]),
    Number {
        unit: &'static str,
        min: u64,
        max: u64,
    },
    /// Free text; `optional` when empty means unset.
    Text {
        optional: bool,
    },
}

const MINUTES: Kind = Kind::Number {
    unit: "minutes",
    min: 1,
    max: 5_256_000,
};
const PER_MINUTE: Kind = Kind::Number {
    unit: "attempts per minute",
    min: 1,
    max: 10_000,
};
const SAME_SITE: [&str; 3] = ["strict", "lax", "none"];
const DRIVERS: [&str; 4] = ["database", "redis", "file", "memory"];

impl Key {
    pub fn kind(self) -> Kind {
        match self {
            Key::Isolation
            | Key::ScopeGuard
            | Key::CrossSubdomain
            | Key::AutoCreateTable
            | Key::BridgeEnabled => Kind::Flag,
            Key::CookieSecure => Kind::OptionalFlag,
            Key::Prefix => Kind::Text { optional: false },
            Key::CookieDomain => Kind::Text { optional: true },
            Key::CookieSameSite => Kind::Choice(&SAME_SITE),
            Key::Driver => Kind::Choice(&DRIVERS),
            Key::Lifetime
            | Key::BridgeTokenLifetime
            | Key::BridgeIdleLifetime
            | Key::SignInLockout => MINUTES,
            Key::BridgeRestoreRateLimit | Key::SignInAddressRateLimit => PER_MINUTE,
            Key::BridgeRotationGrace => Kind::Number {
                unit: "seconds",
                min: 0,
                max: MAX_ROTATION_GRACE_SECS,
            },
            Key::SignInMaxFailures => Kind::Number {
                unit: "failed attempts",
                min: 1,
                max: 1_000,
            },
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A refused value, naming the key as the user wrote it (variable or setting name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct SettingError {
    pub key: std::borrow::Cow<'static, str>,
    pub message: String,
}

/// A problem with one key, before we know whether it came from the environment
/// or from a tenant's overrides.
struct Invalid(Key, String);

impl Invalid {
    fn named_by(self, name: fn(Key) -> &'static str) -> SettingError {
        SettingError {
            key: name(self.0).into(),
            message: self.1,
        }
    }
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            isolation: true,
            scope_guard: true,
            cross_subdomain: false,
            prefix: "tenant".into(),
            auto_create_table: true,
            cookie_domain: None,
            cookie_secure: None,
            same_site: SameSite::Lax,
            driver: Driver::Database,
            lifetime: Duration::from_secs(120 * 60),
            bridge: BridgeSettings::default(),
            signin: SignInPolicy::default(),
        }
    }
}

/// The longest a rotated-out bridge token may keep yielding its successor:
/// long enough for two tabs racing, short enough that a stolen token is
/// caught as theft soon after.
pub const MAX_ROTATION_GRACE_SECS: u64 = 120;

/// `null` and the empty string mean "unset", as in the seed's `.env` example.
fn unset(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.eq_ignore_ascii_case("null")
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {value:?}")),
    }
}

fn parse_prefix(value: &str) -> Result<String, String> {
    let v = value.trim();
    let ok = (1..=32).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(v.to_owned())
    } else {
        Err("use 1 to 32 letters, digits, '_' or '-'".into())
    }
}

fn parse_domain(value: &str) -> Result<String, String> {
    CentralDomain::parse(value.trim().trim_start_matches('.'))
        .map(|d| d.as_str().to_owned())
        .map_err(|_| format!("{value:?} is not a domain name"))
}

fn parse_same_site(value: &str) -> Result<SameSite, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "strict" => Ok(SameSite::Strict),
        "lax" => Ok(SameSite::Lax),
        "none" => Ok(SameSite::None),
        _ => Err(format!("expected strict, lax or none, got {value:?}")),
    }
}

fn parse_driver(value: &str) -> Result<Driver, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "database" => Ok(Driver::Database),
        "redis" => Ok(Driver::Redis),
        "file" => Ok(Driver::File),
        "memory" => Ok(Driver::Memory),
        _ => Err(format!(
            "expected database, redis, file or memory, got {value:?}"
        )),
    }
}

/// A number in the range the key's `Kind` gives.
fn parse_number(key: Key, value: &str) -> Result<u64, String> {
    let Kind::Number { unit, min, max } = key.kind() else {
        return Err(format!("{key} is not a number"));
    };
    match value.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of {unit} from {min} to {max}, got {value:?}"
        )),
    }
}

fn parse_minutes(key: Key, value: &str) -> Result<Duration, String> {
    parse_number(key, value).map(|minutes| Duration::from_secs(minutes * 60))
}

impl SessionSettings {
    /// Sets one key from text; "null" or "" reset it to the built-in default.
    fn set(&mut self, key: Key, value: &str) -> Result<(), Invalid> {
        if unset(value) {
            let default = Self::default();
            match key {
                Key::CookieDomain => self.cookie_domain = None,
                Key::CookieSecure => self.cookie_secure = None,
                other => self
                    .set(other, &default.get(other))
                    .map_err(|_| Invalid(other, "no default".into()))?,
            }
            return Ok(());
        }
        let invalid = |message: String| Invalid(key, message);
        match key {
            Key::Isolation => self.isolation = parse_bool(value).map_err(invalid)?,
            Key::ScopeGuard => self.scope_guard = parse_bool(value).map_err(invalid)?,
            Key::CrossSubdomain => self.cross_subdomain = parse_bool(value).map_err(invalid)?,
            Key::Prefix => self.prefix = parse_prefix(value).map_err(invalid)?,
            Key::AutoCreateTable => self.auto_create_table = parse_bool(value).map_err(invalid)?,
            Key::CookieDomain => self.cookie_domain = Some(parse_domain(value).map_err(invalid)?),
            Key::CookieSecure => self.cookie_secure = Some(parse_bool(value).map_err(invalid)?),
            Key::CookieSameSite => self.same_site = parse_same_site(value).map_err(invalid)?,
            Key::Driver => self.driver = parse_driver(value).map_err(invalid)?,
            Key::Lifetime => self.lifetime = parse_minutes(key, value).map_err(invalid)?,
            Key::BridgeEnabled => self.bridge.enabled = parse_bool(value).map_err(invalid)?,
            Key::BridgeTokenLifetime => {
                self.bridge.token_lifetime = parse_minutes(key, value).map_err(invalid)?
            }
            Key::BridgeIdleLifetime => {
                self.bridge.idle_lifetime = parse_minutes(key, value).map_err(invalid)?
            }
            Key::BridgeRestoreRateLimit => {
                self.bridge.restore_rate_limit = parse_number(key, value).map_err(invalid)? as u32;
            }
            Key::BridgeRotationGrace => {
                self.bridge.rotation_grace =
                    Duration::from_secs(parse_number(key, value).map_err(invalid)?);
            }
            Key::SignInMaxFailures => {
                self.signin.max_failures = parse_number(key, value).map_err(invalid)? as u32;
            }
            Key::SignInLockout => {
                self.signin.lockout = parse_minutes(key, value).map_err(invalid)?
            }
            Key::SignInAddressRateLimit => {
                self.signin.address_rate_limit = parse_number(key, value).map_err(invalid)? as u32;
            }
        }
        Ok(())
    }

    /// One key's value as text, in the form `set` accepts.
    pub fn get(&self, key: Key) -> String {
        let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
        match key {
            Key::Isolation => flag(self.isolation),
            Key::ScopeGuard => flag(self.scope_guard),
            Key::CrossSubdomain => flag(self.cross_subdomain),
            Key::Prefix => self.prefix.clone(),
            Key::AutoCreateTable => flag(self.auto_create_table),
            Key::CookieDomain => self.cookie_domain.clone().unwrap_or_else(|| "null".into()),
            Key::CookieSecure => self.cookie_secure.map_or_else(|| "null".into(), flag),
            Key::CookieSameSite => match self.same_site {
                SameSite::Strict => "strict",
                SameSite::Lax => "lax",
                SameSite::None => "none",
            }
            .into(),
            Key::Driver => match self.driver {
                Driver::Database => "database",
                Driver::Redis => "redis",
                Driver::File => "file",
                Driver::Memory => "memory",
            }
            .into(),
            Key::Lifetime => (self.lifetime.as_secs() / 60).to_string(),
            Key::BridgeEnabled => flag(self.bridge.enabled),
            Key::BridgeTokenLifetime => (self.bridge.token_lifetime.as_secs() / 60).to_string(),
            Key::BridgeIdleLifetime => (self.bridge.idle_lifetime.as_secs() / 60).to_string(),
            Key::BridgeRestoreRateLimit => self.bridge.restore_rate_limit.to_string(),
            Key::BridgeRotationGrace => self.bridge.rotation_grace.as_secs().to_string(),
            Key::SignInMaxFailures => self.signin.max_failures.to_string(),
            Key::SignInLockout => (self.signin.lockout.as_secs() / 60).to_string(),
            Key::SignInAddressRateLimit => self.signin.address_rate_limit.to_string(),
        }
    }

    /// Rules that involve several keys.
    fn check(&self) -> Result<(), Invalid> {
        if self.bridge.idle_lifetime > self.bridge.token_lifetime {
            return Err(Invalid(
                Key::BridgeIdleLifetime,
                "cannot be longer than bridge.token_lifetime".into(),
            ));
        }
        if self.same_site == SameSite::None && self.cookie_secure != Some(true) {
            return Err(Invalid(
                Key::CookieSameSite,
                "SameSite=None is only allowed with cookie.secure=true (browsers reject it otherwise)".into(),
            ));
        }
        Ok(())
    }

    /// Reads the defaults from variables; `lookup` is `std::env::var` in production.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let mut s = Self::default();
        for key in Key::ALL {
            if let Some(value) = lookup(key.env()) {
                s.set(key, &value).map_err(|e| e.named_by(Key::env))?;
            }
        }
        s.check().map_err(|e| e.named_by(Key::env))?;
        Ok(s)
    }

    /// These settings with a tenant's overrides applied and checked against
    /// the central domain they will serve.
    pub fn with_overrides(
        &self,
        overrides: &Overrides,
        domain: &CentralDomain,
    ) -> Result<Self, SettingError> {
        let mut s = self.clone();
        for (key, value) in &overrides.0 {
            s.set(*key, value).map_err(|e| e.named_by(Key::name))?;
        }
        s.check().map_err(|e| e.named_by(Key::name))?;
        s.validate_for(domain).map_err(|e| e.named_by(Key::name))?;
        Ok(s)
    }

    /// Checks the environment defaults against the central domain.
    pub fn validate_env_for(&self, domain: &CentralDomain) -> Result<(), SettingError> {
        self.validate_for(domain).map_err(|e| e.named_by(Key::env))
    }

    fn validate_for(&self, domain: &CentralDomain) -> Result<(), Invalid> {
        if (self.cross_subdomain || self.cookie_domain.is_some())
            && !domain.accepts_domain_cookies()
        {
            let key = if self.cookie_domain.is_some() {
                Key::CookieDomain
            } else {
                Key::CrossSubdomain
            };
            return Err(Invalid(
                key,
                format!(
                    "browsers drop Domain= cookies on \"{}\" (localhost and IP addresses); \
                     serve from a real domain (e.g. TESSERA_DOMAIN=tessera.test) to share cookies across subdomains",
                    domain.as_str()
                ),
            ));
        }
        // Only the central domain itself: a parent of it (say "test" for
        // "tessera.test") would hand the cookie to unrelated sites too.
        if let Some(cookie_domain) = &self.cookie_domain {
            if cookie_domain != domain.as_str() {
                return Err(Invalid(
                    Key::CookieDomain,
                    format!(
                        "may only be the central domain \"{}\" (got \"{cookie_domain}\")",
                        domain.as_str()
                    ),
                ));
            }
        }
        Ok(())
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

/// The warning shown wherever the insecure combination is in force.
pub const CROSSING_WARNING: &str = "INSECURE: session isolation and the scope guard are both off; \
     a session made at one tenant can authenticate someone at another";

/// A tenant's overrides of the defaults, by key. Stored as JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(BTreeMap<Key, String>);

impl Overrides {
    pub fn from_json(text: &str) -> Result<Self, String> {
        let raw: BTreeMap<String, String> =
            serde_json::from_str(text).map_err(|e| e.to_string())?;
        raw.into_iter()
            .map(|(name, value)| {
                Key::from_name(&name)
                    .map(|k| (k, value))
                    .ok_or(format!("unknown setting {name:?}"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn to_json(&self) -> String {
        let raw: BTreeMap<&str, &str> =
            self.0.iter().map(|(k, v)| (k.name(), v.as_str())).collect();
        serde_json::to_string(&raw).unwrap_or_else(|_| "{}".into())
    }

    pub fn get(&self, key: Key) -> Option<&str> {
        self.0.get(&key).map(String::as_str)
    }

    /// Sets (or, with "null"/"", removes) one override.
    pub fn set(&mut self, key: Key, value: &str) {
        if unset(value) {
            self.0.remove(&key);
        } else {
            self.0.insert(key, value.trim().to_owned());
        }
    }

    /// Parses `key=value` as the CLI takes it.
    pub fn parse_assignment(assignment: &str) -> Result<(Key, String), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or(format!("expected key=value, got {assignment:?}"))?;
        let key = Key::from_name(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
            format!(
                "unknown setting {:?}; known: {}",
                name.trim(),
                known.join(", ")
            )
        })?;
        Ok((key, value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<SessionSettings, SettingError> {
        SessionSettings::from_lookup(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    fn domain(name: &str) -> CentralDomain {
        CentralDomain::parse(name).expect("valid domain")
    }

    #[test]
    fn defaults_match_the_seed() {
        let s = from(&[]).expect("defaults are valid");
        assert!(s.isolation && s.scope_guard && !s.cross_subdomain && s.auto_create_table);
        assert_eq!(s.prefix, "tenant");
        assert_eq!(s.same_site, SameSite::Lax);
        assert_eq!(s.cookie_domain, None);
        assert_eq!(s.cookie_secure, None);
        assert_eq!(s.driver, Driver::Database);
    }

    #[test]
    fn reads_every_variable() {
        let s = from(&[
            ("TENANCY_SESSION_ISOLATION", "false"),
            ("TENANCY_SESSION_SCOPE_GUARD", "0"),
            ("TENANCY_CROSS_SUBDOMAIN_SESSIONS", "true"),
            ("TENANCY_SESSION_PREFIX", "app"),
            ("TENANCY_AUTO_CREATE_SESSION_TABLE", "off"),
            ("TENANCY_SESSION_COOKIE_DOMAIN", ".tessera.test"),
            ("TENANCY_SESSION_COOKIE_SECURE", "true"),
            ("TENANCY_SESSION_COOKIE_SAME_SITE", "none"),
            ("SESSION_DRIVER", "redis"),
            ("SESSION_LIFETIME", "30"),
        ])
        .expect("valid");
        assert!(!s.isolation && !s.scope_guard && s.cross_subdomain && !s.auto_create_table);
        assert!(s.lets_sessions_cross_tenants());
        assert_eq!(s.prefix, "app");
        assert_eq!(s.cookie_domain.as_deref(), Some("tessera.test"));
        assert_eq!(s.cookie_secure, Some(true));
        assert_eq!(s.same_site, SameSite::None);
        assert_eq!(s.driver, Driver::Redis);
        assert_eq!(s.lifetime, Duration::from_secs(30 * 60));
    }

    #[test]
    fn null_means_unset() {
        let s = from(&[
            ("TENANCY_SESSION_COOKIE_DOMAIN", "null"),
            ("TENANCY_SESSION_COOKIE_SECURE", "null"),
        ])
        .expect("valid");
        assert_eq!(s.cookie_domain, None);
        assert_eq!(s.cookie_secure, None);
    }

    #[test]
    fn invalid_values_name_their_key() {
        let cases = [
            ("TENANCY_SESSION_ISOLATION", "maybe"),
            ("TENANCY_SESSION_PREFIX", "has space"),
            ("TENANCY_SESSION_COOKIE_SAME_SITE", "sometimes"),
            ("TENANCY_SESSION_COOKIE_DOMAIN", "not a domain"),
            ("SESSION_DRIVER", "carrier-pigeon"),
            ("SESSION_LIFETIME", "-5"),
        ];
        for (key, value) in cases {
            let err = from(&[(key, value)]).expect_err("must be refused");
            assert_eq!(err.key, key);
        }
    }

    #[test]
    fn same_site_none_needs_secure() {
        let err = from(&[("TENANCY_SESSION_COOKIE_SAME_SITE", "none")]).expect_err("refused");
        assert_eq!(err.key, "TENANCY_SESSION_COOKIE_SAME_SITE");
    }

    #[test]
    fn domain_cookies_refused_on_localhost() {
        let s = from(&[("TENANCY_CROSS_SUBDOMAIN_SESSIONS", "true")]).expect("valid");
        assert_eq!(
            s.validate_env_for(&domain("localhost"))
                .expect_err("refused")
                .key,
            "TENANCY_CROSS_SUBDOMAIN_SESSIONS"
        );
        assert!(s.validate_env_for(&domain("tessera.test")).is_ok());
        assert_eq!(
            s.cookie_domain_for(&domain("tessera.test")),
            Some("tessera.test")
        );
        let other = from(&[("TENANCY_SESSION_COOKIE_DOMAIN", "example.com")]).expect("valid");
        assert!(other.validate_env_for(&domain("tessera.test")).is_err());
        let parent = from(&[("TENANCY_SESSION_COOKIE_DOMAIN", "test")]).expect("valid");
        assert!(
            parent.validate_env_for(&domain("tessera.test")).is_err(),
            "a parent of the central domain is refused"
        );
        let rotation = from(&[("BRIDGE_ROTATION_GRACE", "121")]).expect_err("over the cap");
        assert_eq!(rotation.key, "BRIDGE_ROTATION_GRACE");
    }

    #[test]
    fn overrides_apply_on_top_of_defaults_and_name_their_key() {
        let defaults = SessionSettings::default();
        let test = domain("tessera.test");
        let mut overrides = Overrides::default();
        overrides.set(Key::Driver, "memory");
        overrides.set(Key::CrossSubdomain, "true");
        let s = defaults.with_overrides(&overrides, &test).expect("valid");
        assert_eq!((s.driver, s.cross_subdomain), (Driver::Memory, true));
        assert_eq!(
            Overrides::from_json(&overrides.to_json()),
            Ok(overrides.clone())
        );

        let err = defaults
            .with_overrides(&overrides, &domain("localhost"))
            .expect_err("no domain cookies on localhost");
        assert_eq!(err.key, "cross_subdomain");
        overrides.set(Key::CookieSameSite, "none");
        assert_eq!(
            defaults
                .with_overrides(&overrides, &test)
                .expect_err("needs secure")
                .key,
            "cookie.same_site"
        );
        overrides.set(Key::CookieSecure, "true");
        assert!(defaults.with_overrides(&overrides, &test).is_ok());
        overrides.set(Key::CookieSecure, "null");
        assert_eq!(overrides.get(Key::CookieSecure), None);

        assert!(Overrides::parse_assignment("lifetime=30").is_ok());
        assert!(Overrides::parse_assignment("colour=blue")
            .expect_err("unknown")
            .contains("known: isolation"));
        assert!(Overrides::parse_assignment("lifetime").is_err());
    }
}
