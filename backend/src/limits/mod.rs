//! Every rate limit in one place: fixed windows counted per key, in Redis
//! when the installation has one (every process counts in the same window)
//! or in this process's bounded memory otherwise.
//!
//! Callers: sign-in throttling (`signin`), and the bridge's restore limits.

mod local;
mod rule;
mod shared;
pub mod signin;

use std::sync::Arc;

use crate::{clock::Clock, redis_link::RedisLink};

pub use rule::{LimitError, Rule, Throttled};
pub use signin::{AddressCount, SignInGate, SignInRealm};

pub struct Limiter {
    counts: Counts,
    /// Sign-in attempts one client address may make per minute, all realms
    /// together.
    signin_per_address: Rule,
}

enum Counts {
    Local(local::Windows),
    Shared {
        redis: Arc<RedisLink>,
        prefix: String,
    },
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.counts {
            Counts::Local(_) => "local",
            Counts::Shared { .. } => "shared",
        };
        f.debug_struct("Limiter").field("counts", &kind).finish()
    }
}

impl Limiter {
    /// Shared through `redis` when it is configured, else in memory.
    /// `signin_per_address`: sign-in attempts per minute one client address
    /// may make across every realm.
    pub fn new(
        redis: Arc<RedisLink>,
        key_prefix: &str,
        signin_per_address: u32,
        clock: Clock,
    ) -> Self {
        let counts = if redis.is_configured() {
            Counts::Shared {
                redis,
                prefix: format!("{key_prefix}limit:"),
            }
        } else {
            Counts::Local(local::Windows::new(clock))
        };
        Self {
            counts,
            signin_per_address: Rule::per_minute(signin_per_address),
        }
    }

    /// Counts one event under `key`; `Err` once more than `rule.limit` were
    /// counted in the window (this one included).
    pub async fn hit(&self, key: &str, rule: Rule) -> Result<Result<(), Throttled>, LimitError> {
        match &self.counts {
            Counts::Local(windows) => Ok(windows.hit(key, rule)),
            Counts::Shared { redis, prefix } => {
                shared::hit(&mut redis.get().await?, &format!("{prefix}{key}"), rule).await
            }
        }
    }

    /// Whether `key` already reached `rule.limit` in its window, without counting.
    pub async fn check(&self, key: &str, rule: Rule) -> Result<Result<(), Throttled>, LimitError> {
        match &self.counts {
            Counts::Local(windows) => Ok(windows.check(key, rule)),
            Counts::Shared { redis, prefix } => {
                shared::check(&mut redis.get().await?, &format!("{prefix}{key}"), rule).await
            }
        }
    }

    /// Forgets `key`'s window.
    pub async fn clear(&self, key: &str) -> Result<(), LimitError> {
        match &self.counts {
            Counts::Local(windows) => {
                windows.clear(key);
                Ok(())
            }
            Counts::Shared { redis, prefix } => {
                shared::clear(&mut redis.get().await?, &format!("{prefix}{key}")).await
            }
        }
    }
}
