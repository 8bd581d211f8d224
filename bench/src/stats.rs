//! Figures from an outcome: throughput and latency percentiles.

use std::time::Duration;

use crate::load::Outcome;

#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub wrong: u64,
    pub failed: u64,
}

impl Summary {
    pub fn of(outcome: &mut Outcome) -> Self {
        outcome.latencies_us.sort_unstable();
        Self {
            per_second: outcome.per_second(),
            p50: percentile(&outcome.latencies_us, 50.0),
            p99: percentile(&outcome.latencies_us, 99.0),
            wrong: outcome.wrong,
            failed: outcome.failed,
        }
    }
}

/// Nearest-rank percentile of sorted microsecond latencies.
pub fn percentile(sorted_us: &[u32], p: f64) -> Duration {
    if sorted_us.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted_us.len()) - 1;
    Duration::from_micros(u64::from(sorted_us[index]))
}

/// Milliseconds with two decimals, for tables.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), Duration::from_micros(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_micros(99));
        assert_eq!(percentile(&[7], 99.0), Duration::from_micros(7));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }
}
