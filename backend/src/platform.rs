//! The composition root: everything a running Tessera shares between requests.

use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::{
    bridge::{self, RateLimiter},
    accounts::{self, users::AccountError, NewRole, User},
    config::Config,
    db,
    sessions::{
        stores::{FileSessionStore, MemorySessionStore, MemorySessions, RedisSessionStore, SqlSessionStore},
        CookieSeal, Driver, MissingTable, TenantStore,
    },
    tenancy::{Directory, DirectoryError, Slug, Tenant, TenantHandle},
};

pub struct Platform {
    pub config: Config,
    pub directory: Directory,
    pub seal: CookieSeal,
    /// Derives bridge token successors (see `bridge::token`).
    pub bridge_key: [u8; 32],
    /// Restore attempts when there is no Redis to count them in.
    local_limiter: RateLimiter,
    memory: Arc<MemorySessions>,
    redis: OnceCell<redis::aio::ConnectionManager>,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform").field("config", &self.config).field("directory", &self.directory).finish_non_exhaustive()
    }
}

/// Why a tenant's session store cannot be used right now.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("the redis session driver is selected but REDIS_URL is not set")]
    RedisNotConfigured,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the central database: {0}")]
    Central(#[from] sqlx::Error),
}

/// The first admin of a new tenant.
#[derive(Debug)]
pub struct NewAdmin {
    pub email: String,
    pub password: String,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Admin(#[from] AccountError),
}

/// Fail fast while Redis is away (a 503 in well under a second, not the
/// client's default of retrying for 12 s inside the request), and reconnect
/// on the next request once it is back.
fn redis_config() -> redis::aio::ConnectionManagerConfig {
    redis::aio::ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_factor(50)
        .set_max_delay(200)
        .set_connection_timeout(std::time::Duration::from_millis(500))
        .set_response_timeout(std::time::Duration::from_secs(2))
}

impl Platform {
    pub async fn open(config: Config) -> Result<Self, StartError> {
        let (central, storage) = db::open(&config.storage).await?;
        let seal = CookieSeal::new(central.secret("session-cookie-mac").await?);
        let bridge_key = central.secret("bridge-rotation").await?;
        let directory = Directory::new(central, storage, config.session_defaults.clone(), config.domain.clone());
        Ok(Self {
            config,
            directory,
            seal,
            bridge_key,
            local_limiter: RateLimiter::default(),
            memory: Arc::default(),
            redis: OnceCell::new(),
        })
    }

    /// Creates a tenant and, if given, its first admin. The admin's details
    /// are checked first so a bad email does not leave a tenant behind.
    pub async fn provision(&self, slug: &Slug, name: &str, admin: Option<NewAdmin>) -> Result<(Tenant, Option<User>), ProvisionError> {
        if let Some(a) = &admin {
            accounts::Email::parse(&a.email).map_err(AccountError::from)?;
            accounts::password::Password::new(a.password.clone()).map_err(AccountError::from)?;
        }
        let tenant = self.directory.create(slug, name).await?;
        let Some(admin) = admin else { return Ok((tenant, None)) };
        let created = async {
            let db = self.directory.db(&tenant).await?;
            accounts::users::register(&db, &admin.email, admin.password, &admin.name, NewRole::Admin).await
        }
        .await;
        match created {
            Ok(user) => Ok((tenant, Some(user))),
            Err(e) => {
                self.directory.delete(slug).await?;
                Err(e.into())
            }
        }
    }

    /// The store holding this tenant's sessions, per its driver: its own
    /// database / key prefix / directory / memory space when isolated, the
    /// shared one otherwise.
    pub async fn session_store(&self, handle: &TenantHandle) -> Result<TenantStore, StoreError> {
        let settings = &handle.settings;
        let namespace = if settings.isolation { format!("tenant-{}", handle.tenant.id) } else { "shared".to_owned() };
        Ok(match settings.driver {
            Driver::Database => {
                let missing = if settings.auto_create_table { MissingTable::Create } else { MissingTable::Fail };
                let db = if settings.isolation {
                    self.directory.db(&handle.tenant).await?
                } else {
                    self.directory.central().scope().clone()
                };
                TenantStore::Database(SqlSessionStore::new(db, missing))
            }
            Driver::Redis => {
                let prefix = format!("{}{}:{namespace}:", self.config.redis_key_prefix, settings.prefix);
                TenantStore::Redis(Box::new(RedisSessionStore::new(self.redis().await?, prefix)))
            }
            Driver::File => TenantStore::File(FileSessionStore::new(self.config.data_dir.join("sessions").join(namespace))),
            Driver::Memory => TenantStore::Memory(MemorySessionStore::new(Arc::clone(&self.memory), namespace)),
        })
    }

    /// Counts one bridge restore attempt under `key`: `Ok(Err(wait))` when
    /// over `limit` per minute. Shared through Redis when REDIS_URL is set,
    /// so several processes enforce one limit.
    pub async fn count_restore(&self, key: &str, limit: u32) -> Result<Result<(), std::time::Duration>, StoreError> {
        if self.config.redis_url.is_none() {
            return Ok(self.local_limiter.hit(key, limit));
        }
        let key = format!("{}ratelimit:{key}", self.config.redis_key_prefix);
        Ok(bridge::limiter::hit_shared(&mut self.redis().await?, &key, limit).await?)
    }

    /// One connection manager for the process, made on first use (and
    /// retried on the next request if Redis was down).
    async fn redis(&self) -> Result<redis::aio::ConnectionManager, StoreError> {
        let url = self.config.redis_url.as_deref().ok_or(StoreError::RedisNotConfigured)?;
        let manager = self
            .redis
            .get_or_try_init(|| async { redis::Client::open(url)?.get_connection_manager_with_config(redis_config()).await })
            .await?;
        Ok(manager.clone())
    }
}
