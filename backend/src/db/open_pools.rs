//! The SQLite tenant pools this process keeps open, capped: with thousands of
//! tenants, the least recently used pool is let go (its connections close
//! once requests still using it finish) and reopened on its next request.
//!
//! Pools are keyed by tenant id, not slug: a workspace deleted and created
//! again under the same slug is another tenant, and the pool this process
//! still held on the first one's (unlinked) file must never serve the
//! second. Keeping a pool for a tenant closes any pool held for an earlier
//! tenant of the same slug.

use std::collections::HashMap;

use sqlx::SqlitePool;
use tokio::sync::Mutex;

use crate::tenancy::{Slug, TenantId};

#[derive(Debug)]
pub struct OpenPools {
    cap: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Open {
    slug: Slug,
    pool: SqlitePool,
    used: u64,
}

#[derive(Debug, Default)]
struct Inner {
    pools: HashMap<TenantId, Open>,
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

    pub async fn get(&self, tenant: TenantId) -> Option<SqlitePool> {
        let mut inner = self.inner.lock().await;
        inner.clock += 1;
        let now = inner.clock;
        inner.pools.get_mut(&tenant).map(|open| {
            open.used = now;
            open.pool.clone()
        })
    }

    /// Keeps `pool` for `tenant` (or the one a concurrent opener kept first),
    /// evicting the least recently used beyond the cap and closing whatever
    /// an earlier tenant of the same slug left open.
    pub async fn insert(&self, tenant: TenantId, slug: &Slug, pool: SqlitePool) -> SqlitePool {
        let (kept, earlier) = {
            let mut inner = self.inner.lock().await;
            inner.clock += 1;
            let used = inner.clock;
            let kept = inner
                .pools
                .entry(tenant)
                .or_insert(Open {
                    slug: slug.clone(),
                    pool,
                    used,
                })
                .pool
                .clone();
            let earlier = take_where(&mut inner.pools, |id, open| {
                open.slug == *slug && *id != tenant
            });
            crate::evict::least_recent(&mut inner.pools, self.cap, |open| open.used);
            (kept, earlier)
        };
        close_gone(earlier).await;
        kept
    }

    /// Closes the pools held for this slug, whichever tenant had it: the
    /// slug is gone, or belongs to a tenant whose pool is not open here.
    pub async fn close_slug(&self, slug: &Slug) {
        let gone = take_where(&mut self.inner.lock().await.pools, |_, open| {
            open.slug == *slug
        });
        close_gone(gone).await;
    }

    /// Closes the pool held for a tenant that was deleted.
    pub async fn close_tenant(&self, tenant: TenantId) {
        let gone = take_where(&mut self.inner.lock().await.pools, |id, _| *id == tenant);
        close_gone(gone).await;
    }

    /// Closes every open pool, leaving each file whole
    /// (`connect::close_sqlite`).
    pub async fn close_all(&self) {
        let all = take_where(&mut self.inner.lock().await.pools, |_, _| true);
        for pool in all {
            super::connect::close_sqlite(&pool).await;
        }
    }

    pub async fn count(&self) -> usize {
        self.inner.lock().await.pools.len()
    }
}

fn take_where(
    pools: &mut HashMap<TenantId, Open>,
    wanted: impl Fn(&TenantId, &Open) -> bool,
) -> Vec<SqlitePool> {
    let ids: Vec<TenantId> = pools
        .iter()
        .filter(|(id, open)| wanted(id, open))
        .map(|(id, _)| *id)
        .collect();
    ids.iter()
        .filter_map(|id| pools.remove(id))
        .map(|open| open.pool)
        .collect()
}

/// Closes the pools of a deleted tenant: only closed, never reopened by
/// path to checkpoint (the path may name another tenant's file by now).
async fn close_gone(pools: Vec<SqlitePool>) {
    for pool in pools {
        pool.close().await;
    }
}
