//! Where each tenant's data lives: a SQLite file per tenant, or a
//! PostgreSQL schema per tenant in one shared pool.

use std::path::PathBuf;

use sqlx::{Executor, PgPool};

use super::{
    connect::{self, OpenMode},
    migrate,
    open_pools::OpenPools,
    scope::{Schema, Scope},
};
use crate::tenancy::{Slug, Tenant, TenantId};

/// Connections per SQLite tenant pool: tenants are many and mostly idle, and
/// SQLite writes one at a time anyway.
const CONNECTIONS_PER_SQLITE_TENANT: u32 = 2;

#[derive(Debug)]
pub enum TenantStorage {
    Sqlite { dir: PathBuf, open: OpenPools },
    Postgres { url: String, pool: PgPool },
}

fn schema(slug: &Slug) -> Schema {
    Schema::new(&format!("tenant_{slug}"))
}

impl TenantStorage {
    /// `max_open`: how many tenant databases stay open at once.
    pub fn sqlite(dir: PathBuf, max_open: usize) -> Self {
        Self::Sqlite {
            dir,
            open: OpenPools::new(max_open),
        }
    }

    /// SQLite tenant pools open right now (0 on PostgreSQL's single pool).
    /// How many tenants' databases may be held open at once (SQLite); a
    /// schema per tenant shares one pool, so there is no such limit.
    pub fn open_cap(&self) -> Option<usize> {
        match self {
            Self::Sqlite { open, .. } => Some(open.cap()),
            Self::Postgres { .. } => None,
        }
    }

    pub async fn open_pools(&self) -> usize {
        match self {
            Self::Sqlite { open, .. } => open.count().await,
            Self::Postgres { .. } => 0,
        }
    }

    /// The file holding a SQLite tenant's data. Slugs are validated to
    /// `[a-z0-9-]`, so the path cannot leave the directory.
    fn file(dir: &std::path::Path, slug: &Slug) -> PathBuf {
        dir.join(format!("{slug}.sqlite"))
    }

    /// The database of an existing tenant.
    pub async fn scope(&self, tenant: &Tenant) -> Result<Scope, sqlx::Error> {
        match self {
            Self::Postgres { pool, .. } => Ok(Scope::postgres(pool.clone(), schema(&tenant.slug))),
            Self::Sqlite { dir, open } => {
                if let Some(pool) = open.get(tenant.id).await {
                    return Ok(Scope::sqlite(pool));
                }
                // Opened outside the lock so one slow file does not stall every
                // tenant; a concurrent opener's pool wins and ours is dropped.
                let pool = connect::sqlite_tenant(
                    &Self::file(dir, &tenant.slug),
                    OpenMode::Existing,
                    tenant.id,
                    CONNECTIONS_PER_SQLITE_TENANT,
                )
                .await?;
                Ok(Scope::sqlite(
                    open.insert(tenant.id, &tenant.slug, pool).await,
                ))
            }
        }
    }

    /// Whether storage for this slug already exists (a leftover of a lost
    /// central record): provisioning refuses to adopt it.
    pub async fn exists(&self, slug: &Slug) -> Result<bool, sqlx::Error> {
        match self {
            Self::Sqlite { dir, .. } => Ok(Self::file(dir, slug).exists()),
            Self::Postgres { pool, .. } => {
                let name = format!("tenant_{slug}");
                // The catalogue, not a tenant table: no sea-query identifiers for it.
                let found: Option<String> =
                    sqlx::query_scalar("SELECT schema_name::text FROM information_schema.schemata WHERE schema_name = $1")
                        .bind(name)
                        .fetch_optional(pool)
                        .await?;
                Ok(found.is_some())
            }
        }
    }

    /// Creates a tenant's database (file or schema) and runs the tenant migrations.
    pub async fn create(&self, tenant: &Tenant) -> Result<(), sqlx::Error> {
        let slug = &tenant.slug;
        match self {
            Self::Sqlite { dir, .. } => {
                let pool =
                    connect::sqlite_tenant(&Self::file(dir, slug), OpenMode::Create, tenant.id, 1)
                        .await?;
                let migrated = migrate::sqlite(&pool, &migrate::TENANT_SQLITE).await;
                pool.close().await;
                migrated
            }
            Self::Postgres { url, .. } => {
                migrate::postgres_schema(url, &schema(slug), &migrate::TENANT_POSTGRES).await
            }
        }
    }

    /// Runs pending tenant migrations.
    pub async fn migrate(&self, tenant: &Tenant) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite { .. } => {
                let scope = self.scope(tenant).await?;
                match scope {
                    Scope::Sqlite(pool) => migrate::sqlite(&pool, &migrate::TENANT_SQLITE).await,
                    Scope::Postgres { .. } => Ok(()),
                }
            }
            Self::Postgres { url, .. } => {
                migrate::postgres_schema(url, &schema(&tenant.slug), &migrate::TENANT_POSTGRES)
                    .await
            }
        }
    }

    /// Lets go of a deleted tenant's database in this process.
    pub async fn forget_tenant(&self, tenant: TenantId) {
        if let Self::Sqlite { open, .. } = self {
            open.close_tenant(tenant).await;
        }
    }

    /// Closes every tenant database this process holds open.
    pub async fn close(&self) {
        match self {
            Self::Sqlite { open, .. } => open.close_all().await,
            Self::Postgres { pool, .. } => pool.close().await,
        }
    }

    /// Removes a tenant's database: its files, or its schema.
    pub async fn remove(&self, slug: &Slug) -> Result<(), sqlx::Error> {
        match self {
            Self::Postgres { pool, .. } => {
                // DDL sea-query has no statement for.
                pool.execute(
                    format!("DROP SCHEMA IF EXISTS {} CASCADE", schema(slug).quoted()).as_str(),
                )
                .await?;
                Ok(())
            }
            Self::Sqlite { dir, open } => {
                open.close_slug(slug).await;
                let main = Self::file(dir, slug);
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = main.clone().into_os_string();
                    file.push(suffix);
                    match std::fs::remove_file(&file) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(sqlx::Error::Io(e))
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
        }
    }
}
