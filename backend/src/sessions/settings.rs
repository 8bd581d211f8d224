//! Session behaviour settings. The environment gives the defaults, with the
//! seed documents' variable names.

use std::time::Duration;

use crate::tenancy::CentralDomain;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// Where session records live. More drivers arrive with the production path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Database,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    /// Sessions stored per tenant; false = one shared central store.
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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct SettingError {
    pub key: &'static str,
    pub message: String,
}

fn invalid(key: &'static str, message: impl Into<String>) -> SettingError {
    SettingError { key, message: message.into() }
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
        }
    }
}

/// `null` and the empty string mean "unset", as in the seed's `.env` example.
fn unset(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.eq_ignore_ascii_case("null")
}

fn parse_bool(key: &'static str, value: &str) -> Result<bool, SettingError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(invalid(key, format!("expected true or false, got {value:?}"))),
    }
}

impl SessionSettings {
    /// Reads the defaults from variables; `lookup` is `std::env::var` in production.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let mut s = Self::default();
        let get = |key: &str| lookup(key).filter(|v| !unset(v));
        if let Some(v) = get("TENANCY_SESSION_ISOLATION") {
            s.isolation = parse_bool("TENANCY_SESSION_ISOLATION", &v)?;
        }
        if let Some(v) = get("TENANCY_SESSION_SCOPE_GUARD") {
            s.scope_guard = parse_bool("TENANCY_SESSION_SCOPE_GUARD", &v)?;
        }
        if let Some(v) = get("TENANCY_CROSS_SUBDOMAIN_SESSIONS") {
            s.cross_subdomain = parse_bool("TENANCY_CROSS_SUBDOMAIN_SESSIONS", &v)?;
        }
        if let Some(v) = get("TENANCY_SESSION_PREFIX") {
            s.prefix = parse_prefix(&v)?;
        }
        if let Some(v) = get("TENANCY_AUTO_CREATE_SESSION_TABLE") {
            s.auto_create_table = parse_bool("TENANCY_AUTO_CREATE_SESSION_TABLE", &v)?;
        }
        s.cookie_domain = get("TENANCY_SESSION_COOKIE_DOMAIN").map(|v| v.trim().trim_start_matches('.').to_ascii_lowercase());
        if let Some(v) = get("TENANCY_SESSION_COOKIE_SECURE") {
            s.cookie_secure = Some(parse_bool("TENANCY_SESSION_COOKIE_SECURE", &v)?);
        }
        if let Some(v) = get("TENANCY_SESSION_COOKIE_SAME_SITE") {
            s.same_site = parse_same_site(&v)?;
        }
        if let Some(v) = get("SESSION_DRIVER") {
            s.driver = parse_driver(&v)?;
        }
        if let Some(v) = get("SESSION_LIFETIME") {
            s.lifetime = parse_lifetime(&v)?;
        }
        if s.same_site == SameSite::None && s.cookie_secure != Some(true) {
            return Err(invalid(
                "TENANCY_SESSION_COOKIE_SAME_SITE",
                "SameSite=None is only allowed with TENANCY_SESSION_COOKIE_SECURE=true (browsers reject it otherwise)",
            ));
        }
        Ok(s)
    }

    /// Checks the settings against the central domain they will serve.
    pub fn validate_for(&self, domain: &CentralDomain) -> Result<(), SettingError> {
        if (self.cross_subdomain || self.cookie_domain.is_some()) && !domain.accepts_domain_cookies() {
            let key = if self.cookie_domain.is_some() { "TENANCY_SESSION_COOKIE_DOMAIN" } else { "TENANCY_CROSS_SUBDOMAIN_SESSIONS" };
            return Err(invalid(
                key,
                format!(
                    "browsers drop Domain= cookies on \"{}\" (localhost and IP addresses); \
                     serve from a real domain (e.g. TESSERA_DOMAIN=tessera.test) to share cookies across subdomains",
                    domain.as_str()
                ),
            ));
        }
        if let Some(cookie_domain) = &self.cookie_domain {
            let covers = domain.as_str() == cookie_domain || domain.as_str().ends_with(&format!(".{cookie_domain}"));
            if !covers {
                return Err(invalid(
                    "TENANCY_SESSION_COOKIE_DOMAIN",
                    format!("\"{cookie_domain}\" does not cover the central domain \"{}\"", domain.as_str()),
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

fn parse_prefix(value: &str) -> Result<String, SettingError> {
    let v = value.trim();
    let ok = (1..=32).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(v.to_owned())
    } else {
        Err(invalid("TENANCY_SESSION_PREFIX", "use 1 to 32 letters, digits, '_' or '-'"))
    }
}

fn parse_same_site(value: &str) -> Result<SameSite, SettingError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "strict" => Ok(SameSite::Strict),
        "lax" => Ok(SameSite::Lax),
        "none" => Ok(SameSite::None),
        _ => Err(invalid("TENANCY_SESSION_COOKIE_SAME_SITE", format!("expected strict, lax or none, got {value:?}"))),
    }
}

fn parse_driver(value: &str) -> Result<Driver, SettingError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "database" => Ok(Driver::Database),
        _ => Err(invalid("SESSION_DRIVER", format!("unsupported driver {value:?}; supported: database"))),
    }
}

fn parse_lifetime(value: &str) -> Result<Duration, SettingError> {
    match value.trim().parse::<u64>() {
        Ok(minutes @ 1..=5_256_000) => Ok(Duration::from_secs(minutes * 60)),
        _ => Err(invalid("SESSION_LIFETIME", format!("expected a number of minutes from 1 to 5256000, got {value:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<SessionSettings, SettingError> {
        SessionSettings::from_lookup(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn defaults_match_the_seed() {
        let s = from(&[]).expect("defaults are valid");
        assert!(s.isolation && s.scope_guard && !s.cross_subdomain && s.auto_create_table);
        assert_eq!(s.prefix, "tenant");
        assert_eq!(s.same_site, SameSite::Lax);
        assert_eq!(s.cookie_domain, None);
        assert_eq!(s.cookie_secure, None);
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
            ("SESSION_DRIVER", "database"),
            ("SESSION_LIFETIME", "30"),
        ])
        .expect("valid");
        assert!(!s.isolation && !s.scope_guard && s.cross_subdomain && !s.auto_create_table);
        assert!(s.lets_sessions_cross_tenants());
        assert_eq!(s.prefix, "app");
        assert_eq!(s.cookie_domain.as_deref(), Some("tessera.test"));
        assert_eq!(s.cookie_secure, Some(true));
        assert_eq!(s.same_site, SameSite::None);
        assert_eq!(s.lifetime, Duration::from_secs(30 * 60));
    }

    #[test]
    fn null_means_unset() {
        let s = from(&[("TENANCY_SESSION_COOKIE_DOMAIN", "null"), ("TENANCY_SESSION_COOKIE_SECURE", "null")]).expect("valid");
        assert_eq!(s.cookie_domain, None);
        assert_eq!(s.cookie_secure, None);
    }

    #[test]
    fn invalid_values_name_their_key() {
        let cases = [
            ("TENANCY_SESSION_ISOLATION", "maybe"),
            ("TENANCY_SESSION_PREFIX", "has space"),
            ("TENANCY_SESSION_COOKIE_SAME_SITE", "sometimes"),
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
        let localhost = CentralDomain::parse("localhost").expect("valid");
        let s = from(&[("TENANCY_CROSS_SUBDOMAIN_SESSIONS", "true")]).expect("valid");
        assert_eq!(s.validate_for(&localhost).expect_err("refused").key, "TENANCY_CROSS_SUBDOMAIN_SESSIONS");
        let test = CentralDomain::parse("tessera.test").expect("valid");
        assert!(s.validate_for(&test).is_ok());
        assert_eq!(s.cookie_domain_for(&test), Some("tessera.test"));
        let other = from(&[("TENANCY_SESSION_COOKIE_DOMAIN", "example.com")]).expect("valid");
        assert!(other.validate_for(&test).is_err());
    }
}
