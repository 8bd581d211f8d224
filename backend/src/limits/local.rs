//! Fixed windows in this process's memory, bounded: past `MAX_KEYS` the
//! finished windows go, and if a flood of distinct keys still fills it, the
//! oldest windows make room (a flood can reset old counters, never grow memory).

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
    time::Instant,
};

use super::rule::{Rule, Throttled};
use crate::clock::Clock;

const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    ends: Instant,
    count: u32,
}

#[derive(Debug)]
pub(super) struct Windows {
    map: Mutex<HashMap<String, Window>>,
    clock: Clock,
}

impl Windows {
    pub(super) fn new(clock: Clock) -> Self {
        Self {
            map: Mutex::default(),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Window>> {
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn hit(&self, key: &str, rule: Rule) -> Result<(), Throttled> {
        let now = self.clock.instant();
        let mut map = self.lock();
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            make_room(&mut map, now);
        }
        let window = map.entry(key.to_owned()).or_insert(Window {
            started: now,
            ends: now + rule.window,
            count: 0,
        });
        if window.ends <= now {
            *window = Window {
                started: now,
                ends: now + rule.window,
                count: 0,
            };
        }
        window.count = window.count.saturating_add(1);
        if window.count > rule.limit {
            return Err(Throttled {
                retry_after: window.ends - now,
            });
        }
        Ok(())
    }

    pub(super) fn check(&self, key: &str, rule: Rule) -> Result<(), Throttled> {
        let now = self.clock.instant();
        match self.lock().get(key) {
            Some(w) if w.ends > now && w.count >= rule.limit => Err(Throttled {
                retry_after: w.ends - now,
            }),
            _ => Ok(()),
        }
    }

    pub(super) fn clear(&self, key: &str) {
        self.lock().remove(key);
    }
}

fn make_room(map: &mut HashMap<String, Window>, now: Instant) {
    map.retain(|_, w| w.ends > now);
    if map.len() < MAX_KEYS {
        return;
    }
    // Still full of live windows: drop the oldest tenth.
    let mut starts: Vec<Instant> = map.values().map(|w| w.started).collect();
    let cut = starts.len() / 10;
    let (_, threshold, _) = starts.select_nth_unstable(cut);
    let threshold = *threshold;
    map.retain(|_, w| w.started > threshold);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::ManualClock;

    /// Windows on a clock that stands still until a test moves it.
    fn windows() -> (Windows, ManualClock) {
        let clock = ManualClock::starting_at(time::OffsetDateTime::UNIX_EPOCH);
        (Windows::new(clock.clone().into()), clock)
    }

    #[test]
    fn counts_up_to_the_limit_then_says_how_long_to_wait() {
        let (windows, _) = windows();
        let rule = Rule::per_minute(3);
        for _ in 0..3 {
            assert!(windows.hit("a", rule).is_ok());
        }
        assert!(
            windows.check("a", rule).is_err(),
            "at the limit, a check refuses"
        );
        let wait = windows
            .hit("a", rule)
            .expect_err("over the limit")
            .retry_after;
        assert_eq!(wait, Duration::from_secs(60), "the clock has not moved");
        assert!(windows.hit("b", rule).is_ok(), "keys are independent");
        windows.clear("a");
        assert!(windows.check("a", rule).is_ok() && windows.hit("a", rule).is_ok());
    }

    #[test]
    fn a_finished_window_starts_over() {
        let (windows, clock) = windows();
        let rule = Rule {
            limit: 1,
            window: Duration::from_secs(60),
        };
        assert!(windows.hit("a", rule).is_ok());
        clock.advance(Duration::from_secs(59));
        assert!(windows.hit("a", rule).is_err());
        clock.advance(Duration::from_secs(1));
        assert!(windows.hit("a", rule).is_ok());
    }

    #[test]
    fn a_flood_of_keys_never_grows_past_the_bound() {
        let (windows, _) = windows();
        let rule = Rule::per_minute(5);
        for i in 0..(MAX_KEYS + 5_000) {
            let _ = windows.hit(&format!("client-{i}"), rule);
        }
        assert!(windows.lock().len() <= MAX_KEYS);
    }
}
