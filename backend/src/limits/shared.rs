//! Fixed windows in Redis, shared by every process using it: a window starts
//! with its first event (SET NX PX) and is counted by INCR, in one MULTI so
//! no window is ever left without its expiry.

use std::time::Duration;

use redis::aio::ConnectionManager;

use super::rule::{LimitError, Rule, Throttled};

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn wait(pttl: i64, rule: Rule) -> Throttled {
    let left = u64::try_from(pttl)
        .ok()
        .filter(|ms| *ms > 0)
        .map_or(rule.window, Duration::from_millis);
    Throttled { retry_after: left }
}

pub(super) async fn hit(
    conn: &mut ConnectionManager,
    key: &str,
    rule: Rule,
) -> Result<Result<(), Throttled>, LimitError> {
    let (count, pttl): (u32, i64) = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg(key)
        .arg(0)
        .arg("NX")
        .arg("PX")
        .arg(millis(rule.window))
        .ignore()
        .cmd("INCR")
        .arg(key)
        .cmd("PTTL")
        .arg(key)
        .query_async(conn)
        .await?;
    Ok(if count > rule.limit {
        Err(wait(pttl, rule))
    } else {
        Ok(())
    })
}

pub(super) async fn check(
    conn: &mut ConnectionManager,
    key: &str,
    rule: Rule,
) -> Result<Result<(), Throttled>, LimitError> {
    let (count, pttl): (Option<u32>, i64) = redis::pipe()
        .cmd("GET")
        .arg(key)
        .cmd("PTTL")
        .arg(key)
        .query_async(conn)
        .await?;
    Ok(match count {
        Some(count) if count >= rule.limit => Err(wait(pttl, rule)),
        _ => Ok(()),
    })
}

pub(super) async fn clear(conn: &mut ConnectionManager, key: &str) -> Result<(), LimitError> {
    redis::cmd("DEL").arg(key).query_async::<()>(conn).await?;
    Ok(())
}
