//! Secrets at rest, sealed with the key ring: ChaCha20-Poly1305 under the
//! key's `factor_secrets` use, the tenant and the user bound in as
//! associated data, so a sealed secret copied to another tenant's or
//! another user's row opens nowhere.
//!
//! The text is `<key number>.<nonce>.<ciphertext>` (base64url): the key
//! number says which key of the ring opens it.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    ChaCha20Poly1305, Key, Nonce,
};
use rand::RngCore;

use crate::{accounts::UserId, keys::KeyRing, tenancy::TenantId};

fn associated(tenant: TenantId, user: UserId) -> Vec<u8> {
    let mut aad = b"tessera second factor\0".to_vec();
    aad.extend_from_slice(&tenant.get().to_be_bytes());
    aad.extend_from_slice(&user.get().to_be_bytes());
    aad
}

/// Seals `secret` with the ring's primary key.
pub fn seal(ring: &KeyRing, tenant: TenantId, user: UserId, secret: &[u8]) -> String {
    let key = ring.primary();
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&ring.primary_uses().factor_secrets));
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let aad = associated(tenant, user);
    // Encryption fails only for messages over 256 GiB.
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: &aad,
            },
        )
        .unwrap_or_default();
    format!(
        "{key}.{}.{}",
        URL_SAFE_NO_PAD.encode(nonce),
        URL_SAFE_NO_PAD.encode(sealed)
    )
}

/// The secret, if `sealed` was sealed for this tenant and user with a key
/// still on the ring.
pub fn open(ring: &KeyRing, tenant: TenantId, user: UserId, sealed: &str) -> Option<Vec<u8>> {
    let mut parts = sealed.splitn(3, '.');
    let (key, nonce, body) = (parts.next()?, parts.next()?, parts.next()?);
    let uses = ring.get(key.parse().ok()?)?;
    let nonce = URL_SAFE_NO_PAD.decode(nonce).ok()?;
    if nonce.len() != 12 {
        return None;
    }
    let body = URL_SAFE_NO_PAD.decode(body).ok()?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&uses.factor_secrets));
    let aad = associated(tenant, user);
    cipher
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &body,
                aad: &aad,
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyId, Secret};

    fn ring(ids: &[u32]) -> KeyRing {
        KeyRing::new(ids.iter().map(|i| (KeyId::new(*i), Secret::generate()))).expect("ring")
    }

    #[test]
    fn opens_only_for_its_tenant_and_user_with_a_key_on_the_ring() {
        let ring = ring(&[1, 2]);
        let (acme, globex) = (TenantId::new(1), TenantId::new(2));
        let (ada, bob) = (UserId::new(1), UserId::new(2));
        let sealed = seal(&ring, acme, ada, b"twenty bytes secret!");
        assert!(sealed.starts_with("2."), "the primary seals");
        assert_eq!(
            open(&ring, acme, ada, &sealed).as_deref(),
            Some(&b"twenty bytes secret!"[..])
        );
        assert_eq!(open(&ring, globex, ada, &sealed), None, "another tenant");
        assert_eq!(open(&ring, acme, bob, &sealed), None, "another user");
        let mut tampered = sealed.clone();
        tampered.pop();
        assert_eq!(open(&ring, acme, ada, &tampered), None);
        assert_eq!(open(&ring, acme, ada, "garbage"), None);
        let without_key_2 = KeyRing::new([(KeyId::new(1), Secret::generate())]).expect("ring");
        assert_eq!(
            open(&without_key_2, acme, ada, &sealed),
            None,
            "a retired key"
        );
    }
}
