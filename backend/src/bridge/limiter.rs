//! Fixed-window rate limiting for bridge restores, per client and per
//! tenant: in Redis when the installation has one (every process counts in
//! the same window), else in this process's memory (one process only).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts one attempt under `key`; `Err(wait)` when over `limit` per minute.
    pub fn hit(&self, key: &str, limit: u32) -> Result<(), Duration> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            (*start, *count) = (now, 0);
        }
        if *count >= limit {
            return Err(WINDOW.saturating_sub(now.duration_since(*start)));
        }
        *count += 1;
        Ok(())
    }
}

/// Counts one attempt under `key` in Redis, shared by every process using
/// it: a window starts with its first attempt (SET NX EX) and is counted by
/// INCR, in one MULTI so no window is left without its expiry.
pub async fn hit_shared(
    conn: &mut redis::aio::ConnectionManager,
    key: &str,
    limit: u32,
) -> Result<Result<(), Duration>, redis::RedisError> {
    let window = WINDOW.as_secs();
    let (count, ttl): (u32, i64) = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg(key)
        .arg(0)
        .arg("NX")
        .arg("EX")
        .arg(window)
        .ignore()
        .cmd("INCR")
        .arg(key)
        .cmd("TTL")
        .arg(key)
        .query_async(conn)
        .await?;
    if count > limit {
        return Ok(Err(Duration::from_secs(u64::try_from(ttl).unwrap_or(window).max(1))));
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_then_says_how_long_to_wait() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.hit("a", 3).is_ok());
        }
        let wait = limiter.hit("a", 3).expect_err("over the limit");
        assert!(wait <= WINDOW && wait > Duration::from_secs(50));
        assert!(limiter.hit("b", 3).is_ok(), "keys are independent");
    }
}
