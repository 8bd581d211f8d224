//! A tenant's overrides of the defaults, by key, stored as JSON text.

use std::collections::BTreeMap;

use super::{values::unset, Key};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(BTreeMap<Key, String>);

impl Overrides {
    pub fn from_json(text: &str) -> Result<Self, String> {
        let raw: BTreeMap<String, String> =
            serde_json::from_str(text).map_err(|e| e.to_string())?;
        raw.into_iter()
            .map(|(name, value)| {
                Key::from_name(&name)
                    .map(|k| (k, value))
                    .ok_or(format!("unknown setting {name:?}"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn to_json(&self) -> String {
        let raw: BTreeMap<&str, &str> =
            self.0.iter().map(|(k, v)| (k.name(), v.as_str())).collect();
        serde_json::to_string(&raw).unwrap_or_else(|_| "{}".into())
    }

    pub fn get(&self, key: Key) -> Option<&str> {
        self.0.get(&key).map(String::as_str)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (Key, &str)> {
        self.0.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// Sets (or, with "null"/"", removes) one override.
    pub fn set(&mut self, key: Key, value: &str) {
        if unset(value) {
            self.0.remove(&key);
        } else {
            self.0.insert(key, value.trim().to_owned());
        }
    }

    /// Parses `key=value` as the CLI takes it.
    pub fn parse_assignment(assignment: &str) -> Result<(Key, String), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or(format!("expected key=value, got {assignment:?}"))?;
        let key = Key::from_name(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
            format!(
                "unknown setting {:?}; known: {}",
                name.trim(),
                known.join(", ")
            )
        })?;
        Ok((key, value.to_owned()))
    }
}
