//! Who is on the other end of a request: the client's address and whether
//! it reached us over https, believing forwarding headers only from the
//! proxies the operator named (`TESSERA_TRUSTED_PROXIES`).

use std::{
    fmt,
    net::{IpAddr, Ipv6Addr},
    str::FromStr,
};

use http::HeaderMap;
use ipnet::IpNet;

/// The networks whose `X-Forwarded-For` / `X-Forwarded-Proto` we believe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TESSERA_TRUSTED_PROXIES: {0:?} is not an address or CIDR network (e.g. 10.0.0.0/8, ::1)")]
pub struct ProxyListError(pub String);

impl FromStr for TrustedProxies {
    type Err = ProxyListError;

    /// A comma-separated list of networks (`10.0.0.0/8`) or single addresses.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| ProxyListError(item.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An IPv4 address carried in IPv6 (`::ffff:1.2.3.4`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The request's client as far as we can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub https: bool,
}

impl Client {
    /// From the connection's peer: forwarding headers count only when the
    /// peer is a trusted proxy, and then the client is the rightmost address
    /// in `X-Forwarded-For` that is not itself a trusted proxy (everything to
    /// its left was written by the client and proves nothing).
    pub fn resolve(
        peer: IpAddr,
        uri_is_https: bool,
        headers: &HeaderMap,
        trusted: &TrustedProxies,
    ) -> Self {
        let peer = canonical(peer);
        if !trusted.trusts(peer) {
            return Self {
                ip: peer,
                https: uri_is_https,
            };
        }
        let mut ip = peer;
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            let Ok(hop) = hop.parse::<IpAddr>().map(canonical) else {
                break;
            };
            ip = hop;
            if !trusted.trusts(hop) {
                break;
            }
        }
        let proto = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok());
        let https = match proto.and_then(|p| p.rsplit(',').next()).map(str::trim) {
            Some(p) => p.eq_ignore_ascii_case("https"),
            None => uri_is_https,
        };
        Self { ip, https }
    }

    /// The key rate limits count this client under: its address, or for
    /// IPv6 its /64, which one subscriber usually holds whole.
    pub fn limit_key(&self) -> ClientKey {
        ClientKey(match self.ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        })
    }
}

/// A client as rate limits see it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientKey(String);

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, http::HeaderValue::from_static(v));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn parses_networks_and_addresses_and_names_the_bad_one() {
        let list: TrustedProxies = "10.0.0.0/8, 127.0.0.1,::1, fd00::/8"
            .parse()
            .expect("valid");
        assert!(
            list.trusts(ip("10.1.2.3")) && list.trusts(ip("127.0.0.1")) && list.trusts(ip("::1"))
        );
        assert!(
            list.trusts(ip("::ffff:10.9.9.9")),
            "IPv4-mapped addresses are their IPv4 selves"
        );
        assert!(!list.trusts(ip("11.0.0.1")) && !list.trusts(ip("127.0.0.2")));
        assert_eq!(
            "10.0.0.0/8, nonsense".parse::<TrustedProxies>(),
            Err(ProxyListError("nonsense".into()))
        );
        assert!("".parse::<TrustedProxies>().expect("empty").is_empty());
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let trusted: TrustedProxies = "10.0.0.1".parse().expect("valid");
        let spoofed = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = Client::resolve(ip("203.0.113.9"), false, &spoofed, &trusted);
        assert_eq!(
            client,
            Client {
                ip: ip("203.0.113.9"),
                https: false
            }
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().expect("valid");
        // The client claimed 1.1.1.1; our edge proxy (10.0.0.2) saw 198.51.100.7.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1, 198.51.100.7, 10.0.0.2"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = Client::resolve(ip("10.0.0.1"), false, &h, &trusted);
        assert_eq!(
            client,
            Client {
                ip: ip("198.51.100.7"),
                https: true
            }
        );
        // Several header lines are one list, in order.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "198.51.100.8"),
        ]);
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), false, &h, &trusted).ip,
            ip("198.51.100.8")
        );
        // Garbage stops the walk at the last address that parsed.
        let h = headers(&[("x-forwarded-for", "198.51.100.9, not-an-ip, 10.0.0.3")]);
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), false, &h, &trusted).ip,
            ip("10.0.0.3")
        );
        // No header: the proxy itself.
        assert_eq!(
            Client::resolve(ip("10.0.0.1"), true, &HeaderMap::new(), &trusted),
            Client {
                ip: ip("10.0.0.1"),
                https: true
            }
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a = Client {
            ip: ip("2001:db8:1:2:aaaa::1"),
            https: false,
        };
        let b = Client {
            ip: ip("2001:db8:1:2:bbbb::2"),
            https: false,
        };
        let c = Client {
            ip: ip("2001:db8:1:3::1"),
            https: false,
        };
        assert_eq!(a.limit_key(), b.limit_key());
        assert_ne!(a.limit_key(), c.limit_key());
        assert_eq!(a.limit_key().to_string(), "2001:db8:1:2::/64");
        assert_eq!(
            Client {
                ip: ip("192.0.2.1"),
                https: false
            }
            .limit_key()
            .to_string(),
            "192.0.2.1"
        );
    }
}
