//! Process configuration, read once from the environment.

use std::{net::SocketAddr, path::PathBuf};

use crate::{
    client::{ProxyListError, TrustedProxies},
    db::StorageConfig,
    keys::{KeyError, KeySource},
    settings::{Driver, Fence, SettingError, TenantSettings},
    tenancy::{CentralDomain, HostError},
};

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub storage: StorageConfig,
    /// Redis for the redis session driver.
    pub redis_url: Option<String>,
    /// Prepended to every Redis key, so several installations (or tests) can share one Redis.
    pub redis_key_prefix: String,
    /// The central admin's password (HTTP Basic, user `admin`); unset: no central admin.
    pub central_admin_password: Option<Secret>,
    pub domain: CentralDomain,
    pub site_addr: SocketAddr,
    pub session_defaults: TenantSettings,
    /// What tenant admins may change, and within which bounds.
    pub fence: Fence,
    /// Peers whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: TrustedProxies,
    /// Where the key ring lives.
    pub key_source: KeySource,
    /// Sessions one tenant may hold in the memory and file stores.
    pub max_sessions_per_tenant: usize,
    /// Sign-in attempts (password checks) one client address may cause per
    /// minute across every tenant and the central site together: without
    /// it, a client could multiply hashing work by the number of tenants.
    pub signin_address_limit: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("TESSERA_DOMAIN: {0}")]
    Domain(HostError),
    #[error("LEPTOS_SITE_ADDR: expected host:port such as 127.0.0.1:3000, got {0:?}")]
    SiteAddr(String),
    #[error(transparent)]
    Session(#[from] SettingError),
    #[error("DATABASE_URL: expected postgres://... (unset for the embedded SQLite default)")]
    DatabaseUrl,
    #[error("{var}: expected a number from {min} to {max}, got {got:?}")]
    Number {
        var: &'static str,
        min: usize,
        max: usize,
        got: String,
    },
    #[error("SESSION_DRIVER=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379)")]
    RedisUrl,
    #[error(
        "TESSERA_TRUST_PROXY is replaced by TESSERA_TRUSTED_PROXIES: list your proxies' addresses or networks \
         (e.g. TESSERA_TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8)"
    )]
    TrustProxy,
    #[error(transparent)]
    TrustedProxies(#[from] ProxyListError),
    #[error(transparent)]
    Keys(#[from] KeyError),
}

/// A whole number from the environment, within `min..=max`; `default` when unset.
fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: usize,
    (min, max): (usize, usize),
) -> Result<usize, ConfigError> {
    let Some(text) = lookup(var) else {
        return Ok(default);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ConfigError::Number {
            var,
            min,
            max,
            got: text,
        }),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let domain =
            CentralDomain::parse(&lookup("TESSERA_DOMAIN").unwrap_or_else(|| "localhost".into()))
                .map_err(ConfigError::Domain)?;
        let addr = lookup("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr = addr.parse().map_err(|_| ConfigError::SiteAddr(addr))?;
        let session_defaults = TenantSettings::from_lookup(&lookup)?;
        session_defaults.validate_env_for(&domain)?;
        let data_dir = lookup("TESSERA_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("data"));
        let storage = match lookup("DATABASE_URL").filter(|url| !url.trim().is_empty()) {
            None => StorageConfig::Sqlite {
                data_dir: data_dir.clone(),
                // How many SQLite tenant databases stay open.
                max_open: number(&lookup, "TESSERA_MAX_OPEN_TENANT_DBS", 64, (1, 100_000))?,
            },
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                StorageConfig::Postgres { url }
            }
            Some(_) => return Err(ConfigError::DatabaseUrl),
        };
        // The old on/off switch trusted every peer; refusing to start beats
        // silently ignoring it (clients would all share the proxy's address).
        if lookup("TESSERA_TRUST_PROXY").is_some() {
            return Err(ConfigError::TrustProxy);
        }
        let trusted_proxies = lookup("TESSERA_TRUSTED_PROXIES")
            .unwrap_or_default()
            .parse()?;
        let fence = Fence::from_lookup(&lookup)?;
        let key_source = KeySource::from_lookup(&lookup)?;
        let max_sessions_per_tenant = number(
            &lookup,
            "TESSERA_MAX_SESSIONS_PER_TENANT",
            10_000,
            (1, 10_000_000),
        )?;
        let signin_address_limit =
            number(&lookup, "TESSERA_SIGNIN_ADDRESS_LIMIT", 100, (1, 1_000_000))?;
        let redis_url = lookup("REDIS_URL").filter(|url| !url.trim().is_empty());
        if session_defaults.driver == Driver::Redis && redis_url.is_none() {
            return Err(ConfigError::RedisUrl);
        }
        Ok(Self {
            data_dir,
            storage,
            redis_url,
            redis_key_prefix: lookup("REDIS_KEY_PREFIX").unwrap_or_else(|| "tessera:".into()),
            central_admin_password: lookup("TESSERA_CENTRAL_ADMIN_PASSWORD")
                .filter(|p| !p.is_empty())
                .map(Secret),
            domain,
            site_addr,
            session_defaults,
            fence,
            trusted_proxies,
            key_source,
            max_sessions_per_tenant,
            signin_address_limit: u32::try_from(signin_address_limit).unwrap_or(u32::MAX),
        })
    }
}

/// A configured secret: usable, never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}
