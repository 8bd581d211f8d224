//! Sessions in this process's memory: fast, lost on restart (the session
//! bridge restores logins), and invisible to other processes — single-process
//! deployments only. Bounded: expired records are swept now and then, and a
//! namespace at its cap makes room by dropping the sessions closest to
//! expiring (the least recently active).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use time::OffsetDateTime;
use tower_sessions::session_store;

use super::stored::{StoredId, StoredRecord};
use crate::clock::Clock;

/// One new session in this many sweeps its namespace of expired records.
const SWEEP_ODDS: u32 = 64;

type Space = HashMap<StoredId, StoredRecord>;

/// Every namespace's sessions; one per process, shared by all tenants.
#[derive(Debug, Default)]
pub struct MemorySessions {
    spaces: Mutex<HashMap<String, Space>>,
}

impl MemorySessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Space>> {
        self.spaces
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Drops a namespace's records for which `doomed` says yes.
    pub fn purge(&self, namespace: &str, doomed: impl Fn(&StoredRecord) -> bool) -> usize {
        let mut all = self.lock();
        let Some(space) = all.get_mut(namespace) else {
            return 0;
        };
        let before = space.len();
        space.retain(|_, record| !doomed(record));
        before - space.len()
    }
}

#[derive(Debug, Clone)]
pub struct MemorySessionStore {
    all: Arc<MemorySessions>,
    namespace: String,
    cap: usize,
    clock: Clock,
}

/// Drops expired records; at the cap, also the ones closest to expiring.
pub(super) fn make_room<K: Clone>(
    records: &mut Vec<(K, OffsetDateTime)>,
    cap: usize,
    now: OffsetDateTime,
) -> Vec<K> {
    let mut gone: Vec<K> = records
        .iter()
        .filter(|(_, expiry)| *expiry <= now)
        .map(|(k, _)| k.clone())
        .collect();
    records.retain(|(_, expiry)| *expiry > now);
    if records.len() >= cap {
        records.sort_by_key(|(_, expiry)| *expiry);
        let excess = records.len() + 1 - cap;
        gone.extend(records.drain(..excess).map(|(k, _)| k));
    }
    gone
}

impl MemorySessionStore {
    pub fn new(all: Arc<MemorySessions>, namespace: String, cap: usize, clock: Clock) -> Self {
        Self {
            all,
            namespace,
            cap: cap.max(1),
            clock,
        }
    }

    pub async fn list(&self) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let all = self.all.lock();
        let Some(space) = all.get(&self.namespace) else {
            return Ok(Vec::new());
        };
        Ok(space
            .iter()
            .filter(|(_, r)| r.is_live(self.clock.now()))
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect())
    }

    pub async fn insert(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        let mut all = self.all.lock();
        let space = all.entry(self.namespace.clone()).or_default();
        if space.contains_key(id) {
            return Ok(false);
        }
        if space.len() >= self.cap || rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, SWEEP_ODDS) {
            let mut expiries: Vec<(StoredId, OffsetDateTime)> = space
                .iter()
                .map(|(k, r)| (k.clone(), r.expiry_date))
                .collect();
            for gone in make_room(&mut expiries, self.cap, self.clock.now()) {
                space.remove(&gone);
            }
        }
        space.insert(id.clone(), record.clone());
        Ok(true)
    }

    /// Rewrites a session that still exists; false when it is gone.
    pub async fn update(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        let mut all = self.all.lock();
        let held = all
            .get_mut(&self.namespace)
            .and_then(|space| space.get_mut(id));
        Ok(held.map(|held| *held = record.clone()).is_some())
    }

    pub async fn get(&self, id: &StoredId) -> session_store::Result<Option<StoredRecord>> {
        let mut all = self.all.lock();
        let Some(space) = all.get_mut(&self.namespace) else {
            return Ok(None);
        };
        match space.get(id) {
            Some(record) if record.is_live(self.clock.now()) => Ok(Some(record.clone())),
            Some(_) => {
                space.remove(id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    pub async fn remove(&self, id: &StoredId) -> session_store::Result<()> {
        if let Some(space) = self.all.lock().get_mut(&self.namespace) {
            space.remove(id);
        }
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.all.lock().get(&self.namespace).map_or(0, HashMap::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::stores::IdHasher;

    /// The clock the store under test reads: it stands still.
    fn clock() -> Clock {
        Clock::from(crate::clock::ManualClock::starting_at(
            OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000),
        ))
    }

    fn record(expires_in_secs: i64) -> StoredRecord {
        StoredRecord {
            data: HashMap::new(),
            expiry_date: clock().now() + time::Duration::seconds(expires_in_secs),
        }
    }

    #[tokio::test]
    async fn a_namespace_never_grows_past_its_cap_and_keeps_the_most_recent() {
        let store = MemorySessionStore::new(Arc::default(), "tenant-1".into(), 100, clock());
        let ids = IdHasher::new([3; 32]);
        let mut newest = Vec::new();
        for i in 0..1_000 {
            let id = ids.stored(&tower_sessions::session::Id::default());
            assert!(store.insert(&id, &record(60 + i)).await.expect("insert"));
            if i >= 990 {
                newest.push(id);
            }
        }
        assert!(store.len() <= 100, "{} records", store.len());
        for id in &newest {
            assert!(
                store.get(id).await.expect("get").is_some(),
                "the latest sessions survive"
            );
        }
    }

    #[tokio::test]
    async fn expired_records_are_swept_when_room_is_needed() {
        let store = MemorySessionStore::new(Arc::default(), "tenant-1".into(), 10, clock());
        let ids = IdHasher::new([4; 32]);
        // Until nine are held: the occasional random sweep may take some early.
        while store.len() < 9 {
            store
                .insert(
                    &ids.stored(&tower_sessions::session::Id::default()),
                    &record(-5),
                )
                .await
                .expect("insert");
        }
        let live = ids.stored(&tower_sessions::session::Id::default());
        store.insert(&live, &record(600)).await.expect("insert");
        store
            .insert(
                &ids.stored(&tower_sessions::session::Id::default()),
                &record(600),
            )
            .await
            .expect("insert");
        assert_eq!(
            store.len(),
            2,
            "the nine expired ones went, nothing live did"
        );
        assert!(store.get(&live).await.expect("get").is_some());
    }
}
