//! The budgets, each a PASS or FAIL line.

use std::time::Duration;

pub struct Budget {
    pub pass: bool,
    pub line: String,
}

impl Budget {
    pub fn at_least(what: &str, measured: f64, floor: f64) -> Self {
        Self {
            pass: measured >= floor,
            line: format!("{what}: {measured:.2} (budget ≥ {floor:.2})"),
        }
    }

    pub fn at_most(what: &str, measured: f64, ceiling: f64, unit: &str) -> Self {
        Self {
            pass: measured <= ceiling,
            line: format!("{what}: {measured:.1} {unit} (budget ≤ {ceiling} {unit})"),
        }
    }

    pub fn at_most_ms(what: &str, measured: Duration, ceiling_ms: f64) -> Self {
        Self::at_most(what, measured.as_secs_f64() * 1000.0, ceiling_ms, "ms")
    }

    pub fn zero(what: &str, count: u64) -> Self {
        Self {
            pass: count == 0,
            line: format!("{what}: {count} (budget 0)"),
        }
    }

    pub fn print(&self) {
        println!("{} {}", if self.pass { "PASS" } else { "FAIL" }, self.line);
    }
}
