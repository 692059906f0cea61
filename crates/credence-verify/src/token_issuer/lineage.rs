//! What the token service remembers of the tokens it minted: each live
//! token's audience, expiry and what it depends on (status entries, the
//! token it was exchanged from), and the revoked ones. In memory: after a
//! restart no earlier token is this service's (introspection reports them
//! inactive — fail closed).

use crate::signed::credential::StatusEntry;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// What a minted token depends on, for introspection's cascade.
#[derive(Debug, Clone)]
pub(crate) struct Minted {
    /// The token's audience.
    pub aud: String,
    /// Its expiry.
    pub exp: i64,
    /// The credentials' and the delegation links' status entries, each
    /// with the org whose list it points into.
    pub status: Vec<(String, StatusEntry)>,
    /// The token it was exchanged from: `(jti, exp)`.
    pub parent: Option<(String, i64)>,
}

/// Live and revoked tokens, each forgotten once it would have expired.
#[derive(Debug, Default)]
pub(crate) struct Lineage {
    minted: Mutex<HashMap<String, Minted>>,
    revoked: Mutex<HashMap<String, i64>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Lineage {
    pub fn record(&self, jti: &str, minted: Minted, now: i64) {
        let mut map = lock(&self.minted);
        map.retain(|_, m| m.exp > now);
        map.insert(jti.to_owned(), minted);
    }

    pub fn get(&self, jti: &str) -> Option<Minted> {
        lock(&self.minted).get(jti).cloned()
    }

    pub fn revoke(&self, jti: &str, exp: i64, now: i64) {
        let mut map = lock(&self.revoked);
        map.retain(|_, exp| *exp > now);
        map.insert(jti.to_owned(), exp);
    }

    pub fn is_revoked(&self, jti: &str, now: i64) -> bool {
        lock(&self.revoked).get(jti).is_some_and(|exp| *exp > now)
    }
}
