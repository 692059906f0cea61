//! A set of ids seen within a window: DPoP proof `jti`s and single-use
//! token ids.

use std::collections::HashMap;
use std::sync::Mutex;

/// Ids seen, each remembered until its expiry (Unix seconds).
#[derive(Debug, Default)]
pub struct ReplaySet(Mutex<HashMap<String, i64>>);

impl ReplaySet {
    /// Records `id` as used until `expires`; false when it was already
    /// recorded and has not expired at `now`. Expired ids are forgotten.
    pub fn first_use(&self, id: &str, expires: i64, now: i64) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, until| *until >= now);
        if seen.contains_key(id) {
            return false;
        }
        seen.insert(id.to_owned(), expires);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_accepted_once_until_it_expires() {
        let set = ReplaySet::default();
        assert!(set.first_use("a", 100, 0));
        assert!(!set.first_use("a", 100, 50));
        assert!(set.first_use("a", 200, 101), "forgotten after expiry");
    }
}
