//! The composition root: everything a running Tessera shares between requests.

use crate::{
    accounts::{self, users::AccountError, NewRole, User},
    config::Config,
    db,
    sessions::{CookieSeal, MissingTable, SqlSessionStore},
    tenancy::{Directory, DirectoryError, Slug, Tenant, TenantHandle},
};

#[derive(Debug)]
pub struct Platform {
    pub config: Config,
    pub directory: Directory,
    pub seal: CookieSeal,
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
        let directory = Directory::new(central, storage, config.session_defaults.clone(), config.domain.clone());
        Ok(Self { config, directory, seal })
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

    /// The store holding this tenant's sessions: its own database when
    /// isolated, the central one otherwise.
    pub async fn session_store(&self, handle: &TenantHandle) -> Result<SqlSessionStore, sqlx::Error> {
        let settings = &handle.settings;
        let missing = if settings.auto_create_table { MissingTable::Create } else { MissingTable::Fail };
        let db = if settings.isolation {
            self.directory.db(&handle.tenant).await?
        } else {
            self.directory.central().scope().clone()
        };
        Ok(SqlSessionStore::new(db, missing))
    }
}
