//! What the operator lets tenant admins change: an allow-list of settings
//! (`TESSERA_TENANT_ADMIN_SETTINGS`) and bounds for numeric ones
//! (`TESSERA_MAX_<variable>` / `TESSERA_MIN_<variable>`). Anyone can create a
//! workspace and so become its admin; the fence keeps such an admin from
//! choosing, say, a 10-year session or a restore limit of 10,000.
//!
//! The allow-list binds tenant admins (the admin panel); the CLI is the
//! operator. Bounds bind every tenant override, from anyone: raise a bound
//! to grant more.

use std::collections::{BTreeMap, BTreeSet};

use super::{Bound, Fenced, Key, Overrides, SettingError, TenantSettings};

pub const ALLOW_LIST_ENV: &str = "TESSERA_TENANT_ADMIN_SETTINGS";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    editable: BTreeSet<Key>,
    bounds: BTreeMap<Key, Bound>,
}

impl Default for Fence {
    fn default() -> Self {
        Self {
            editable: Key::ALL
                .iter()
                .copied()
                .filter(|k| k.setting().fence != Fenced::OperatorOnly)
                .collect(),
            bounds: Key::ALL
                .iter()
                .filter_map(|k| match k.setting().fence {
                    Fenced::Bounded(bound) => Some((*k, bound)),
                    Fenced::Open | Fenced::OperatorOnly => None,
                })
                .collect(),
        }
    }
}

fn setting_error(key: impl Into<std::borrow::Cow<'static, str>>, message: String) -> SettingError {
    SettingError {
        key: key.into(),
        message,
    }
}

pub fn max_env(key: Key) -> String {
    format!("TESSERA_MAX_{}", key.env())
}

pub fn min_env(key: Key) -> String {
    format!("TESSERA_MIN_{}", key.env())
}

impl Fence {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let mut fence = Self::default();
        if let Some(list) = lookup(ALLOW_LIST_ENV) {
            fence.editable = list
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(|name| {
                    Key::from_name(name).ok_or_else(|| {
                        setting_error(
                            "TESSERA_TENANT_ADMIN_SETTINGS",
                            format!("unknown setting {name:?}"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        for (key, bound) in &mut fence.bounds {
            let read = |name: String, into: &mut u64| -> Result<(), SettingError> {
                let Some(text) = lookup(&name) else {
                    return Ok(());
                };
                *into = text.trim().parse().map_err(|_| {
                    setting_error(name, format!("expected a whole number, got {text:?}"))
                })?;
                Ok(())
            };
            read(max_env(*key), &mut bound.max)?;
            read(min_env(*key), &mut bound.min)?;
        }
        Ok(fence)
    }

    /// Whether tenant admins may change `key`.
    pub fn editable(&self, key: Key) -> bool {
        self.editable.contains(&key)
    }

    pub fn bound(&self, key: Key) -> Option<Bound> {
        self.bounds.get(&key).copied()
    }

    /// Every overridden numeric setting within its bound.
    pub fn check(
        &self,
        effective: &TenantSettings,
        overrides: &Overrides,
    ) -> Result<(), SettingError> {
        for (key, bound) in &self.bounds {
            if overrides.get(*key).is_none() {
                continue;
            }
            let value: u64 = effective.get(*key).parse().unwrap_or(0);
            if value < bound.min || value > bound.max {
                return Err(setting_error(
                    key.name(),
                    format!(
                        "must be from {} to {} on this installation (the operator's bounds)",
                        bound.min, bound.max
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Refuses a tenant admin's change to a setting the operator keeps.
    pub fn check_editable(
        &self,
        before: &Overrides,
        after: &Overrides,
    ) -> Result<(), SettingError> {
        match Key::ALL.iter().copied().find(|k| !self.editable(*k) && before.get(*k) != after.get(*k)) {
            Some(key) => Err(setting_error(
                key.name(),
                "is set by the operator of this installation and cannot be changed from the admin panel".into(),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fence(pairs: &[(&str, &str)]) -> Result<Fence, SettingError> {
        Fence::from_lookup(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn driver_isolation_and_cookie_domain_are_the_operators_by_default() {
        let f = fence(&[]).expect("defaults");
        for key in [Key::Driver, Key::Isolation, Key::CookieDomain] {
            assert!(!f.editable(key), "{key}");
        }
        assert!(f.editable(Key::Lifetime) && f.editable(Key::SignInMaxFailures));
        let f = fence(&[(ALLOW_LIST_ENV, "lifetime, driver")]).expect("valid");
        assert!(f.editable(Key::Driver) && f.editable(Key::Lifetime) && !f.editable(Key::Prefix));
        assert_eq!(
            fence(&[(ALLOW_LIST_ENV, "lifetime,colour")])
                .expect_err("unknown")
                .key,
            ALLOW_LIST_ENV
        );
    }

    #[test]
    fn bounds_bind_overrides_only() {
        let f = fence(&[("TESSERA_MAX_SESSION_LIFETIME", "60")]).expect("valid");
        let mut overrides = Overrides::default();
        let mut settings = TenantSettings {
            lifetime: std::time::Duration::from_secs(90 * 60),
            ..TenantSettings::default()
        };
        assert!(
            f.check(&settings, &overrides).is_ok(),
            "a default beyond the bound is the operator's choice"
        );
        overrides.set(Key::Lifetime, "90");
        assert_eq!(
            f.check(&settings, &overrides).expect_err("over").key,
            "lifetime"
        );
        settings.lifetime = std::time::Duration::from_secs(60 * 60);
        assert!(f.check(&settings, &overrides).is_ok());
        assert_eq!(
            fence(&[("TESSERA_MIN_SIGNIN_LOCKOUT", "soon")])
                .expect_err("bad")
                .key,
            "TESSERA_MIN_SIGNIN_LOCKOUT"
        );
    }

    #[test]
    fn an_unchanged_locked_setting_is_not_a_change() {
        let f = Fence::default();
        let mut before = Overrides::default();
        before.set(Key::Driver, "memory");
        let mut after = before.clone();
        after.set(Key::Lifetime, "30");
        assert!(f.check_editable(&before, &after).is_ok());
        after.set(Key::Driver, "file");
        assert_eq!(
            f.check_editable(&before, &after).expect_err("locked").key,
            "driver"
        );
    }
}
