//! The composition root: everything a running Tessera shares between requests.

use std::sync::Arc;

use crate::{
    accounts::{self, password::Hasher, users::AccountError, NewRole, User},
    bridge::rollout::{self, Whose},
    bus::{Announce, Change, Changed},
    clock::Clock,
    config::Config,
    db,
    factors::{self, totp::Resealed, FactorError},
    keys::{KeyError, KeyId, KeyRing, Keys},
    limits::Limiter,
    redis_link::RedisLink,
    sessions::{
        stores::{IdHasher, SessionBackends},
        totals::ListTotals,
        SessionCache, TenantStore,
    },
    settings::Key,
    tenancy::{
        directory::{Editor, SettingsChange},
        Directory, DirectoryError, Slug, Tenant, TenantHandle,
    },
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
    /// The admin lists' totals, counted in the background when stale.
    pub totals: Arc<ListTotals>,
    /// The one clock everything reads the time from.
    pub clock: Clock,
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
    /// The key a session was sealed with has been retired since.
    #[error("key {0} is no longer in the key ring")]
    RetiredKey(KeyId),
}

#[derive(Debug, thiserror::Error)]
pub enum RetireError {
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("cannot reach a tenant's storage: {0}")]
    Tenant(#[from] DirectoryError),
    #[error("cannot re-seal second factors: {0}")]
    Factors(#[from] FactorError),
    #[error("storage error: {0}")]
    Storage(#[from] sqlx::Error),
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
    pub async fn open(config: Config, clock: Clock) -> Result<Self, StartError> {
        let (central, storage) = db::open(&config.storage).await?;
        let keys = Keys::open(config.key_source.clone(), central.clone(), clock.clone()).await?;
        let redis = Arc::new(RedisLink::new(config.redis_url.clone()));
        let backends = SessionBackends {
            redis: Arc::clone(&redis),
            redis_key_prefix: config.redis_key_prefix.clone(),
            memory: Arc::default(),
            data_dir: config.data_dir.clone(),
            cap: config.max_sessions_per_tenant,
            clock: clock.clone(),
        };
        let directory = Directory::new(
            central,
            storage,
            config.session_defaults.clone(),
            config.fence.clone(),
            config.domain.clone(),
            backends,
        );
        let limiter = Limiter::new(
            Arc::clone(&redis),
            &config.redis_key_prefix,
            config.signin_address_limit,
            clock.clone(),
        );
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
            totals: Arc::new(ListTotals::new(clock.clone())),
            clock,
        })
    }

    /// Closes every database before the process exits (see
    /// `Directory::close`).
    pub async fn close(&self) {
        self.directory.close().await;
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
                &self.clock,
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
                self.delete_tenant(slug).await?;
                Err(e.into())
            }
        }
    }

    /// Changes a tenant's settings (`Directory::update_settings`) and tells
    /// every process, which drops what it cached of the tenant's sessions
    /// (the settings shape them); a narrower bridge rollout revokes the
    /// devices of those who leave it. The one operation behind the CLI and
    /// the admin panel.
    pub async fn save_settings(
        &self,
        slug: &Slug,
        changes: &[(Key, String)],
        editor: Editor,
    ) -> Result<SettingsChange, DirectoryError> {
        let change = self
            .directory
            .update_settings(slug, changes, editor)
            .await?;
        self.sessions
            .announce(
                self.directory.central().scope(),
                Change::Tenant(change.tenant),
            )
            .await?;
        let rollout = change.after.bridge.rollout;
        if rollout != change.before.bridge.rollout {
            let tenant = self.directory.get(slug).await?;
            let db = self.directory.db(&tenant).await?;
            let announce = Announce {
                cache: &*self.sessions,
                tenant: tenant.id,
            };
            let clock = &self.clock;
            rollout::revoke_departed(&db, announce, clock, rollout, Whose::Everyone).await?;
        }
        Ok(change)
    }

    /// Retires a key (`Keys::retire`) once every tenant's second-factor
    /// secrets sealed with it are sealed again with the primary key: the
    /// one operation behind `tessera keys retire`.
    pub async fn retire_key(&self, id: KeyId) -> Result<Resealed, RetireError> {
        let ring = self.keys.ring().await;
        if ring.primary() == id {
            return Err(KeyError::RetiringPrimary(id).into());
        }
        let mut resealed = Resealed::default();
        for tenant in self.directory.list().await? {
            let db = self.directory.db(&tenant).await?;
            resealed += factors::totp::reseal_away_from(&db, &ring, tenant.id, id).await?;
        }
        self.keys.retire(id).await?;
        Ok(resealed)
    }

    /// Deletes a tenant everywhere (`Directory::delete`), and tells every
    /// process that shares Redis with this one.
    pub async fn delete_tenant(&self, slug: &Slug) -> Result<Tenant, DirectoryError> {
        let tenant = self.directory.delete(slug).await?;
        self.sessions.changed(Change::TenantGone(tenant.id)).await;
        Ok(tenant)
    }

    /// Starts hearing other processes' changes (revocations, role and
    /// settings changes, deleted tenants), for as long as the process runs.
    pub fn listen(self: &Arc<Self>) {
        let postgres = match self.directory.central().scope() {
            db::Scope::Postgres { pool, .. } => Some(pool.clone()),
            db::Scope::Sqlite(_) => None,
        };
        let mut gone = self.sessions.tenants_gone();
        self.sessions.spawn_listeners(postgres);
        let platform = Arc::downgrade(self);
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let heard = gone.recv().await;
                let Some(platform) = platform.upgrade() else {
                    return;
                };
                match heard {
                    Ok(tenant) => platform.directory.forget_tenant(tenant).await,
                    Err(RecvError::Lagged(_)) => platform.directory.forget_all(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// A store over this tenant's sessions (its backend, built with its
    /// directory entry), ids hashed with key `key` of `ring`.
    pub fn session_store(
        &self,
        handle: &TenantHandle,
        ring: &KeyRing,
        key: KeyId,
    ) -> Result<TenantStore, StoreError> {
        let ids = IdHasher::new(
            ring.get(key)
                .ok_or(StoreError::RetiredKey(key))?
                .session_ids,
        );
        Ok(TenantStore::new(
            handle.sessions.clone(),
            ids,
            handle.tenant.id,
            !handle.settings.isolation,
            handle.db.clone(),
            Arc::clone(&self.sessions),
            self.clock.clone(),
        ))
    }
}
