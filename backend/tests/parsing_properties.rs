//! Property tests (proptest, thousands of generated inputs per run) for the
//! parsers every request's untrusted input meets first: the Host header, the
//! slug in it, and bridge tokens. None may panic; whatever they accept must
//! be exactly what the rules allow.

use proptest::prelude::*;
use tessera_backend::{
    bridge::BridgeToken,
    tenancy::{CentralDomain, HostTarget, Slug, TenantId},
};

fn slug_rules_hold(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 63
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn slugs_accept_only_the_rules(input in "\\PC{0,80}|[a-z0-9-]{0,70}") {
        if let Ok(slug) = Slug::parse(&input) {
            prop_assert!(slug_rules_hold(slug.as_str()), "accepted {:?}", slug.as_str());
            prop_assert_eq!(Slug::parse(slug.as_str()).ok(), Some(slug.clone()));
        }
    }

    #[test]
    fn hosts_resolve_to_the_central_site_or_a_valid_slug_of_this_domain(
        input in "\\PC{0,80}|[a-zA-Z0-9.-]{0,30}\\.tessera\\.test(:[0-9]{1,6})?\\.?|[^.]{0,10}"
    ) {
        let domain = CentralDomain::parse("tessera.test").expect("domain");
        match domain.resolve(Some(&input)) {
            Ok(HostTarget::Central) => {
                let host = input.to_ascii_lowercase();
                prop_assert!(host.starts_with("tessera.test"), "{:?} as central", input);
            }
            Ok(HostTarget::Tenant(slug)) => {
                prop_assert!(slug_rules_hold(slug.as_str()));
                let host = input.to_ascii_lowercase();
                let expected_prefix = format!("{}.tessera.test", slug.as_str());
                prop_assert!(host.starts_with(&expected_prefix), "{:?} as {:?}", input, slug.as_str());
            }
            Err(_) => {}
        }
    }

    #[test]
    fn tokens_parse_only_in_their_exact_shape(input in "\\PC{0,120}|tsb1\\.[0-9]{1,4}\\.[A-Za-z0-9_-]{20,24}\\.[A-Za-z0-9_-]{40,45}") {
        if let Some(token) = BridgeToken::parse(&input) {
            let exposed = token.expose();
            prop_assert_eq!(exposed.as_str(), input.trim());
            prop_assert_eq!(BridgeToken::parse(&exposed), Some(token));
        }
    }

    #[test]
    fn generated_tokens_always_round_trip(tenant in 1i64..1_000_000) {
        let token = BridgeToken::generate(TenantId::new(tenant));
        prop_assert_eq!(BridgeToken::parse(&token.expose()), Some(token.clone()));
        prop_assert!(token.successor(&[7; 32]) != token);
    }
}
