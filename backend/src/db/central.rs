//! The central database: the tenant directory and instance secrets.

use std::path::Path;

use rand::RngCore;
use sqlx::{sqlite::SqlitePool, Row};

use super::sqlite::{self, OpenMode};
use crate::tenancy::{Slug, Tenant, TenantId};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/central");

#[derive(Debug, Clone)]
pub struct CentralDb {
    pool: SqlitePool,
}

impl CentralDb {
    /// Opens (creating if needed) and migrates the central database.
    pub async fn open(path: &Path) -> Result<Self, sqlx::Error> {
        let pool = sqlite::open(path, OpenMode::Create, 8).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn find_tenant(&self, slug: &Slug) -> Result<Option<Tenant>, sqlx::Error> {
        sqlx::query("SELECT id, slug, name, created_at FROM tenants WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?
            .map(tenant_from_row)
            .transpose()
    }

    pub async fn list_tenants(&self) -> Result<Vec<Tenant>, sqlx::Error> {
        sqlx::query("SELECT id, slug, name, created_at FROM tenants ORDER BY slug")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(tenant_from_row)
            .collect()
    }

    /// Returns the named 32-byte secret, generating it on first use. Every
    /// process sharing this database gets the same bytes.
    pub async fn secret(&self, name: &str) -> Result<[u8; 32], sqlx::Error> {
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        sqlx::query("INSERT OR IGNORE INTO instance_secrets (name, value) VALUES ($1, $2)")
            .bind(name)
            .bind(fresh.as_slice())
            .execute(&self.pool)
            .await?;
        let stored: Vec<u8> = sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        stored
            .try_into()
            .map_err(|_| sqlx::Error::Decode(format!("instance secret {name} is not 32 bytes").into()))
    }
}

pub(crate) fn tenant_from_row(row: sqlx::sqlite::SqliteRow) -> Result<Tenant, sqlx::Error> {
    let slug: String = row.try_get("slug")?;
    Ok(Tenant {
        id: TenantId::new(row.try_get("id")?),
        slug: Slug::parse(&slug).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}
