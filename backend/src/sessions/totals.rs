//! The totals the admin's lists show ("1,000,000 sessions"). Counting every
//! live row of a large tenant takes longer than the page it heads, so each
//! total is counted at most once per `FRESH` per tenant and list: a stale
//! total is shown while one request's worth of counting refreshes it in the
//! background. Only a tenant's very first request counts in line.

use std::{
    collections::HashMap,
    future::Future,
    hash::Hash,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::clock::Clock;

/// How long a total is shown without being counted again.
pub const FRESH: Duration = Duration::from_secs(10);

/// What a total counts: one of a tenant's lists. (Tenant ids are never
/// reused, so a deleted tenant's totals are simply never asked for again.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listing {
    Sessions,
    Devices,
}

/// The admin lists' totals, by tenant and list.
pub type ListTotals = Totals<(crate::tenancy::TenantId, Listing)>;

/// Totals this process has counted, by key.
#[derive(Debug)]
pub struct Totals<K> {
    entries: Mutex<HashMap<K, Entry>>,
    clock: Clock,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    value: u64,
    counted: Instant,
    recounting: bool,
}

impl<K: Eq + Hash + Clone + Send + Sync + 'static> Totals<K> {
    pub fn new(clock: Clock) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            clock,
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The total under `key`: fresh, stale while `count` runs again in the
    /// background, or counted now when there is none yet.
    pub async fn get<F, E>(self: &Arc<Self>, key: K, count: F) -> Result<u64, E>
    where
        F: Future<Output = Result<u64, E>> + Send + 'static,
    {
        let known = {
            let mut entries = self.entries();
            match entries.get_mut(&key) {
                Some(entry)
                    if self
                        .clock
                        .instant()
                        .saturating_duration_since(entry.counted)
                        < FRESH
                        || entry.recounting =>
                {
                    return Ok(entry.value)
                }
                Some(entry) => {
                    entry.recounting = true;
                    Some(entry.value)
                }
                None => None,
            }
        };
        let Some(stale) = known else {
            let value = count.await?;
            self.store(key, value);
            return Ok(value);
        };
        let totals = Arc::clone(self);
        tokio::spawn(async move {
            match count.await {
                Ok(value) => totals.store(key, value),
                // Shown stale until a later request counts again.
                Err(_) => {
                    if let Some(entry) = totals.entries().get_mut(&key) {
                        entry.recounting = false;
                    }
                }
            }
        });
        Ok(stale)
    }

    fn store(&self, key: K, value: u64) {
        self.entries().insert(
            key,
            Entry {
                value,
                counted: self.clock.instant(),
                recounting: false,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::ManualClock;

    #[tokio::test]
    async fn counts_once_then_shows_what_it_counted_until_it_is_stale() {
        let clock = ManualClock::new();
        let totals: Arc<Totals<u8>> = Arc::new(Totals::new(clock.clone().into()));
        let first = totals.get(1, async { Ok::<_, ()>(5) }).await;
        assert_eq!(first, Ok(5));
        let cached = totals.get(1, async { Ok::<_, ()>(99) }).await;
        assert_eq!(cached, Ok(5), "fresh: not counted again");
        let other = totals.get(2, async { Err::<u64, _>("down") }).await;
        assert_eq!(other, Err("down"));

        clock.advance(FRESH);
        let stale = totals.get(1, async { Ok::<_, ()>(7) }).await;
        assert_eq!(stale, Ok(5), "stale: shown while it is counted again");
        for _ in 0..100 {
            if totals.get(1, async { Ok::<_, ()>(8) }).await == Ok(7) {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the recount never landed");
    }
}
