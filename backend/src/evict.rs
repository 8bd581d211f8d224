//! Bounding an in-memory map by letting its least recently used entries go.

use std::{collections::HashMap, hash::Hash};

/// Removes the entries with the smallest `age` until at most `cap` remain.
/// Linear per removal: the maps bounded this way hold a few dozen entries.
pub(crate) fn least_recent<K, V, A>(map: &mut HashMap<K, V>, cap: usize, age: impl Fn(&V) -> A)
where
    K: Eq + Hash + Clone,
    A: Ord,
{
    while map.len() > cap {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, value)| age(value))
            .map(|(key, _)| key.clone())
        else {
            break;
        };
        map.remove(&oldest);
    }
}
