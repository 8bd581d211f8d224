//! The one clock. Everything that needs the time reads it from a `Clock`
//! passed in (the platform's, built once), never from the system directly:
//! `clippy.toml` refuses `OffsetDateTime::now_utc`, `SystemTime::now` and
//! `Instant::now` everywhere but here. Tests use a `ManualClock`, which a
//! test moves forward, so expiry and grace windows are tested without
//! sleeping through them.

use std::{
    fmt,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use time::OffsetDateTime;

/// Where the time comes from.
trait Source: Send + Sync {
    fn now(&self) -> OffsetDateTime;
    fn instant(&self) -> Instant;
}

#[derive(Clone)]
pub struct Clock(Arc<dyn Source>);

impl Clock {
    /// The system's clock: production.
    pub fn system() -> Self {
        Self(Arc::new(System))
    }

    /// Wall-clock time, for anything stored or shown.
    pub fn now(&self) -> OffsetDateTime {
        self.0.now()
    }

    /// Seconds since the Unix epoch, as the databases store times.
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Monotonic time, for how long something has been cached or counted.
    pub fn instant(&self) -> Instant {
        self.0.instant()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}

struct System;

#[allow(clippy::disallowed_methods)] // the one place the system is asked
impl Source for System {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn instant(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves when `advance` tells it to: standing still from a
/// given moment (`starting_at`, for unit tests), or running with the system
/// from now (`new`, for a server under test: its caches and windows age as
/// usual, and a test skips an hour without waiting for it). Its clones share
/// the same time.
#[derive(Clone)]
pub struct ManualClock {
    wall: OffsetDateTime,
    monotonic: Instant,
    runs: bool,
    skipped_ms: Arc<AtomicU64>,
}

impl ManualClock {
    /// Runs with the system from its present moment.
    #[allow(clippy::disallowed_methods)] // where a running test clock starts
    pub fn new() -> Self {
        Self {
            wall: OffsetDateTime::now_utc(),
            monotonic: Instant::now(),
            runs: true,
            skipped_ms: Arc::default(),
        }
    }

    /// Stands still at `wall` until advanced.
    #[allow(clippy::disallowed_methods)] // an anchor; only offsets from it are read
    pub fn starting_at(wall: OffsetDateTime) -> Self {
        Self {
            wall,
            monotonic: Instant::now(),
            runs: false,
            skipped_ms: Arc::default(),
        }
    }

    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.skipped_ms.fetch_add(ms, Ordering::SeqCst);
    }

    #[allow(clippy::disallowed_methods)] // how far a running clock has run
    fn elapsed(&self) -> Duration {
        let skipped = Duration::from_millis(self.skipped_ms.load(Ordering::SeqCst));
        if self.runs {
            self.monotonic.elapsed() + skipped
        } else {
            skipped
        }
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Source for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.wall + self.elapsed()
    }

    fn instant(&self) -> Instant {
        self.monotonic + self.elapsed()
    }
}

impl From<ManualClock> for Clock {
    fn from(clock: ManualClock) -> Self {
        Self(Arc::new(clock))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_standing_still_moves_only_when_told_and_its_clones_agree() {
        let manual = ManualClock::starting_at(OffsetDateTime::UNIX_EPOCH);
        let clock = Clock::from(manual.clone());
        let (then, mono) = (clock.now(), clock.instant());
        assert_eq!(clock.now(), then);
        manual.advance(Duration::from_secs(90));
        assert_eq!(clock.unix(), 90);
        assert_eq!(clock.instant() - mono, Duration::from_secs(90));
    }

    #[test]
    fn a_running_clock_keeps_what_was_skipped() {
        let manual = ManualClock::new();
        let clock = Clock::from(manual.clone());
        let before = clock.now();
        manual.advance(Duration::from_secs(3_600));
        assert!(clock.now() - before >= Duration::from_secs(3_600));
    }
}
