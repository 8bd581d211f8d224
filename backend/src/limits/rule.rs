//! A limit, what exceeding it answers, and what failing to count it is.

use std::time::Duration;

use crate::redis_link::RedisError;

/// At most `limit` counted events per `window`, the window starting with
/// the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub limit: u32,
    pub window: Duration,
}

impl Rule {
    pub const fn per_minute(limit: u32) -> Self {
        Self {
            limit,
            window: Duration::from_secs(60),
        }
    }
}

/// Over the limit: how long until the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
}

impl Throttled {
    /// Whole seconds for `Retry-After`, never 0.
    pub fn seconds(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the rate limiter is unavailable: {0}")]
pub struct LimitError(#[from] RedisError);

impl From<redis::RedisError> for LimitError {
    fn from(e: redis::RedisError) -> Self {
        Self(RedisError::Redis(e))
    }
}
