//! The composition root: everything a running Tessera shares between requests.

use std::sync::Arc;

use crate::{
    accounts::{self, password::Hasher, users::AccountError, NewRole, User},
    config::Config,
    db,
    keys::{KeyError, KeyId, Keys},
    limits::Limiter,
    redis_link::{RedisError, RedisLink},
    sessions::{
        stores::{
            Backend, FileSessionStore, IdHasher, MemorySessionStore, MemorySessions,
            RedisSessionStore, SqlSessionStore,
        },
        Driver, MissingTable, SessionCache, TenantStore,
    },
    tenancy::{Directory, DirectoryError, Slug, Tenant, TenantHandle},
};

pub struct Platform {
    pub config: Config,
    pub directory: Directory,
    /// The key ring: cookie seals, session-id hashes, bridge token hashes.
    pub keys: Keys,
    /// Every rate limit: sign-in throttling, bridge restores.
    pub limiter: Limiter,
    /// Password hashing, bounded to the machine's cores.
    pub hasher: Hasher,
    /// The sessions (and principals) this process served, kept coherent
    /// with every other process's.
    pub sessions: Arc<SessionCache>,
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
    /// The key a session was sealed with has been retired since.
    #[error("key {0} is no longer in the key ring")]
    RetiredKey(KeyId),
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the central database: {0}")]
    Central(#[from] sqlx::Error),
    #[error("cannot load the keys: {0}")]
    Keys(#[from] KeyError),
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
        let keys = Keys::open(config.key_source.clone(), central.clone()).await?;
        let directory = Directory::new(
            central,
            storage,
            config.session_defaults.clone(),
            config.fence.clone(),
            config.domain.clone(),
        );
        let redis = Arc::new(RedisLink::new(config.redis_url.clone()));
        let limiter = Limiter::new(Arc::clone(&redis), &config.redis_key_prefix);
        let sessions = Arc::new(SessionCache::new(
            Arc::clone(&redis),
            &config.redis_key_prefix,
        ));
        Ok(Self {
            config,
            directory,
            keys,
            limiter,
            hasher: Hasher::default(),
            sessions,
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
    /// shared one otherwise; session ids hashed with key `key`.
    pub async fn session_store(
        &self,
        handle: &TenantHandle,
        key: KeyId,
    ) -> Result<TenantStore, StoreError> {
        let ring = self.keys.ring().await;
        let ids = IdHasher::new(
            ring.get(key)
                .ok_or(StoreError::RetiredKey(key))?
                .session_ids,
        );
        let settings = &handle.settings;
        let namespace = if settings.isolation {
            format!("tenant-{}", handle.tenant.id)
        } else {
            "shared".to_owned()
        };
        let cap = self.config.max_sessions_per_tenant;
        let backend = match settings.driver {
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
                Backend::Database(SqlSessionStore::new(db, missing, settings.isolation))
            }
            Driver::Redis => {
                let prefix = format!(
                    "{}{}:{namespace}:",
                    self.config.redis_key_prefix, settings.prefix
                );
                Backend::Redis(Box::new(RedisSessionStore::new(
                    self.redis.get().await?,
                    prefix,
                )))
            }
            Driver::File => Backend::File(FileSessionStore::new(
                self.config.data_dir.join("sessions").join(namespace),
                cap,
            )),
            Driver::Memory => Backend::Memory(MemorySessionStore::new(
                Arc::clone(&self.memory),
                namespace,
                cap,
            )),
        };
        let tenant_db = self.directory.db(&handle.tenant).await?;
        Ok(TenantStore::new(
            backend,
            ids,
            handle.tenant.id,
            tenant_db,
            Arc::clone(&self.sessions),
        ))
    }
}
