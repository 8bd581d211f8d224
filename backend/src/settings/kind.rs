//! What a setting's value is: a flag, one of some choices, a number in a
//! unit and range, or text under a rule. The admin panel's controls, the
//! parsing and the range checks all read it.

/// What a setting's value is, as an editor needs to know it: the control to
/// show and the range `set` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Flag,
    /// One of these values; `""` among them means unset.
    Choice(&'static [Choice]),
    Number {
        unit: Unit,
        min: u64,
        max: u64,
    },
    /// Free text checked by `rule`; `optional` when empty means unset.
    Text {
        optional: bool,
        rule: TextRule,
    },
}

/// One value of a `Kind::Choice`, with what it means to someone choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Minutes,
    Seconds,
    PerMinute,
    FailedAttempts,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Minutes => "minutes",
            Unit::Seconds => "seconds",
            Unit::PerMinute => "attempts per minute",
            Unit::FailedAttempts => "failed attempts",
        }
    }

    /// Seconds in one of this unit, for the units that measure time.
    pub(super) fn seconds(self) -> Option<u64> {
        match self {
            Unit::Minutes => Some(60),
            Unit::Seconds => Some(1),
            Unit::PerMinute | Unit::FailedAttempts => None,
        }
    }
}

/// What free text a `Kind::Text` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// 1 to 32 letters, digits, '_' or '-': it names cookies and store keys.
    Prefix,
    /// A domain name.
    Domain,
    /// Who gets the session bridge: `everyone`, `role:admin`,
    /// `role:member` or `percent:<0–100>`.
    Rollout,
}
