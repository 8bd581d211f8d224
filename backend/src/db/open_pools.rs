//! The SQLite tenant pools this process keeps open, capped: with thousands of
//! tenants, the least recently used pool is let go (its connections close
//! once requests still using it finish) and reopened on its next request.

use std::collections::HashMap;

use sqlx::SqlitePool;
use tokio::sync::Mutex;

use crate::tenancy::Slug;

#[derive(Debug)]
pub struct OpenPools {
    cap: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    pools: HashMap<Slug, (SqlitePool, u64)>,
    clock: u64,
}

impl OpenPools {
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            inner: Mutex::default(),
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub async fn get(&self, slug: &Slug) -> Option<SqlitePool> {
        let mut inner = self.inner.lock().await;
        inner.clock += 1;
        let now = inner.clock;
        inner.pools.get_mut(slug).map(|(pool, used)| {
            *used = now;
            pool.clone()
        })
    }

    /// Keeps `pool` (or the one a concurrent opener kept first), evicting the
    /// least recently used beyond the cap.
    pub async fn insert(&self, slug: Slug, pool: SqlitePool) -> SqlitePool {
        let mut inner = self.inner.lock().await;
        inner.clock += 1;
        let now = inner.clock;
        let kept = inner.pools.entry(slug).or_insert((pool, now)).0.clone();
        crate::evict::least_recent(&mut inner.pools, self.cap, |(_, used)| *used);
        kept
    }

    pub async fn remove(&self, slug: &Slug) -> Option<SqlitePool> {
        self.inner
            .lock()
            .await
            .pools
            .remove(slug)
            .map(|(pool, _)| pool)
    }

    /// Closes every open pool: a SQLite database's last connection to close
    /// checkpoints its WAL into the file and removes the WAL.
    pub async fn close_all(&self) {
        let pools: Vec<SqlitePool> = self
            .inner
            .lock()
            .await
            .pools
            .drain()
            .map(|(_, (pool, _))| pool)
            .collect();
        for pool in pools {
            super::connect::close_sqlite(&pool).await;
        }
    }

    pub async fn count(&self) -> usize {
        self.inner.lock().await.pools.len()
    }
}
