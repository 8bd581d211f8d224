//! Property tests (proptest, thousands of generated inputs per run) for the
//! parsers every request's untrusted input meets first: the Host header, the
//! slug in it, and bridge tokens. Each is checked against an oracle written
//! from the rules alone: whatever it accepts must be allowed, and whatever
//! the rules allow must be accepted (so a parser that refused everything
//! would fail too). None may panic.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use proptest::prelude::*;
use tessera_backend::{
    bridge::BridgeToken,
    tenancy::{slug::RESERVED, CentralDomain, HostTarget, Slug, TenantId},
};

/// 3–63 of a-z, 0-9 and '-', no hyphen at either end, not `--` as the
/// third and fourth characters (IDNA A-labels), not reserved.
fn slug_allowed(slug: &str) -> bool {
    (3..=63).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug.get(2..4) != Some("--")
        && !RESERVED.contains(&slug)
}

/// What a Host header must resolve to at the central domain `tessera.test`:
/// `Some(None)` the central site, `Some(Some(slug))` a tenant, `None` refused.
fn host_oracle(input: &str) -> Option<Option<String>> {
    if input.is_empty() || input.len() > 255 || !input.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let host = match input.rsplit_once(':') {
        Some((host, port)) => port.parse::<u16>().ok().map(|_| host)?,
        None => input,
    };
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    if host == "tessera.test" {
        return Some(None);
    }
    let label = host.strip_suffix(".tessera.test")?;
    (!label.contains('.') && slug_allowed(label)).then(|| Some(label.to_owned()))
}

/// `tsb1.<tenant>.<16 bytes>.<32 bytes>`, bytes in unpadded URL-safe base64.
fn token_allowed(input: &str) -> bool {
    let parts: Vec<&str> = input.trim().split('.').collect();
    let decodes = |s: &str, len: usize| URL_SAFE_NO_PAD.decode(s).is_ok_and(|b| b.len() == len);
    parts.len() == 4
        && parts[0] == "tsb1"
        && parts[1]
            .parse::<i64>()
            .is_ok_and(|id| id > 0 && id.to_string() == parts[1])
        && decodes(parts[2], 16)
        && decodes(parts[3], 32)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn slugs_are_accepted_exactly_when_the_rules_allow(input in "\\PC{0,80}|[a-z0-9-]{0,70}|[a-z0-9][a-z0-9-]{1,61}[a-z0-9]") {
        let parsed = Slug::parse(&input);
        prop_assert_eq!(parsed.is_ok(), slug_allowed(&input), "{:?}", input);
        if let Ok(slug) = parsed {
            prop_assert_eq!(slug.as_str(), input.as_str());
        }
    }

    #[test]
    fn hosts_resolve_exactly_as_the_rules_say(
        input in "\\PC{0,80}|[a-zA-Z0-9.-]{0,30}\\.tessera\\.test(:[0-9]{1,6})?\\.?|[a-z0-9][a-z0-9-]{1,20}[a-z0-9]\\.(tessera\\.test|TESSERA\\.test|tessera\\.test\\.)(:[0-9]{1,5})?|tessera\\.test(:[0-9]{1,5})?|[^.]{0,10}"
    ) {
        let domain = CentralDomain::parse("tessera.test").expect("domain");
        let resolved = match domain.resolve(Some(&input)) {
            Ok(HostTarget::Central) => Some(None),
            Ok(HostTarget::Tenant(slug)) => Some(Some(slug.as_str().to_owned())),
            Err(_) => None,
        };
        prop_assert_eq!(resolved, host_oracle(&input), "{:?}", input);
    }

    #[test]
    fn tokens_parse_exactly_in_their_shape(input in "\\PC{0,120}|tsb1\\.[0-9]{1,4}\\.[A-Za-z0-9_-]{20,24}\\.[A-Za-z0-9_-]{40,45}") {
        let parsed = BridgeToken::parse(&input);
        prop_assert_eq!(parsed.is_some(), token_allowed(&input), "{:?}", input);
        if let Some(token) = parsed {
            prop_assert_eq!(token.expose(), input.trim());
        }
    }

    #[test]
    fn every_well_formed_token_is_accepted(tenant in 1i64..1_000_000_000, selector in any::<[u8; 16]>(), verifier in any::<[u8; 32]>()) {
        let text = format!("tsb1.{tenant}.{}.{}", URL_SAFE_NO_PAD.encode(selector), URL_SAFE_NO_PAD.encode(verifier));
        let token = BridgeToken::parse(&text);
        prop_assert!(token.is_some(), "{:?} refused", text);
        prop_assert_eq!(token.map(|t| t.expose()), Some(text));
    }

    #[test]
    fn generated_tokens_always_round_trip(tenant in 1i64..1_000_000) {
        let token = BridgeToken::generate(TenantId::new(tenant));
        prop_assert_eq!(BridgeToken::parse(&token.expose()), Some(token.clone()));
        prop_assert!(token.successor(&[7; 32]) != token);
    }
}
