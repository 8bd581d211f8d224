//! Sessions in this process's memory: fast, lost on restart (the session
//! bridge restores logins), and invisible to other processes — single-process
//! deployments only.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store, SessionStore,
};

/// Every namespace's sessions; one per process, shared by all tenants.
#[derive(Debug, Default)]
pub struct MemorySessions {
    spaces: Mutex<HashMap<String, HashMap<Id, Record>>>,
}

impl MemorySessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, HashMap<Id, Record>>> {
        self.spaces
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Debug, Clone)]
pub struct MemorySessionStore {
    all: Arc<MemorySessions>,
    namespace: String,
}

impl MemorySessionStore {
    pub fn new(all: Arc<MemorySessions>, namespace: String) -> Self {
        Self { all, namespace }
    }

    pub fn list(&self) -> Vec<Record> {
        let now = OffsetDateTime::now_utc();
        let all = self.all.lock();
        all.get(&self.namespace).map_or_else(Vec::new, |space| {
            space
                .values()
                .filter(|r| r.expiry_date > now)
                .cloned()
                .collect()
        })
    }

    pub fn count(&self) -> u64 {
        let now = OffsetDateTime::now_utc();
        let all = self.all.lock();
        all.get(&self.namespace).map_or(0, |space| {
            space.values().filter(|r| r.expiry_date > now).count() as u64
        })
    }
}

#[async_trait]
impl SessionStore for MemorySessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut all = self.all.lock();
        let space = all.entry(self.namespace.clone()).or_default();
        while space.contains_key(&record.id) {
            record.id = Id::default();
        }
        space.insert(record.id, record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.all
            .lock()
            .entry(self.namespace.clone())
            .or_default()
            .insert(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut all = self.all.lock();
        let Some(space) = all.get_mut(&self.namespace) else {
            return Ok(None);
        };
        match space.get(id) {
            Some(record) if record.expiry_date > OffsetDateTime::now_utc() => {
                Ok(Some(record.clone()))
            }
            Some(_) => {
                space.remove(id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        if let Some(space) = self.all.lock().get_mut(&self.namespace) {
            space.remove(id);
        }
        Ok(())
    }
}
