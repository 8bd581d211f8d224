//! Bridge tokens: `tsb1.<tenant id>.<selector>.<verifier>`.
//!
//! The selector (128 bits) finds the row; only a keyed hash of the verifier
//! (256 bits; HMAC with a key of the key ring, whose number is stored with
//! it) is kept, and compared in constant time. The tenant id lets a token
//! presented at the wrong tenant be traced back and revoked. A successor is
//! derived from its predecessor with the same key, so a rotated-out token
//! presented again within the grace window yields the very same successor
//! without the successor ever being stored in plaintext.

use std::fmt;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use subtle::ConstantTimeEq;

use crate::{keys::mac, tenancy::TenantId};

const PREFIX: &str = "tsb1";

#[derive(Clone, PartialEq, Eq)]
pub struct BridgeToken {
    pub tenant: TenantId,
    pub selector: String,
    verifier: String,
}

impl fmt::Debug for BridgeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the verifier.
        f.debug_struct("BridgeToken")
            .field("tenant", &self.tenant)
            .field("selector", &self.selector)
            .finish_non_exhaustive()
    }
}

fn random(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A random opaque id (families).
pub fn random_id() -> String {
    random(16)
}

impl BridgeToken {
    pub fn generate(tenant: TenantId) -> Self {
        Self {
            tenant,
            selector: random(16),
            verifier: random(32),
        }
    }

    /// Parses a presented token; anything malformed is simply not a token.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.');
        let (Some(PREFIX), Some(tenant), Some(selector), Some(verifier), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        // Only the form we write: `00` or `+5` would name a tenant too, and
        // the token would no longer be the text it was given as.
        let canonical = tenant.starts_with(|c: char| matches!(c, '1'..='9'))
            && tenant.bytes().all(|b| b.is_ascii_digit());
        if !canonical {
            return None;
        }
        let tenant = TenantId::new(tenant.parse().ok()?);
        let decodes = |s: &str, len: usize| URL_SAFE_NO_PAD.decode(s).is_ok_and(|b| b.len() == len);
        (decodes(selector, 16) && decodes(verifier, 32)).then(|| Self {
            tenant,
            selector: selector.to_owned(),
            verifier: verifier.to_owned(),
        })
    }

    pub fn expose(&self) -> String {
        format!(
            "{PREFIX}.{}.{}.{}",
            self.tenant, self.selector, self.verifier
        )
    }

    /// The verifier's hash as stored, with a key's bridge key.
    pub fn verifier_hash(&self, key: &[u8; 32]) -> String {
        URL_SAFE_NO_PAD.encode(mac(
            key,
            &[b"tessera-bridge-verifier", self.verifier.as_bytes()],
        ))
    }

    pub fn matches(&self, stored_hash: &str, key: &[u8; 32]) -> bool {
        self.verifier_hash(key)
            .as_bytes()
            .ct_eq(stored_hash.as_bytes())
            .into()
    }

    /// The token that replaces this one on rotation, derived with `key`.
    pub fn successor(&self, key: &[u8; 32]) -> Self {
        let derive = |label: &[u8], len: usize| {
            URL_SAFE_NO_PAD.encode(&mac(key, &[label, self.expose().as_bytes()])[..len])
        };
        Self {
            tenant: self.tenant,
            selector: derive(b"bridge successor selector", 16),
            verifier: derive(b"bridge successor verifier", 32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_malformed_tokens() {
        let token = BridgeToken::generate(TenantId::new(7));
        let text = token.expose();
        assert!(text.starts_with("tsb1.7."));
        assert_eq!(BridgeToken::parse(&text), Some(token.clone()));
        let key = [9; 32];
        assert!(token.matches(&token.verifier_hash(&key), &key));
        assert!(
            !token.matches(&token.verifier_hash(&key), &[8; 32]),
            "hashes are keyed"
        );
        assert!(!BridgeToken::generate(TenantId::new(7)).matches(&token.verifier_hash(&key), &key));
        for bad in [
            "",
            "tsb1",
            "tsb2.7.a.b",
            &format!("{text}.x"),
            "tsb1.x.AAAAAAAAAAAAAAAAAAAAAA.AAAA",
            &text[..text.len() - 3],
        ] {
            assert_eq!(BridgeToken::parse(bad), None, "{bad:?}");
        }
        assert!(!format!("{token:?}").contains(&token.verifier));
    }

    #[test]
    fn only_the_tenant_number_as_written_is_accepted() {
        let text = BridgeToken::generate(TenantId::new(7)).expose();
        let rest = text.strip_prefix("tsb1.7.").expect("tenant 7");
        for tenant in ["07", "+7", "0", "-7", "7 "] {
            assert_eq!(
                BridgeToken::parse(&format!("tsb1.{tenant}.{rest}")),
                None,
                "{tenant:?}"
            );
        }
    }

    #[test]
    fn successors_are_deterministic_per_key_and_distinct() {
        let token = BridgeToken::generate(TenantId::new(1));
        let next = token.successor(&[1; 32]);
        assert_eq!(next, token.successor(&[1; 32]));
        assert_ne!(next, token.successor(&[2; 32]));
        assert_ne!(next.selector, token.selector);
        assert_eq!(BridgeToken::parse(&next.expose()), Some(next));
    }
}
