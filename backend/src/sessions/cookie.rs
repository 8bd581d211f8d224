//! The session cookie's name and attributes for one tenant and request.

use http::{header, HeaderMap};

use crate::settings::{SameSite, TenantSettings};
use crate::tenancy::{CentralDomain, Slug};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSpec {
    pub name: String,
    pub domain: Option<String>,
    pub secure: bool,
    pub same_site: SameSite,
    /// The names this tenant issued under its former prefixes, with this
    /// spec's attributes: after a prefix change, a session cookie under one
    /// of these (and no other name) is carried over to `name`.
    pub former_names: Vec<String>,
}

impl CookieSpec {
    /// Names embed the slug, so no two tenants' cookies ever share a name, even
    /// when a parent-domain cookie is visible to every subdomain. On https a
    /// host-only cookie is named `__Host-…`: browsers refuse that name from
    /// anyone but this very host, so a sibling cannot toss one at us at all.
    pub fn for_tenant(
        settings: &TenantSettings,
        slug: &Slug,
        central: &CentralDomain,
        https: bool,
    ) -> Self {
        let domain = settings.cookie_domain_for(central).map(str::to_owned);
        let secure = settings.cookie_secure.unwrap_or(https);
        let host_prefix = if https && secure && domain.is_none() {
            "__Host-"
        } else {
            ""
        };
        Self {
            name: format!("{host_prefix}{}_{}_session", settings.prefix, slug),
            domain,
            secure,
            same_site: settings.same_site,
            former_names: Vec::new(),
        }
    }

    /// The spec, knowing the names its tenant issued under `former`
    /// prefixes. Each is the name the former prefix gave under the same
    /// attributes, so on https with a host-only cookie only `__Host-` names
    /// are carried over: a plain `<prefix>_<slug>_session` can be planted by
    /// a sibling subdomain or a network attacker on http, and adopting it
    /// would sign the victim into the attacker's account.
    pub fn carrying_over(
        mut self,
        former: &[String],
        settings: &TenantSettings,
        slug: &Slug,
        central: &CentralDomain,
        https: bool,
    ) -> Self {
        self.former_names = former
            .iter()
            .filter(|prefix| **prefix != settings.prefix)
            .map(|prefix| {
                let then = TenantSettings {
                    prefix: prefix.clone(),
                    ..settings.clone()
                };
                Self::for_tenant(&then, slug, central, https).name
            })
            .collect();
        self
    }
}

/// Every `name=value` pair of a request's Cookie headers.
pub fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(k, v)| (k, v.trim_matches('"')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_per_tenant_and_attributes_follow_settings() {
        let central = CentralDomain::parse("tessera.test").expect("valid");
        let acme = Slug::parse("acme").expect("valid");
        let globex = Slug::parse("globex").expect("valid");
        let defaults = TenantSettings::default();
        let a = CookieSpec::for_tenant(&defaults, &acme, &central, false);
        let g = CookieSpec::for_tenant(&defaults, &globex, &central, true);
        assert_eq!(a.name, "tenant_acme_session");
        assert_eq!(g.name, "__Host-tenant_globex_session", "host-only on https");
        assert_eq!(a.domain, None);
        assert!(!a.secure && g.secure);
        let shared = TenantSettings {
            cross_subdomain: true,
            ..TenantSettings::default()
        };
        assert_eq!(
            CookieSpec::for_tenant(&shared, &acme, &central, false)
                .domain
                .as_deref(),
            Some("tessera.test")
        );
        // A Domain= cookie cannot carry the __Host- prefix, nor can an insecure one.
        assert_eq!(
            CookieSpec::for_tenant(&shared, &acme, &central, true).name,
            "tenant_acme_session"
        );
        let insecure = TenantSettings {
            cookie_secure: Some(false),
            ..TenantSettings::default()
        };
        assert_eq!(
            CookieSpec::for_tenant(&insecure, &acme, &central, true).name,
            "tenant_acme_session"
        );
    }
}
