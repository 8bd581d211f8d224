//! Each field type of `TenantSettings` as text, in and out, as its setting's
//! `Kind` says: a flag, a choice, a number in a unit and range, or text.

use std::time::Duration;

use super::{
    kind::{Kind, TextRule},
    BridgeStorage, Driver, Rollout, SameSite, SecondFactorRule, StepUp,
};
use crate::{accounts::Role, tenancy::CentralDomain};

pub(super) trait Value: Sized {
    fn parse(text: &str, kind: &Kind) -> Result<Self, String>;
    fn show(&self, kind: &Kind) -> String;
}

/// `null` and the empty string mean "unset", as in the seed's `.env` example.
pub(super) fn unset(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.eq_ignore_ascii_case("null")
}

const NULL: &str = "null";

impl Value for bool {
    fn parse(text: &str, _: &Kind) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(format!("expected true or false, got {text:?}")),
        }
    }

    fn show(&self, _: &Kind) -> String {
        self.to_string()
    }
}

/// Unset, or a value: `null` shows the former.
impl<T: Value> Value for Option<T> {
    fn parse(text: &str, kind: &Kind) -> Result<Self, String> {
        if unset(text) {
            Ok(None)
        } else {
            T::parse(text, kind).map(Some)
        }
    }

    fn show(&self, kind: &Kind) -> String {
        self.as_ref().map_or_else(|| NULL.into(), |v| v.show(kind))
    }
}

/// A whole number in the range the kind gives.
fn number(text: &str, kind: &Kind) -> Result<u64, String> {
    let Kind::Number { unit, min, max } = *kind else {
        return Err("not a number setting".into());
    };
    match text.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of {} from {min} to {max}, got {text:?}",
            unit.label()
        )),
    }
}

impl Value for u32 {
    fn parse(text: &str, kind: &Kind) -> Result<Self, String> {
        let n = number(text, kind)?;
        u32::try_from(n).map_err(|_| format!("{n} is too large"))
    }

    fn show(&self, _: &Kind) -> String {
        self.to_string()
    }
}

/// A duration, in the unit the kind gives (minutes or seconds).
impl Value for Duration {
    fn parse(text: &str, kind: &Kind) -> Result<Self, String> {
        let seconds = unit_seconds(kind)?;
        Ok(Duration::from_secs(number(text, kind)? * seconds))
    }

    fn show(&self, kind: &Kind) -> String {
        let seconds = unit_seconds(kind).unwrap_or(1);
        (self.as_secs() / seconds).to_string()
    }
}

fn unit_seconds(kind: &Kind) -> Result<u64, String> {
    match kind {
        Kind::Number { unit, .. } => unit.seconds(),
        _ => None,
    }
    .ok_or_else(|| "not a duration setting".into())
}

impl Value for String {
    fn parse(text: &str, kind: &Kind) -> Result<Self, String> {
        let Kind::Text { rule, .. } = kind else {
            return Err("not a text setting".into());
        };
        let v = text.trim();
        match rule {
            TextRule::Prefix => {
                let ok = (1..=32).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if ok {
                    Ok(v.to_owned())
                } else {
                    Err("use 1 to 32 letters, digits, '_' or '-'".into())
                }
            }
            TextRule::Domain => CentralDomain::parse(v.trim_start_matches('.'))
                .map(|d| d.as_str().to_owned())
                .map_err(|_| format!("{text:?} is not a domain name")),
            TextRule::Rollout => Err("not a free text setting".into()),
        }
    }

    fn show(&self, _: &Kind) -> String {
        self.clone()
    }
}

/// A choice between named values, each named once.
trait Named: Copy + PartialEq + 'static {
    const NAMES: &'static [(&'static str, Self)];
}

impl<T: Named> Value for T {
    fn parse(text: &str, _: &Kind) -> Result<Self, String> {
        let wanted = text.trim().to_ascii_lowercase();
        T::NAMES
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let names: Vec<&str> = T::NAMES.iter().map(|(name, _)| *name).collect();
                format!("expected one of {}, got {text:?}", names.join(", "))
            })
    }

    fn show(&self, _: &Kind) -> String {
        T::NAMES
            .iter()
            .find(|(_, value)| value == self)
            .map_or_else(String::new, |(name, _)| (*name).to_owned())
    }
}

impl Named for SameSite {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("strict", SameSite::Strict),
        ("lax", SameSite::Lax),
        ("none", SameSite::None),
    ];
}

impl Named for Driver {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("database", Driver::Database),
        ("redis", Driver::Redis),
        ("file", Driver::File),
        ("memory", Driver::Memory),
    ];
}

impl Named for StepUp {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("never", StepUp::Never),
        ("enrolled", StepUp::Enrolled),
        ("always", StepUp::Always),
    ];
}

impl Named for BridgeStorage {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("local_storage", BridgeStorage::LocalStorage),
        ("cookie", BridgeStorage::Cookie),
    ];
}

/// `everyone`, `role:admin`, `role:member` or `percent:<0–100>`.
impl Value for Rollout {
    fn parse(text: &str, _: &Kind) -> Result<Self, String> {
        let wanted = text.trim().to_ascii_lowercase();
        let rollout = match wanted.split_once(':') {
            None if wanted == "everyone" => Some(Rollout::Everyone),
            Some(("role", role)) => Role::from_name(role).map(Rollout::Role),
            Some(("percent", n)) => n
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= 100)
                .map(Rollout::Percent),
            _ => None,
        };
        rollout.ok_or_else(|| {
            format!("expected everyone, role:admin, role:member or percent:<0-100>, got {text:?}")
        })
    }

    fn show(&self, _: &Kind) -> String {
        match self {
            Rollout::Everyone => "everyone".into(),
            Rollout::Role(role) => format!("role:{}", role.as_str()),
            Rollout::Percent(n) => format!("percent:{n}"),
        }
    }
}

impl Named for SecondFactorRule {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("optional", SecondFactorRule::Optional),
        ("admins", SecondFactorRule::Admins),
        ("everyone", SecondFactorRule::Everyone),
    ];
}
