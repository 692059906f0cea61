//! Which key opened which MCP session: a session id (`Mcp-Session-Id`) is
//! usable only with tokens bound to the key that opened it, so a caller
//! with a valid token of its own cannot resume, read or end another
//! caller's session by learning its id.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How many sessions are remembered; the oldest is forgotten first (rmcp
/// then no longer knows it either, or it is refused as unknown).
const CAPACITY: usize = 10_000;

/// Session id → the DPoP key thumbprint (`cnf.jkt`) that opened it.
#[derive(Debug, Default)]
pub(crate) struct SessionOwners {
    inner: Mutex<(HashMap<String, String>, VecDeque<String>)>,
}

impl SessionOwners {
    /// Records that `jkt` opened `session`.
    pub(crate) fn record(&self, session: &str, jkt: &str) {
        // A poisoned lock means a panic mid-update: refusing all sessions
        // (see `allows`) is the safe reading, so nothing is recorded.
        let Ok(mut guard) = self.inner.lock() else {
            return;
        };
        let (owners, order) = &mut *guard;
        if owners.insert(session.to_owned(), jkt.to_owned()).is_none() {
            order.push_back(session.to_owned());
        }
        while order.len() > CAPACITY {
            if let Some(old) = order.pop_front() {
                owners.remove(&old);
            }
        }
    }

    /// Whether `jkt` may use `session`: it opened it, or the session is
    /// not one this layer saw open (the MCP service decides about those).
    pub(crate) fn allows(&self, session: &str, jkt: &str) -> bool {
        match self.inner.lock() {
            Ok(guard) => guard.0.get(session).is_none_or(|owner| owner == jkt),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_belongs_to_the_key_that_opened_it() {
        let owners = SessionOwners::default();
        owners.record("s1", "alice-key");
        assert!(owners.allows("s1", "alice-key"));
        assert!(!owners.allows("s1", "mallory-key"));
        assert!(owners.allows("unknown", "mallory-key"));
    }
}
