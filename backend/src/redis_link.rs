//! The process's one Redis connection, made on first use, shared by the
//! redis session driver and the shared rate limits.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    #[error("the redis session driver is selected but REDIS_URL is not set")]
    NotConfigured,
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

pub struct RedisLink {
    url: Option<String>,
    manager: OnceCell<ConnectionManager>,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink")
            .field("configured", &self.url.is_some())
            .finish_non_exhaustive()
    }
}

/// Fail fast while Redis is away (a 503 in well under a second, not the
/// client's default of retrying for 12 s inside the request): one connection
/// attempt, no retry — its backoff starts at a second whatever the factor —
/// and the next request tries again once Redis is back.
fn fail_fast() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_number_of_retries(0)
        .set_connection_timeout(std::time::Duration::from_millis(500))
        .set_response_timeout(std::time::Duration::from_secs(2))
}

impl RedisLink {
    pub fn new(url: Option<String>) -> Self {
        Self {
            url,
            manager: OnceCell::new(),
        }
    }

    pub fn is_configured(&self) -> bool {
        self.url.is_some()
    }

    /// A client of its own (a pub/sub subscription needs its own connection).
    pub fn client(&self) -> Result<redis::Client, RedisError> {
        Ok(redis::Client::open(
            self.url.as_deref().ok_or(RedisError::NotConfigured)?,
        )?)
    }

    /// A handle on the connection (cheap to clone); made on first use, and
    /// tried again on the next call if Redis was down.
    pub async fn get(&self) -> Result<ConnectionManager, RedisError> {
        let url = self.url.as_deref().ok_or(RedisError::NotConfigured)?;
        let manager = self
            .manager
            .get_or_try_init(|| async {
                redis::Client::open(url)?
                    .get_connection_manager_with_config(fail_fast())
                    .await
            })
            .await?;
        Ok(manager.clone())
    }
}
