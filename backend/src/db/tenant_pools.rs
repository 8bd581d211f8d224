//! One SQLite file per tenant, opened lazily and kept open.

use std::{
    collections::HashMap,
    path::PathBuf,
};

use sqlx::sqlite::SqlitePool;
use tokio::sync::Mutex;

use super::sqlite::{self, OpenMode};
use crate::tenancy::{Slug, Tenant, TenantId};

pub static TENANT_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/tenant");

/// Connections per tenant pool: tenants are many and mostly idle.
const CONNECTIONS_PER_TENANT: u32 = 4;

#[derive(Debug)]
pub struct TenantPools {
    dir: PathBuf,
    open: Mutex<HashMap<TenantId, SqlitePool>>,
}

impl TenantPools {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, open: Mutex::new(HashMap::new()) }
    }

    /// The file holding a tenant's data. Slugs are validated to `[a-z0-9-]`,
    /// so the path cannot leave the directory.
    pub fn path(&self, slug: &Slug) -> PathBuf {
        self.dir.join(format!("{slug}.sqlite"))
    }

    /// The pool of an existing tenant database.
    pub async fn get(&self, tenant: &Tenant) -> Result<SqlitePool, sqlx::Error> {
        if let Some(pool) = self.open.lock().await.get(&tenant.id) {
            return Ok(pool.clone());
        }
        // Opened outside the lock so one slow file does not stall every tenant;
        // a concurrent opener's pool wins and ours is dropped.
        let pool = sqlite::open(&self.path(&tenant.slug), OpenMode::Existing, CONNECTIONS_PER_TENANT).await?;
        Ok(self.open.lock().await.entry(tenant.id).or_insert(pool).clone())
    }

    /// Creates a new tenant database file and runs the tenant migrations.
    pub async fn create(&self, slug: &Slug) -> Result<(), sqlx::Error> {
        let pool = sqlite::open(&self.path(slug), OpenMode::Create, 1).await?;
        let migrated = TENANT_MIGRATOR.run(&pool).await;
        pool.close().await;
        Ok(migrated?)
    }

    /// Runs pending tenant migrations on an existing tenant database.
    pub async fn migrate(&self, tenant: &Tenant) -> Result<(), sqlx::Error> {
        let pool = self.get(tenant).await?;
        Ok(TENANT_MIGRATOR.run(&pool).await?)
    }

    /// Closes the tenant's pool (if open) and removes its files.
    pub async fn remove(&self, tenant: &Tenant) -> std::io::Result<()> {
        if let Some(pool) = self.open.lock().await.remove(&tenant.id) {
            pool.close().await;
        }
        let main = self.path(&tenant.slug);
        for suffix in ["", "-wal", "-shm"] {
            let mut file = main.clone().into_os_string();
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}
