//! What every store keeps of a session: a keyed hash of its id
//! (`StoredId`), never the id itself, and its data and expiry
//! (`StoredRecord`), encoded the same way by every driver.

use std::collections::HashMap;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store,
};

use crate::{keys::mac, sessions::record::SessionRecord, tenancy::TenantId};

/// How a store names a session: a keyed hash of its id, URL-safe text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoredId(String);

impl StoredId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name read back from a store (or given by the admin panel).
    pub fn from_stored(text: &str) -> Option<Self> {
        let plausible = text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| Self(text.to_owned()))
    }
}

/// A session's data and expiry, as stored: without its id.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredRecord {
    pub data: HashMap<String, serde_json::Value>,
    #[serde(with = "time::serde::timestamp")]
    pub expiry_date: OffsetDateTime,
}

impl StoredRecord {
    pub(super) fn of(record: &Record) -> Self {
        Self {
            data: record.data.clone(),
            expiry_date: record.expiry_date,
        }
    }

    pub(super) fn into_record(self, id: Id) -> Record {
        Record {
            id,
            data: self.data,
            expiry_date: self.expiry_date,
        }
    }

    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.expiry_date > now
    }

    /// Whether it is a session signed in at `tenant` (shared stores hold
    /// several tenants').
    pub fn is_of(&self, tenant: TenantId) -> bool {
        SessionRecord::in_data(&self.data).is_some_and(|r| r.tenant == tenant)
    }
}

/// Rows `offset..offset + limit` of a list sorted in memory.
pub(super) fn page_of<T>(all: Vec<T>, offset: u64, limit: u64) -> Vec<T> {
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    all.into_iter().skip(skip).take(take).collect()
}

/// Turns session ids into `StoredId`s with one key of the ring.
#[derive(Clone)]
pub struct IdHasher {
    key: [u8; 32],
}

impl std::fmt::Debug for IdHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdHasher(..)")
    }
}

impl IdHasher {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    pub fn stored(&self, id: &Id) -> StoredId {
        StoredId(URL_SAFE_NO_PAD.encode(mac(
            &self.key,
            &[b"tessera-session-id", &id.0.to_be_bytes()],
        )))
    }
}

pub(super) fn encode(record: &StoredRecord) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

pub(super) fn decode(text: &[u8]) -> session_store::Result<StoredRecord> {
    serde_json::from_slice(text).map_err(|e| session_store::Error::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_ids_are_keyed_and_plausible() {
        let id = Id::default();
        let (a, b) = (IdHasher::new([1; 32]), IdHasher::new([2; 32]));
        assert_eq!(a.stored(&id), a.stored(&id));
        assert_ne!(a.stored(&id), b.stored(&id));
        assert!(!a.stored(&id).as_str().contains(&id.to_string()));
        assert_eq!(
            StoredId::from_stored(a.stored(&id).as_str()),
            Some(a.stored(&id))
        );
        assert_eq!(StoredId::from_stored("../../etc/passwd"), None);
    }
}
