//! The key ring: versioned instance secrets. Every key has a number; the
//! highest is the primary, used for everything new. Older keys still verify
//! what they made (cookies, session-id hashes, bridge token hashes) until
//! they are retired, which is how `tessera keys rotate` / `retire` change
//! keys without signing anyone out.
//!
//! Each key is one 32-byte secret; what is used is derived from it per
//! purpose, so no two uses ever share key material.

pub mod source;

use std::{collections::BTreeMap, fmt, str::FromStr};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use source::{KeySource, Keys};

/// A key's number (1, 2, ...). Carried in every cookie, stored with every
/// bridge token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(u32);

impl KeyId {
    pub const fn new(id: u32) -> Self {
        Self(id)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for KeyId {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(Self(n)),
            _ => Err(KeyError::Malformed(format!(
                "{s:?} is not a key number (1, 2, ...)"
            ))),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Malformed(String),
    #[error("there are no keys")]
    Empty,
    #[error("key {0} is the primary key; rotate first, then retire it")]
    RetiringPrimary(KeyId),
    #[error("there is no key {0}")]
    NoSuchKey(KeyId),
    #[error("keys from TESSERA_SECRET_KEYS are changed by editing that variable (`tessera keys generate` makes a new one)")]
    FromEnvironment,
    #[error("the key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// A 32-byte secret, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 32]);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| KeyError::Malformed("a key is 32 bytes".into()))
    }

    /// The text form used in `TESSERA_SECRET_KEYS` and key files.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn decode(text: &str) -> Result<Self, KeyError> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| {
            KeyError::Malformed("a key is 32 bytes in URL-safe base64 without padding".into())
        })?;
        Self::from_bytes(&bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        mac.update(b"tessera key derivation\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// What one key version is used as.
#[derive(Clone)]
pub struct KeyUses {
    /// Seals session cookies to their tenant.
    pub cookie_mac: [u8; 32],
    /// Hashes session ids before any store sees them.
    pub session_ids: [u8; 32],
    /// Hashes bridge token verifiers and derives their successors.
    pub bridge: [u8; 32],
    /// Seals second-factor secrets at rest.
    pub factor_secrets: [u8; 32],
}

impl fmt::Debug for KeyUses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyUses(..)")
    }
}

impl KeyUses {
    fn of(secret: &Secret) -> Self {
        Self {
            cookie_mac: secret.derive("session cookie mac"),
            session_ids: secret.derive("session id hash"),
            bridge: secret.derive("bridge tokens"),
            factor_secrets: secret.derive("second factor secrets"),
        }
    }
}

/// The keys in force, the highest-numbered first in line.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: BTreeMap<KeyId, KeyUses>,
    primary: KeyId,
}

impl KeyRing {
    pub fn new(secrets: impl IntoIterator<Item = (KeyId, Secret)>) -> Result<Self, KeyError> {
        let keys: BTreeMap<KeyId, KeyUses> = secrets
            .into_iter()
            .map(|(id, secret)| (id, KeyUses::of(&secret)))
            .collect();
        let primary = *keys.keys().next_back().ok_or(KeyError::Empty)?;
        Ok(Self { keys, primary })
    }

    pub fn primary(&self) -> KeyId {
        self.primary
    }

    pub fn get(&self, id: KeyId) -> Option<&KeyUses> {
        self.keys.get(&id)
    }

    pub fn primary_uses(&self) -> &KeyUses {
        // The primary is one of the keys by construction.
        &self.keys[&self.primary]
    }

    pub fn ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.keys.keys().copied()
    }
}

/// HMAC-SHA256 of `parts` (each length-prefixed, so no two inputs collide).
pub fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Parses `1:<key>,2:<key>` (commas or new lines; `#` starts a comment).
pub fn parse_list(text: &str) -> Result<Vec<(KeyId, Secret)>, KeyError> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (id, secret) = entry
                .split_once(':')
                .ok_or_else(|| KeyError::Malformed("expected <number>:<key>".into()))?;
            Ok((id.parse()?, Secret::decode(secret)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_key_is_primary_and_uses_differ_per_key_and_purpose() {
        let (a, b) = (Secret::generate(), Secret::generate());
        let ring = KeyRing::new([(KeyId::new(2), b), (KeyId::new(1), a)]).expect("ring");
        assert_eq!(ring.primary(), KeyId::new(2));
        let (one, two) = (
            ring.get(KeyId::new(1)).expect("1"),
            ring.get(KeyId::new(2)).expect("2"),
        );
        assert_ne!(one.cookie_mac, two.cookie_mac);
        assert_ne!(one.cookie_mac, one.session_ids);
        assert_ne!(one.session_ids, one.bridge);
        assert!(ring.get(KeyId::new(3)).is_none());
        assert!(matches!(KeyRing::new([]), Err(KeyError::Empty)));
    }

    #[test]
    fn key_lists_round_trip_and_refuse_junk() {
        let secret = Secret::generate();
        let text = format!(
            "# keys, one a line: <number>:<key>\n1:{},\n 7:{} # the newest",
            secret.encode(),
            Secret::generate().encode()
        );
        let parsed = parse_list(&text).expect("valid");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0], (KeyId::new(1), secret));
        for junk in ["1", "0:AAAA", "x:AAAA", "1:short", "1:!!!!"] {
            assert!(parse_list(junk).is_err(), "{junk}");
        }
        assert!(
            !format!("{:?}", parsed[0].1).contains(&parsed[0].1.encode()),
            "never printed"
        );
    }
}
