//! The central database: the tenant directory and the tenants' settings.

use sqlx::{any::AnyRow, Row};

use super::scope::Scope;
use crate::tenancy::{Slug, Tenant, TenantId};

#[derive(Debug, Clone)]
pub struct CentralDb {
    scope: Scope,
}

pub(crate) const TENANT_COLUMNS: &str = "id, slug, name, created_at";

impl CentralDb {
    pub fn new(scope: Scope) -> Self {
        Self { scope }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    pub async fn find_tenant(&self, slug: &Slug) -> Result<Option<Tenant>, sqlx::Error> {
        let mut conn = self.scope.conn().await?;
        sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS} FROM tenants WHERE slug = $1"
        ))
        .bind(slug.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(tenant_from_row)
        .transpose()
    }

    pub async fn find_tenant_by_id(&self, id: TenantId) -> Result<Option<Tenant>, sqlx::Error> {
        let mut conn = self.scope.conn().await?;
        sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"
        ))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?
        .map(tenant_from_row)
        .transpose()
    }

    /// A tenant's stored setting overrides, as JSON text ("{}" when none).
    pub async fn tenant_overrides(&self, tenant: TenantId) -> Result<String, sqlx::Error> {
        let mut conn = self.scope.conn().await?;
        let stored: Option<String> =
            sqlx::query_scalar("SELECT overrides FROM tenant_settings WHERE tenant_id = $1")
                .bind(tenant.get())
                .fetch_optional(&mut *conn)
                .await?;
        Ok(stored.unwrap_or_else(|| "{}".into()))
    }

    pub async fn save_tenant_overrides(
        &self,
        tenant: TenantId,
        overrides: &str,
    ) -> Result<(), sqlx::Error> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut conn = self.scope.conn().await?;
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_id, overrides, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET overrides = excluded.overrides, updated_at = excluded.updated_at",
        )
        .bind(tenant.get())
        .bind(overrides)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        conn.commit().await
    }

    pub async fn list_tenants(&self) -> Result<Vec<Tenant>, sqlx::Error> {
        let mut conn = self.scope.conn().await?;
        sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS} FROM tenants ORDER BY slug"
        ))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(tenant_from_row)
        .collect()
    }
}

pub(crate) fn tenant_from_row(row: AnyRow) -> Result<Tenant, sqlx::Error> {
    let slug: String = row.try_get("slug")?;
    Ok(Tenant {
        id: TenantId::new(row.try_get("id")?),
        slug: Slug::parse(&slug).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}
