//! The central database: the tenant directory and the tenants' settings.

use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};

use super::{
    schema::{TenantSettings, Tenants},
    scope::Scope,
};
use crate::tenancy::{Slug, Tenant, TenantId};

#[derive(Debug, Clone)]
pub struct CentralDb {
    scope: Scope,
}

/// A `tenants` row as stored.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: i64,
    slug: String,
    name: String,
    created_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = sqlx::Error;

    fn try_from(row: TenantRow) -> Result<Self, Self::Error> {
        Ok(Tenant {
            id: TenantId::new(row.id),
            slug: Slug::stored(&row.slug).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            name: row.name,
            created_at: row.created_at,
        })
    }
}

/// The overrides of a tenant that has none stored.
const NO_OVERRIDES: &str = "{}";

/// What a tenant has stored of its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSettings {
    /// Its overrides, as JSON text ("{}" when none).
    pub overrides: String,
    /// The cookie prefixes it used before its current one, oldest first.
    pub former_prefixes: Vec<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct SettingsRow {
    overrides: Option<String>,
    former_prefixes: Option<String>,
}

impl From<Option<SettingsRow>> for StoredSettings {
    fn from(row: Option<SettingsRow>) -> Self {
        let (overrides, former) = row.map_or((None, None), |r| (r.overrides, r.former_prefixes));
        Self {
            overrides: overrides.unwrap_or_else(|| NO_OVERRIDES.into()),
            // Unreadable: no prefix is carried over, which signs people in
            // again rather than trusting a name we cannot vouch for.
            former_prefixes: former
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct TenantWithSettings {
    #[sqlx(flatten)]
    tenant: TenantRow,
    #[sqlx(flatten)]
    settings: SettingsRow,
}

pub(crate) const TENANT_COLUMNS: [Tenants; 4] = [
    Tenants::Id,
    Tenants::Slug,
    Tenants::Name,
    Tenants::CreatedAt,
];

impl CentralDb {
    pub fn new(scope: Scope) -> Self {
        Self { scope }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    fn tenants(&self) -> SelectStatement {
        Query::select()
            .columns(TENANT_COLUMNS)
            .from(self.scope.table(Tenants::Table))
            .to_owned()
    }

    async fn one_tenant(&self, query: SelectStatement) -> Result<Option<Tenant>, sqlx::Error> {
        self.scope
            .fetch_optional::<TenantRow>(&query)
            .await?
            .map(Tenant::try_from)
            .transpose()
    }

    pub async fn find_tenant(&self, slug: &Slug) -> Result<Option<Tenant>, sqlx::Error> {
        self.one_tenant(
            self.tenants()
                .and_where(Expr::col(Tenants::Slug).eq(slug.as_str()))
                .to_owned(),
        )
        .await
    }

    pub async fn find_tenant_by_id(&self, id: TenantId) -> Result<Option<Tenant>, sqlx::Error> {
        self.one_tenant(
            self.tenants()
                .and_where(Expr::col(Tenants::Id).eq(id.get()))
                .to_owned(),
        )
        .await
    }

    /// A tenant and its stored settings in one query: a cold tenant's
    /// first request reads the central database once.
    pub async fn find_tenant_with_settings(
        &self,
        slug: &Slug,
    ) -> Result<Option<(Tenant, StoredSettings)>, sqlx::Error> {
        let query = self
            .tenants()
            .columns([TenantSettings::Overrides, TenantSettings::FormerPrefixes])
            .left_join(
                self.scope.table(TenantSettings::Table),
                Expr::col((TenantSettings::Table, TenantSettings::TenantId))
                    .equals((Tenants::Table, Tenants::Id)),
            )
            .and_where(Expr::col(Tenants::Slug).eq(slug.as_str()))
            .to_owned();
        let Some(row) = self
            .scope
            .fetch_optional::<TenantWithSettings>(&query)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((
            Tenant::try_from(row.tenant)?,
            Some(row.settings).into(),
        )))
    }

    /// A tenant's stored settings.
    pub async fn tenant_settings(&self, tenant: TenantId) -> Result<StoredSettings, sqlx::Error> {
        let query = Query::select()
            .columns([TenantSettings::Overrides, TenantSettings::FormerPrefixes])
            .from(self.scope.table(TenantSettings::Table))
            .and_where(Expr::col(TenantSettings::TenantId).eq(tenant.get()))
            .to_owned();
        let row: Option<SettingsRow> = self.scope.fetch_optional(&query).await?;
        Ok(row.into())
    }

    pub async fn save_tenant_settings(
        &self,
        tenant: TenantId,
        settings: &StoredSettings,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let former = (!settings.former_prefixes.is_empty())
            .then(|| serde_json::to_string(&settings.former_prefixes).ok())
            .flatten();
        let query = Query::insert()
            .into_table(self.scope.table(TenantSettings::Table))
            .columns([
                TenantSettings::TenantId,
                TenantSettings::Overrides,
                TenantSettings::FormerPrefixes,
                TenantSettings::UpdatedAt,
            ])
            .values_panic([
                tenant.get().into(),
                settings.overrides.as_str().into(),
                former.into(),
                now.into(),
            ])
            .on_conflict(
                OnConflict::column(TenantSettings::TenantId)
                    .update_columns([
                        TenantSettings::Overrides,
                        TenantSettings::FormerPrefixes,
                        TenantSettings::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .to_owned();
        self.scope.execute(&query).await.map(drop)
    }

    pub async fn list_tenants(&self) -> Result<Vec<Tenant>, sqlx::Error> {
        let query = self
            .tenants()
            .order_by(Tenants::Slug, Order::Asc)
            .to_owned();
        self.scope
            .fetch_all::<TenantRow>(&query)
            .await?
            .into_iter()
            .map(Tenant::try_from)
            .collect()
    }
}
