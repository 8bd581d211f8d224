//! A tenant's settings: how its sessions, cookies, bridge and sign-in
//! behave. The environment gives the defaults (with the seed documents'
//! variable names); a tenant may override any of them (stored centrally,
//! edited with `tessera tenant settings` or the admin panel), within the
//! operator's fence.
//!
//! Each setting is one declaration in `catalogue.rs`; parsing, validation,
//! the CLI, the admin panel's controls and the fence read them from there.

mod catalogue;
pub(crate) mod declaration;
pub mod fence;
mod kind;
mod overrides;
mod tenant;
mod values;

use std::fmt;

pub use catalogue::{Key, MAX_ROTATION_GRACE_SECS};
pub use declaration::{Bound, Fenced, Section, Setting};
pub use fence::Fence;
pub use kind::{Choice, Kind, TextRule, Unit};
pub use overrides::Overrides;
pub use tenant::{
    BridgeSettings, BridgeStorage, Driver, Rollout, SameSite, SecondFactorRule, SignInPolicy,
    StepUp, TenantSettings,
};

use crate::tenancy::CentralDomain;

impl Key {
    pub fn name(self) -> &'static str {
        self.setting().name
    }

    pub fn env(self) -> &'static str {
        self.setting().env
    }

    pub fn kind(self) -> Kind {
        self.setting().kind
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
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

/// Every declaration's default.
impl Default for TenantSettings {
    fn default() -> Self {
        let mut settings = Self::blank();
        for key in Key::ALL {
            let setting = key.setting();
            if let Err(message) = setting
                .field
                .set(&mut settings, setting.default, &setting.kind)
            {
                // A declaration's default that its own kind refuses is a
                // bug the unit tests catch; never a reason to serve blanks.
                unreachable!("{key}'s declared default: {message}");
            }
        }
        settings
    }
}

impl TenantSettings {
    /// Sets one key from text; "null" or "" reset it to the declared default.
    fn set(&mut self, key: Key, value: &str) -> Result<(), Invalid> {
        let setting = key.setting();
        let value = if values::unset(value) {
            setting.default
        } else {
            value
        };
        setting
            .field
            .set(self, value, &setting.kind)
            .map_err(|message| Invalid(key, message))
    }

    /// One key's value as text, in the form `set` accepts ("null" for unset).
    pub fn get(&self, key: Key) -> String {
        let setting = key.setting();
        setting.field.get(self, &setting.kind)
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
                s.set(*key, &value).map_err(|e| e.named_by(Key::env))?;
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
        for (key, value) in overrides.iter() {
            s.set(key, value).map_err(|e| e.named_by(Key::name))?;
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
}

/// The warning shown wherever the insecure combination is in force.
pub const CROSSING_WARNING: &str = "INSECURE: session isolation and the scope guard are both off; \
     a session made at one tenant can authenticate someone at another";

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<TenantSettings, SettingError> {
        TenantSettings::from_lookup(|k| {
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
        assert_eq!(s.lifetime, std::time::Duration::from_secs(30 * 60));
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
        let defaults = TenantSettings::default();
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
