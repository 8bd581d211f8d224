//! The tenant directory: provisioning, lookup and the in-memory tenant cache.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, Instant},
};

use sea_query::{Expr, ExprTrait, Query};

use super::{
    slug::Slug,
    tenant::{validate_name, NameError, Tenant},
};
use crate::{
    bridge::BridgeCookie,
    bus::{self, Change},
    db::{
        central::{StoredSettings, TenantRow, TENANT_COLUMNS},
        schema::Tenants,
        CentralDb, Scope, TenantStorage,
    },
    sessions::{
        stores::{Backend, SessionBackends},
        CookieSpec,
    },
    settings::{Fence, Key, Overrides, SettingError, TenantSettings, CROSSING_WARNING},
    tenancy::{CentralDomain, TenantId},
};

/// How long a resolved tenant is trusted before the central database is asked
/// again; bounds how stale another process's view can be (a setting saved
/// through one process applies at the others within this, well inside the
/// promised second).
pub const CACHE_TTL: Duration = Duration::from_millis(500);

/// Everything a request needs to know about its tenant, shared and cheap to clone.
#[derive(Debug)]
pub struct TenantHandle {
    pub tenant: Tenant,
    pub settings: Arc<TenantSettings>,
    /// The tenant's own database.
    pub db: Scope,
    /// Where its sessions live (by its driver and isolation).
    pub sessions: Backend,
    cookie_http: CookieSpec,
    cookie_https: CookieSpec,
    bridge_cookie_http: BridgeCookie,
    bridge_cookie_https: BridgeCookie,
}

impl TenantHandle {
    /// The session cookie's name and attributes, for a request over https or not.
    pub fn cookie(&self, https: bool) -> &CookieSpec {
        if https {
            &self.cookie_https
        } else {
            &self.cookie_http
        }
    }

    /// The bridge token's cookie (`bridge.storage = cookie`), for a request
    /// over https or not.
    pub fn bridge_cookie(&self, https: bool) -> &BridgeCookie {
        if https {
            &self.bridge_cookie_https
        } else {
            &self.bridge_cookie_http
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("a workspace named \"{0}\" already exists")]
    Exists(Slug),
    #[error("there is no workspace named \"{0}\"")]
    NotFound(Slug),
    #[error("storage for \"{0}\" already exists but no workspace is recorded; remove it or restore the central record")]
    OrphanStorage(Slug),
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the workspace's sessions could not be removed: {0}")]
    Sessions(String),
}

/// Who is changing a tenant's settings: the operator (CLI) or one of the
/// tenant's admins (the admin panel), who is held to the operator's fence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    Operator,
    TenantAdmin,
}

/// The effective settings around a change, for the audit log.
#[derive(Debug, Clone)]
pub struct SettingsChange {
    pub tenant: TenantId,
    pub before: TenantSettings,
    pub after: TenantSettings,
}

impl SettingsChange {
    /// `key: old → new` for every key whose effective value changed.
    pub fn differences(&self) -> Vec<(Key, String, String)> {
        Key::ALL
            .iter()
            .copied()
            .filter_map(|k| {
                let (old, new) = (self.before.get(k), self.after.get(k));
                (old != new).then_some((k, old, new))
            })
            .collect()
    }
}

struct Cached {
    handle: Arc<TenantHandle>,
    loaded: Instant,
}

pub struct Directory {
    central: CentralDb,
    domain: CentralDomain,
    storage: TenantStorage,
    defaults: Arc<TenantSettings>,
    fence: Fence,
    backends: SessionBackends,
    cache: RwLock<HashMap<Slug, Cached>>,
    central_lookups: AtomicU64,
    /// One provisioning at a time in this process: each holds the central
    /// write lock while its storage is made, and on SQLite a queue of them
    /// would otherwise outwait the busy timeout when the disk is slow.
    provisioning: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl Directory {
    pub fn new(
        central: CentralDb,
        storage: TenantStorage,
        defaults: TenantSettings,
        fence: Fence,
        domain: CentralDomain,
        backends: SessionBackends,
    ) -> Self {
        Self {
            central,
            domain,
            storage,
            defaults: Arc::new(defaults),
            fence,
            cache: RwLock::new(HashMap::new()),
            central_lookups: AtomicU64::new(0),
            provisioning: tokio::sync::Mutex::new(()),
            backends,
        }
    }

    pub fn central(&self) -> &CentralDb {
        &self.central
    }

    /// How often the central database was asked for a tenant (for cache tests).
    pub fn central_lookups(&self) -> u64 {
        self.central_lookups.load(Ordering::Relaxed)
    }

    /// The tenant for a slug, from the cache when fresh. Unknown slugs are not
    /// cached, so a flood of random subdomains cannot grow memory.
    pub async fn resolve(&self, slug: &Slug) -> Result<Option<Arc<TenantHandle>>, DirectoryError> {
        if let Some(hit) = self.cached(slug) {
            return Ok(Some(hit));
        }
        self.central_lookups.fetch_add(1, Ordering::Relaxed);
        let found = self.central.find_tenant_with_settings(slug).await?;
        // The slug is gone, or names another tenant than this process knew:
        // the one it knew was deleted (maybe by another process, with no
        // change bus to hear it on), so what this process holds of it goes.
        let known = self.known_tenant(slug);
        if let Some(id) = known.filter(|id| found.as_ref().is_none_or(|(t, _)| t.id != *id)) {
            self.forget_tenant(id).await;
        }
        let Some((tenant, stored)) = found else {
            self.forget(slug);
            return Ok(None);
        };
        let settings = self.effective_settings(&tenant, &stored.overrides)?;
        let db = self.storage.scope(&tenant).await?;
        let sessions = self
            .backends
            .for_tenant(&tenant, &settings, &db, self.central.scope());
        let cookie = |https| {
            CookieSpec::for_tenant(&settings, &tenant.slug, &self.domain, https).carrying_over(
                &stored.former_prefixes,
                &settings,
                &tenant.slug,
                &self.domain,
                https,
            )
        };
        let (cookie_http, cookie_https) = (cookie(false), cookie(true));
        let bridge_cookie = |https| {
            BridgeCookie::for_tenant(&settings, &tenant.slug, &stored.former_prefixes, https)
        };
        let (bridge_cookie_http, bridge_cookie_https) = (bridge_cookie(false), bridge_cookie(true));
        let handle = Arc::new(TenantHandle {
            tenant,
            settings,
            db,
            sessions,
            cookie_http,
            cookie_https,
            bridge_cookie_http,
            bridge_cookie_https,
        });
        let mut cache = self.cache_write();
        // A handle holds its tenant's pool open, so the cache honours the cap
        // on open databases itself: stale handles kept every tenant ever seen
        // open (10,000 tenants ran out of file descriptors), and even fresh
        // ones, at a thousand tenants a second, held ten times the cap.
        let now = self.backends.clock.instant();
        cache.retain(|_, cached| now.saturating_duration_since(cached.loaded) < CACHE_TTL);
        cache.insert(
            slug.clone(),
            Cached {
                handle: Arc::clone(&handle),
                loaded: now,
            },
        );
        if let Some(cap) = self.storage.open_cap() {
            crate::evict::least_recent(&mut *cache, cap, |cached| cached.loaded);
        }
        Ok(Some(handle))
    }

    /// Defaults plus the tenant's overrides. Overrides that no longer fit
    /// (say, the central domain changed) are logged and the safe defaults
    /// used instead: never a looser configuration than the operator chose.
    /// `overrides`: the tenant's stored overrides, as JSON text.
    fn effective_settings(
        &self,
        tenant: &Tenant,
        overrides: &str,
    ) -> Result<Arc<TenantSettings>, DirectoryError> {
        let overrides = parse_overrides(overrides)?;
        match self.apply(&overrides) {
            Ok(settings) if settings == *self.defaults => Ok(Arc::clone(&self.defaults)),
            Ok(settings) => {
                if settings.lets_sessions_cross_tenants() {
                    tracing::warn!(tenant = %tenant.slug, "{CROSSING_WARNING}");
                }
                Ok(Arc::new(settings))
            }
            Err(e) => {
                tracing::error!(tenant = %tenant.slug, error = %e, "stored session settings are invalid; using the defaults");
                Ok(Arc::clone(&self.defaults))
            }
        }
    }

    /// The defaults with these overrides, valid and within the operator's bounds.
    fn apply(&self, overrides: &Overrides) -> Result<TenantSettings, SettingError> {
        let settings = self.defaults.with_overrides(overrides, &self.domain)?;
        self.fence.check(&settings, overrides)?;
        Ok(settings)
    }

    /// Where a tenant's sessions live under `settings` (its handle holds the
    /// one its own settings choose).
    pub async fn session_backend(
        &self,
        tenant: &Tenant,
        settings: &TenantSettings,
    ) -> Result<Backend, DirectoryError> {
        let db = self.storage.scope(tenant).await?;
        Ok(self
            .backends
            .for_tenant(tenant, settings, &db, self.central.scope()))
    }

    /// What tenant admins may change, and within which bounds.
    pub fn fence(&self) -> &Fence {
        &self.fence
    }

    async fn overrides(&self, tenant: &Tenant) -> Result<Overrides, DirectoryError> {
        parse_overrides(&self.central.tenant_settings(tenant.id).await?.overrides)
    }

    /// A tenant's effective settings and its overrides.
    pub async fn settings(
        &self,
        slug: &Slug,
    ) -> Result<(TenantSettings, Overrides), DirectoryError> {
        let tenant = self.get(slug).await?;
        let overrides = self.overrides(&tenant).await?;
        let effective = self.apply(&overrides)?;
        Ok((effective, overrides))
    }

    /// Changes a tenant's overrides ("null" removes one). Everything is
    /// validated together before anything is stored; the next request uses
    /// the new settings (other processes within the cache's TTL).
    pub async fn update_settings(
        &self,
        slug: &Slug,
        changes: &[(Key, String)],
        editor: Editor,
    ) -> Result<SettingsChange, DirectoryError> {
        let tenant = self.get(slug).await?;
        let stored = self.central.tenant_settings(tenant.id).await?;
        let previous = parse_overrides(&stored.overrides)?;
        let before = self
            .apply(&previous)
            .unwrap_or_else(|_| (*self.defaults).clone());
        let mut overrides = previous.clone();
        for (key, value) in changes {
            overrides.set(*key, value);
        }
        if editor == Editor::TenantAdmin {
            self.fence.check_editable(&previous, &overrides)?;
        }
        let effective = self.apply(&overrides)?;
        let mut former_prefixes = stored.former_prefixes;
        if before.prefix != effective.prefix && !former_prefixes.contains(&before.prefix) {
            former_prefixes.push(before.prefix.clone());
        }
        former_prefixes.retain(|p| *p != effective.prefix);
        let stored = StoredSettings {
            overrides: overrides.to_json(),
            former_prefixes,
        };
        self.central
            .save_tenant_settings(tenant.id, &stored, self.backends.clock.unix())
            .await?;
        self.forget(slug);
        if effective.lets_sessions_cross_tenants() {
            tracing::warn!(tenant = %slug, "{CROSSING_WARNING}");
        }
        Ok(SettingsChange {
            tenant: tenant.id,
            before,
            after: effective,
        })
    }

    /// The environment defaults every tenant starts from.
    pub fn defaults(&self) -> &TenantSettings {
        &self.defaults
    }

    /// The tenant this process last resolved the slug to, however stale.
    fn known_tenant(&self, slug: &Slug) -> Option<TenantId> {
        let cache = self
            .cache
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.get(slug).map(|c| c.handle.tenant.id)
    }

    /// Lets go of everything this process holds of a deleted tenant: its
    /// handle, its database pool, its sessions in memory. Called where the
    /// deletion is made, when another process announces one, and when a
    /// lookup finds the slug gone or given to another tenant.
    pub async fn forget_tenant(&self, tenant: TenantId) {
        self.cache_write()
            .retain(|_, cached| cached.handle.tenant.id != tenant);
        self.storage.forget_tenant(tenant).await;
        self.backends.forget_in_memory(tenant);
    }

    /// Forgets every handle (another process deleted tenants this one may
    /// not have heard of). Pools are keyed by tenant id and check the file
    /// they open, so only handles can be stale.
    pub fn forget_all(&self) {
        self.cache_write().clear();
    }

    fn cached(&self, slug: &Slug) -> Option<Arc<TenantHandle>> {
        let cache = self
            .cache
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .get(slug)
            .filter(|c| {
                self.backends
                    .clock
                    .instant()
                    .saturating_duration_since(c.loaded)
                    < CACHE_TTL
            })
            .map(|c| Arc::clone(&c.handle))
    }

    /// Lets go of every database: cached handles, tenant pools, the central
    /// pool. For a process about to exit (the CLI, a server shutting down),
    /// so SQLite files are left whole, with no WAL to replay.
    pub async fn close(&self) {
        self.cache_write().clear();
        self.storage.close().await;
        self.central.scope().close().await;
    }

    fn cache_write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Slug, Cached>> {
        self.cache
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn forget(&self, slug: &Slug) {
        self.cache_write().remove(slug);
    }

    /// Tenant databases open right now (SQLite; bounded by the cap).
    pub async fn open_databases(&self) -> usize {
        self.storage.open_pools().await
    }

    /// The tenant's own database.
    pub async fn db(&self, tenant: &Tenant) -> Result<Scope, sqlx::Error> {
        self.storage.scope(tenant).await
    }

    pub async fn list(&self) -> Result<Vec<Tenant>, DirectoryError> {
        Ok(self.central.list_tenants().await?)
    }

    pub async fn get(&self, slug: &Slug) -> Result<Tenant, DirectoryError> {
        self.central
            .find_tenant(slug)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(slug.clone()))
    }

    /// Provisions a tenant: its central record and its own migrated database.
    /// The record is committed only once the database exists.
    pub async fn create(&self, slug: &Slug, name: &str) -> Result<Tenant, DirectoryError> {
        let name = validate_name(name)?;
        if self.central.find_tenant(slug).await?.is_some() {
            return Err(DirectoryError::Exists(slug.clone()));
        }
        if self.storage.exists(slug).await? {
            return Err(DirectoryError::OrphanStorage(slug.clone()));
        }
        let now = self.backends.clock.unix();
        let created = self.record_and_provision(slug, &name, now).await;
        // Whatever this process still held of an earlier tenant of the slug
        // (deleted by another process) goes before anyone can reach the new one.
        if let (Ok(_), Some(earlier)) = (&created, self.known_tenant(slug)) {
            self.forget(slug);
            self.forget_tenant(earlier).await;
        }
        if let Err(DirectoryError::Database(_)) = &created {
            // Whatever part of the tenant's storage was made goes with the record.
            if let Err(e) = self.storage.remove(slug).await {
                tracing::warn!(tenant = %slug, error = %e, "could not clean up after a failed provisioning");
            }
        }
        created
    }

    /// Inserts the central record in a transaction committed only once the
    /// tenant's storage exists.
    async fn record_and_provision(
        &self,
        slug: &Slug,
        name: &str,
        now: i64,
    ) -> Result<Tenant, DirectoryError> {
        let _one_at_a_time = self.provisioning.lock().await;
        let mut tx = self.central.scope().begin().await?;
        let insert = Query::insert()
            .into_table(tx.table(Tenants::Table))
            .columns([Tenants::Slug, Tenants::Name, Tenants::CreatedAt])
            .values_panic([slug.as_str().into(), name.into(), now.into()])
            .returning(Query::returning().columns(TENANT_COLUMNS))
            .to_owned();
        let row = match tx.fetch_one::<TenantRow>(&insert).await {
            Ok(row) => row,
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Err(DirectoryError::Exists(slug.clone()))
            }
            Err(e) => return Err(e.into()),
        };
        let tenant = Tenant::try_from(row)?;
        self.storage.create(&tenant).await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Runs pending tenant migrations for one tenant.
    pub async fn migrate(&self, tenant: &Tenant) -> Result<(), DirectoryError> {
        Ok(self.storage.migrate(tenant).await?)
    }

    /// Deletes a tenant: its sessions from every store, its bridge devices,
    /// its central record (announced to every process in the same
    /// transaction on PostgreSQL), its database, and whatever this process
    /// held of it. The caller announces `Change::TenantGone` on Redis.
    /// Everything that can fail before the record goes does, so a failed
    /// deletion leaves a whole tenant to try again.
    pub async fn delete(&self, slug: &Slug) -> Result<Tenant, DirectoryError> {
        let tenant = self.get(slug).await?;
        match self.storage.scope(&tenant).await {
            Ok(db) => {
                crate::bridge::revoke_every_family(&db, &self.backends.clock, "workspace deleted")
                    .await?;
            }
            // A tenant whose database is already gone has no devices left.
            Err(e) => {
                tracing::warn!(tenant = %slug, error = %e, "deleting a workspace whose database cannot be opened")
            }
        }
        self.backends
            .purge_tenant(tenant.id, self.central.scope())
            .await
            .map_err(|e| DirectoryError::Sessions(e.to_string()))?;
        let mut tx = self.central.scope().begin().await?;
        let delete = Query::delete()
            .from_table(tx.table(Tenants::Table))
            .and_where(Expr::col(Tenants::Id).eq(tenant.id.get()))
            .to_owned();
        tx.execute(&delete).await?;
        bus::notify_in(&mut tx, &Change::TenantGone(tenant.id)).await?;
        tx.commit().await?;
        self.forget(slug);
        self.forget_tenant(tenant.id).await;
        self.storage.remove(slug).await?;
        Ok(tenant)
    }
}

fn parse_overrides(json: &str) -> Result<Overrides, DirectoryError> {
    Ok(Overrides::from_json(json).map_err(|message| SettingError {
        key: "overrides".into(),
        message,
    })?)
}
