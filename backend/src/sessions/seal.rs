//! Session cookie values bound to their tenant.
//!
//! A cookie value is `<tenant id>.<session id>.<mac>`, the MAC keyed with an
//! instance secret over both ids. A value moved to another tenant's cookie is
//! recognised as foreign before any store is asked, whatever the driver; a
//! value made up by a client is recognised as garbage.

use std::str::FromStr;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tower_sessions::session::Id;

use crate::tenancy::TenantId;

const MAC_LEN: usize = 16;

#[derive(Clone)]
pub struct CookieSeal {
    key: [u8; 32],
}

impl std::fmt::Debug for CookieSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieSeal(..)")
    }
}

/// What a presented cookie value turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsealed {
    /// Made by this instance for the expected tenant.
    Ours(Id),
    /// Made by this instance for a different tenant.
    Foreign { tenant: TenantId, id: Id },
    /// Not made by this instance (forged, truncated, from an old key).
    Invalid,
}

impl CookieSeal {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn mac(&self, tenant: TenantId, id: Id) -> Hmac<Sha256> {
        // A fixed-size key never fails; the fallback keeps this panic-free.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        mac.update(b"tessera-session\0");
        mac.update(&tenant.get().to_be_bytes());
        mac.update(&id.0.to_be_bytes());
        mac
    }

    pub fn seal(&self, tenant: TenantId, id: Id) -> String {
        let tag = self.mac(tenant, id).finalize().into_bytes();
        format!("{tenant}.{id}.{}", URL_SAFE_NO_PAD.encode(&tag[..MAC_LEN]))
    }

    pub fn open(&self, value: &str, expected: TenantId) -> Unsealed {
        let mut parts = value.splitn(3, '.');
        let (Some(tenant), Some(id), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
            return Unsealed::Invalid;
        };
        let (Ok(tenant), Ok(id), Ok(tag)) = (
            tenant.parse::<i64>().map(TenantId::new),
            Id::from_str(id),
            URL_SAFE_NO_PAD.decode(tag),
        ) else {
            return Unsealed::Invalid;
        };
        if tag.len() != MAC_LEN || self.mac(tenant, id).verify_truncated_left(&tag).is_err() {
            return Unsealed::Invalid;
        }
        if tenant == expected {
            Unsealed::Ours(id)
        } else {
            Unsealed::Foreign { tenant, id }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: TenantId = TenantId::new(1);
    const GLOBEX: TenantId = TenantId::new(2);

    #[test]
    fn round_trips_and_detects_foreign_and_forged_values() {
        let seal = CookieSeal::new([7; 32]);
        let id = Id::default();
        let value = seal.seal(ACME, id);
        assert_eq!(seal.open(&value, ACME), Unsealed::Ours(id));
        assert_eq!(
            seal.open(&value, GLOBEX),
            Unsealed::Foreign { tenant: ACME, id }
        );

        // Rewriting the tenant part breaks the MAC.
        let retargeted = value.replacen("1.", "2.", 1);
        assert_eq!(seal.open(&retargeted, GLOBEX), Unsealed::Invalid);
        // Another instance's key, garbage, and truncation are all invalid.
        assert_eq!(
            CookieSeal::new([8; 32]).open(&value, ACME),
            Unsealed::Invalid
        );
        for garbage in [
            "",
            "x",
            "1.2",
            "1.abc.def",
            "9999999999999999999999.x.y",
            &value[..value.len() - 2],
        ] {
            assert_eq!(seal.open(garbage, ACME), Unsealed::Invalid, "{garbage:?}");
        }
    }
}
