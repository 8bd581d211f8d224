//! The bridge token's cookie (`bridge.storage = cookie`): where the token
//! lives when no script may read it.
//!
//! `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's
//! request carries it), `Path=/api/session-bridge` (no other request
//! carries it), host-only (no sibling subdomain receives it) and, on https,
//! `Secure` with the `__Secure-` prefix (a browser refuses that name from
//! plain http). `__Host-` would also refuse a sibling's `Domain=` cookie of
//! that name, but requires `Path=/`: the path matters more here, so a
//! sibling-planted cookie is dealt with on reading instead (two of our name
//! restore nobody, see `pick`).

use http::HeaderMap;

use crate::{sessions::cookie_pairs, settings::TenantSettings, tenancy::Slug};

/// The path the cookie is sent to: the bridge's endpoints only.
pub const PATH: &str = "/api/session-bridge";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeCookie {
    pub name: String,
    pub secure: bool,
    /// The names this tenant used under its former prefixes: still read,
    /// moved to `name` on the next rotation.
    pub former_names: Vec<String>,
}

/// What a request carried under the bridge cookie's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried<'a> {
    Nothing,
    /// Exactly one value (under the current name, or else a former one).
    One(&'a str),
    /// Several values under one name: one was planted beside ours (a
    /// sibling's `Domain=` cookie, or one set over plain http). Nobody is
    /// restored from an ambiguous pair.
    Ambiguous,
}

impl BridgeCookie {
    /// Named per tenant and prefix like the session cookie:
    /// `<prefix>_<slug>_bridge`.
    pub fn for_tenant(
        settings: &TenantSettings,
        slug: &Slug,
        former_prefixes: &[String],
        https: bool,
    ) -> Self {
        let name = |prefix: &str| {
            let secure = if https { "__Secure-" } else { "" };
            format!("{secure}{prefix}_{slug}_bridge")
        };
        Self {
            name: name(&settings.prefix),
            secure: https,
            former_names: former_prefixes
                .iter()
                .filter(|p| **p != settings.prefix)
                .map(|p| name(p))
                .collect(),
        }
    }

    /// The `Set-Cookie` value that stores `token` for `max_age` seconds.
    pub fn set(&self, token: &str, max_age: i64) -> String {
        self.header(&self.name, token, max_age.max(0))
    }

    /// The `Set-Cookie` values that drop the cookie, under every name.
    pub fn expire(&self) -> Vec<String> {
        let mut all = vec![self.header(&self.name, "", 0)];
        all.extend(self.expire_former());
        all
    }

    /// The values under the former names to drop once the current one is set.
    pub fn expire_former(&self) -> Vec<String> {
        self.former_names
            .iter()
            .map(|name| self.header(name, "", 0))
            .collect()
    }

    fn header(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path={PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
    }

    /// The token a request carries in its Cookie headers.
    pub fn pick<'a>(&self, headers: &'a HeaderMap) -> Carried<'a> {
        let under = |name: &str| -> Vec<&'a str> {
            cookie_pairs(headers)
                .filter(|(n, v)| *n == name && !v.is_empty())
                .map(|(_, v)| v)
                .collect()
        };
        let mut found = under(&self.name);
        if found.is_empty() {
            found = self.former_names.iter().flat_map(|n| under(n)).collect();
        }
        match found.as_slice() {
            [] => Carried::Nothing,
            [one] => Carried::One(one),
            _ => Carried::Ambiguous,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookie(https: bool) -> BridgeCookie {
        let acme = Slug::parse("acme").expect("slug");
        BridgeCookie::for_tenant(&TenantSettings::default(), &acme, &["old".into()], https)
    }

    #[test]
    fn named_per_tenant_and_prefix_secure_on_https() {
        assert_eq!(cookie(false).name, "tenant_acme_bridge");
        assert_eq!(cookie(true).name, "__Secure-tenant_acme_bridge");
        assert_eq!(cookie(false).former_names, ["old_acme_bridge"]);
        assert_eq!(
            cookie(true).set("tsb1.x", 60),
            "__Secure-tenant_acme_bridge=tsb1.x; Path=/api/session-bridge; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            cookie(false).expire(),
            [
                "tenant_acme_bridge=; Path=/api/session-bridge; Max-Age=0; HttpOnly; SameSite=Strict",
                "old_acme_bridge=; Path=/api/session-bridge; Max-Age=0; HttpOnly; SameSite=Strict",
            ]
        );
    }

    fn headers(cookies: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for c in cookies {
            headers.append(http::header::COOKIE, http::HeaderValue::from_static(c));
        }
        headers
    }

    #[test]
    fn two_values_of_one_name_are_ambiguous() {
        let c = cookie(false);
        let one = headers(&["tenant_acme_bridge=a; other=b"]);
        assert_eq!(c.pick(&one), Carried::One("a"));
        let planted = headers(&["tenant_acme_bridge=a", "tenant_acme_bridge=b"]);
        assert_eq!(c.pick(&planted), Carried::Ambiguous);
        let former = headers(&["old_acme_bridge=c"]);
        assert_eq!(c.pick(&former), Carried::One("c"));
        assert_eq!(c.pick(&headers(&[])), Carried::Nothing);
    }
}
