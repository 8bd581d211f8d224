//! Session cookie values bound to their tenant, sealed with the key ring.
//!
//! A cookie value is `<tenant id>.<key number>.<session id>.<mac>`, the MAC
//! made with that key over the tenant, the key number and the session id.
//! A value moved to another tenant's cookie is recognised as foreign before
//! any store is asked, whatever the driver; a value made up by a client, or
//! sealed with a key since retired, is garbage.

use std::str::FromStr;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use subtle::ConstantTimeEq;
use tower_sessions::session::Id;

use crate::{
    keys::{mac, KeyId, KeyRing},
    tenancy::TenantId,
};

const MAC_LEN: usize = 16;

/// What a presented cookie value turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsealed {
    /// Made by this installation for the expected tenant, with key `key`.
    Ours { key: KeyId, id: Id },
    /// Made by this installation for a different tenant.
    Foreign {
        tenant: TenantId,
        key: KeyId,
        id: Id,
    },
    /// Not made by this installation (forged, truncated, a retired key).
    Invalid,
}

fn tag(ring: &KeyRing, key: KeyId, tenant: TenantId, id: Id) -> Option<[u8; 32]> {
    let uses = ring.get(key)?;
    Some(mac(
        &uses.cookie_mac,
        &[
            b"tessera-session",
            &tenant.get().to_be_bytes(),
            &key.get().to_be_bytes(),
            &id.0.to_be_bytes(),
        ],
    ))
}

/// The cookie value for session `id` of `tenant`, sealed with key `key`
/// (`None` if the ring has no such key).
pub fn seal(ring: &KeyRing, key: KeyId, tenant: TenantId, id: Id) -> Option<String> {
    let tag = tag(ring, key, tenant, id)?;
    Some(format!(
        "{tenant}.{key}.{id}.{}",
        URL_SAFE_NO_PAD.encode(&tag[..MAC_LEN])
    ))
}

pub fn open(ring: &KeyRing, value: &str, expected: TenantId) -> Unsealed {
    let mut parts = value.splitn(4, '.');
    let (Some(tenant), Some(key), Some(id), Some(presented)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Unsealed::Invalid;
    };
    let (Ok(tenant), Ok(key), Ok(id), Ok(presented)) = (
        tenant.parse::<i64>().map(TenantId::new),
        key.parse::<KeyId>(),
        Id::from_str(id),
        URL_SAFE_NO_PAD.decode(presented),
    ) else {
        return Unsealed::Invalid;
    };
    let Some(expected_tag) = tag(ring, key, tenant, id) else {
        return Unsealed::Invalid;
    };
    if presented.len() != MAC_LEN || !bool::from(expected_tag[..MAC_LEN].ct_eq(&presented)) {
        return Unsealed::Invalid;
    }
    if tenant == expected {
        Unsealed::Ours { key, id }
    } else {
        Unsealed::Foreign { tenant, key, id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Secret;

    const ACME: TenantId = TenantId::new(1);
    const GLOBEX: TenantId = TenantId::new(2);

    fn ring(ids: &[u32]) -> KeyRing {
        KeyRing::new(ids.iter().map(|i| (KeyId::new(*i), Secret::generate()))).expect("ring")
    }

    #[test]
    fn round_trips_and_detects_foreign_and_forged_values() {
        let ring = ring(&[1]);
        let (key, id) = (KeyId::new(1), Id::default());
        let value = seal(&ring, key, ACME, id).expect("sealed");
        assert_eq!(open(&ring, &value, ACME), Unsealed::Ours { key, id });
        assert_eq!(
            open(&ring, &value, GLOBEX),
            Unsealed::Foreign {
                tenant: ACME,
                key,
                id
            }
        );

        // Rewriting the tenant part breaks the MAC.
        let retargeted = value.replacen("1.", "2.", 1);
        assert_eq!(open(&ring, &retargeted, GLOBEX), Unsealed::Invalid);
        // Another installation's key, garbage, and truncation are all invalid.
        assert_eq!(open(&self::ring(&[1]), &value, ACME), Unsealed::Invalid);
        for garbage in [
            "",
            "x",
            "1.2",
            "1.1.abc.def",
            "9999999999999999999999.1.x.y",
            &value[..value.len() - 2],
        ] {
            assert_eq!(open(&ring, garbage, ACME), Unsealed::Invalid, "{garbage:?}");
        }
    }

    #[test]
    fn older_keys_open_what_they_sealed_until_retired() {
        let (a, b) = (Secret::generate(), Secret::generate());
        let old = KeyRing::new([(KeyId::new(1), a.clone())]).expect("ring");
        let id = Id::default();
        let value = seal(&old, KeyId::new(1), ACME, id).expect("sealed");
        let rotated = KeyRing::new([(KeyId::new(1), a), (KeyId::new(2), b.clone())]).expect("ring");
        assert_eq!(
            open(&rotated, &value, ACME),
            Unsealed::Ours {
                key: KeyId::new(1),
                id
            }
        );
        let retired = KeyRing::new([(KeyId::new(2), b)]).expect("ring");
        assert_eq!(open(&retired, &value, ACME), Unsealed::Invalid);
        // Claiming a newer key number for an old MAC does not help.
        let relabelled = value.replacen(".1.", ".2.", 1);
        assert_eq!(open(&rotated, &relabelled, ACME), Unsealed::Invalid);
    }
}
