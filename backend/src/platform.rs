//! The composition root: everything a running Tessera shares between requests.

use std::sync::Arc;

use crate::{
    accounts::{self, password::Hasher, users::AccountError, NewRole, User},
    config::Config,
    db,
    limits::Limiter,
    redis_link::{RedisError, RedisLink},
    sessions::{
        stores::{
            FileSessionStore, MemorySessionStore, MemorySessions, RedisSessionStore,
            SqlSessionStore,
        },
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
    /// Every rate limit: sign-in throttling, bridge restores.
    pub limiter: Limiter,
    /// Password hashing, bounded to the machine's cores.
    pub hasher: Hasher,
    memory: Arc<MemorySessions>,
    redis: Arc<RedisLink>,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("config", &self.config)
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

/// Why a tenant's session store cannot be used right now.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Redis(#[from] RedisError),
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

impl Platform {
    pub async fn open(config: Config) -> Result<Self, StartError> {
        let (central, storage) = db::open(&config.storage).await?;
        let seal = CookieSeal::new(central.secret("session-cookie-mac").await?);
        let bridge_key = central.secret("bridge-rotation").await?;
        let directory = Directory::new(
            central,
            storage,
            config.session_defaults.clone(),
            config.fence.clone(),
            config.domain.clone(),
        );
        let redis = Arc::new(RedisLink::new(config.redis_url.clone()));
        let limiter = Limiter::new(Arc::clone(&redis), &config.redis_key_prefix);
        Ok(Self {
            config,
            directory,
            seal,
            bridge_key,
            limiter,
            hasher: Hasher::default(),
            memory: Arc::default(),
            redis,
        })
    }

    /// Creates a tenant and, if given, its first admin. The admin's details
    /// are checked first so a bad email does not leave a tenant behind.
    pub async fn provision(
        &self,
        slug: &Slug,
        name: &str,
        admin: Option<NewAdmin>,
    ) -> Result<(Tenant, Option<User>), ProvisionError> {
        if let Some(a) = &admin {
            accounts::Email::parse(&a.email).map_err(AccountError::from)?;
            accounts::password::Password::new(a.password.clone()).map_err(AccountError::from)?;
        }
        let tenant = self.directory.create(slug, name).await?;
        let Some(admin) = admin else {
            return Ok((tenant, None));
        };
        let created = async {
            let db = self.directory.db(&tenant).await?;
            accounts::users::register(
                &db,
                &self.hasher,
                &admin.email,
                admin.password,
                &admin.name,
                NewRole::Admin,
            )
            .await
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
        let namespace = if settings.isolation {
            format!("tenant-{}", handle.tenant.id)
        } else {
            "shared".to_owned()
        };
        Ok(match settings.driver {
            Driver::Database => {
                let missing = if settings.auto_create_table {
                    MissingTable::Create
                } else {
                    MissingTable::Fail
                };
                let db = if settings.isolation {
                    self.directory.db(&handle.tenant).await?
                } else {
                    self.directory.central().scope().clone()
                };
                TenantStore::Database(SqlSessionStore::new(db, missing))
            }
            Driver::Redis => {
                let prefix = format!(
                    "{}{}:{namespace}:",
                    self.config.redis_key_prefix, settings.prefix
                );
                TenantStore::Redis(Box::new(RedisSessionStore::new(
                    self.redis.get().await?,
                    prefix,
                )))
            }
            Driver::File => TenantStore::File(FileSessionStore::new(
                self.config.data_dir.join("sessions").join(namespace),
            )),
            Driver::Memory => {
                TenantStore::Memory(MemorySessionStore::new(Arc::clone(&self.memory), namespace))
            }
        })
    }
}
