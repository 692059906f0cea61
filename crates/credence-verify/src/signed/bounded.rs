//! A small map of computed results by text key, bounded in count: cleared
//! when full (what reaches it is bounded by the accepted-context check to
//! combinations of trusted contexts and types).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// At most this many entries are kept.
const MAX_ENTRIES: usize = 64;

/// Results by key, at most [`MAX_ENTRIES`] of them.
pub(crate) struct Bounded<T>(Mutex<HashMap<String, T>>);

impl<T> Default for Bounded<T> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<T: Clone> Bounded<T> {
    /// The result kept for `key`.
    pub fn get(&self, key: &str) -> Option<T> {
        self.lock().get(key).cloned()
    }

    /// Keeps `value` for `key`, clearing the map first when it is full.
    pub fn put(&self, key: String, value: T) {
        let mut map = self.lock();
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, value);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, T>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_stays_within_its_bound() {
        let map = Bounded::default();
        for i in 0..(MAX_ENTRIES * 3) {
            map.put(i.to_string(), i);
            assert!(map.lock().len() <= MAX_ENTRIES);
            assert_eq!(map.get(&i.to_string()), Some(i));
        }
    }
}
