//! Turning a request's Host header into the site it addresses.

use super::slug::{Slug, SlugError};

/// The central domain, e.g. `localhost` or `tessera.test`, lowercase, no port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralDomain(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("the request has no Host header")]
    Missing,
    #[error("the Host header is not a valid host name")]
    Malformed,
    #[error("this server does not serve {0}")]
    ForeignDomain(String),
    #[error("no workspace can be named like this: {0}")]
    BadSlug(SlugError),
}

/// Where a request is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostTarget {
    Central,
    Tenant(Slug),
}

impl CentralDomain {
    pub fn parse(input: &str) -> Result<Self, HostError> {
        let domain = input.trim().trim_end_matches('.').to_ascii_lowercase();
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if domain.is_empty() || domain.len() > 253 || !domain.split('.').all(valid_label) {
            return Err(HostError::Malformed);
        }
        Ok(Self(domain))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Browsers refuse `Domain=` cookies for `localhost` and bare IP addresses,
    /// so a parent-domain cookie cannot work on such a central domain.
    pub fn accepts_domain_cookies(&self) -> bool {
        self.0 != "localhost"
            && !self.0.ends_with(".localhost")
            && self.0.contains('.')
            && !self
                .0
                .split('.')
                .all(|l| l.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Resolves a raw Host header value (`acme.localhost:3000`).
    pub fn resolve(&self, host_header: Option<&str>) -> Result<HostTarget, HostError> {
        let raw = host_header.ok_or(HostError::Missing)?;
        let host = strip_port(raw)?.to_ascii_lowercase();
        let host = host.strip_suffix('.').unwrap_or(&host);
        if host == self.0 {
            return Ok(HostTarget::Central);
        }
        let label = host
            .strip_suffix(self.0.as_str())
            .and_then(|rest| rest.strip_suffix('.'))
            .ok_or_else(|| HostError::ForeignDomain(host.to_owned()))?;
        if label.contains('.') {
            return Err(HostError::ForeignDomain(host.to_owned()));
        }
        Slug::parse(label)
            .map(HostTarget::Tenant)
            .map_err(HostError::BadSlug)
    }
}

/// Splits `host[:port]`, refusing anything a browser would never send.
fn strip_port(raw: &str) -> Result<&str, HostError> {
    if raw.is_empty() || raw.len() > 255 || raw.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err(HostError::Malformed);
    }
    let host = match raw.rsplit_once(':') {
        Some((host, port)) => {
            port.parse::<u16>().map_err(|_| HostError::Malformed)?;
            host
        }
        None => raw,
    };
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if valid {
        Ok(host)
    } else {
        Err(HostError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn localhost() -> CentralDomain {
        CentralDomain::parse("localhost").expect("valid domain")
    }

    #[test]
    fn resolves_central_and_tenants() {
        let d = localhost();
        assert_eq!(d.resolve(Some("localhost:3000")), Ok(HostTarget::Central));
        assert_eq!(d.resolve(Some("LOCALHOST")), Ok(HostTarget::Central));
        let acme = Slug::parse("acme").expect("valid slug");
        assert_eq!(
            d.resolve(Some("acme.localhost:3000")),
            Ok(HostTarget::Tenant(acme.clone()))
        );
        assert_eq!(
            d.resolve(Some("ACME.localhost")),
            Ok(HostTarget::Tenant(acme))
        );
    }

    #[test]
    fn refuses_bad_hosts() {
        let d = localhost();
        assert_eq!(d.resolve(None), Err(HostError::Missing));
        for bad in [
            "",
            "acme.localhost:99999",
            "acme.localhost:x",
            "ac me.localhost",
            "a\u{7f}",
            "[::1]:3000",
            "acme.localhost/x",
        ] {
            assert_eq!(d.resolve(Some(bad)), Err(HostError::Malformed), "{bad:?}");
        }
        assert!(matches!(
            d.resolve(Some("evil.com")),
            Err(HostError::ForeignDomain(_))
        ));
        assert!(matches!(
            d.resolve(Some("a.b.localhost")),
            Err(HostError::ForeignDomain(_))
        ));
        assert!(matches!(
            d.resolve(Some("www.localhost")),
            Err(HostError::BadSlug(_))
        ));
    }

    #[test]
    fn domain_cookies_need_a_real_parent_domain() {
        assert!(!localhost().accepts_domain_cookies());
        assert!(!CentralDomain::parse("127.0.0.1")
            .expect("parses")
            .accepts_domain_cookies());
        assert!(CentralDomain::parse("tessera.test")
            .expect("parses")
            .accepts_domain_cookies());
    }
}
