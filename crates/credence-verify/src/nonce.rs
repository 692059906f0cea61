//! Issued presentation requests: fresh, single-use, expiring nonces.
//!
//! A nonce is looked up ([`NonceStore::pending`]) when a presentation
//! arrives, and consumed ([`NonceStore::consume`]) only once the holder's
//! signature over that presentation has verified: anyone who sees a nonce
//! cannot burn it with an unsigned or mis-signed presentation. Consuming
//! is atomic: of concurrent presentations answering one request, exactly
//! one gets through.

use crate::BindingError;
use credence_core::PresentationRequest;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

struct Pending {
    request: PresentationRequest,
    used: bool,
}

#[derive(Default)]
struct Requests {
    by_nonce: HashMap<String, Pending>,
    /// OpenID4VP transactions: `state` → nonce.
    by_state: HashMap<String, String>,
}

/// The requests this verifier has issued, keyed by nonce (and by `state`
/// for OpenID4VP ones). In memory: a verifier restart invalidates
/// outstanding requests (fail closed).
#[derive(Default)]
pub(crate) struct NonceStore {
    pending: Mutex<Requests>,
}

impl NonceStore {
    fn lock(&self) -> MutexGuard<'_, Requests> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, request: PresentationRequest, now: i64) {
        let mut map = self.lock();
        // Forget requests that expired more than a minute ago.
        map.by_nonce.retain(|_, p| p.request.expires_at + 60 > now);
        let Requests { by_nonce, by_state } = &mut *map;
        by_state.retain(|_, nonce| by_nonce.contains_key(nonce));
        // A nonce (or state) already known keeps its request: registering
        // a request again never revives a used one.
        if let Some(state) = &request.state {
            if by_state.contains_key(state) || by_nonce.contains_key(&request.nonce) {
                return;
            }
            by_state.insert(state.clone(), request.nonce.clone());
        }
        by_nonce.entry(request.nonce.clone()).or_insert(Pending {
            request,
            used: false,
        });
    }

    /// The unused, unexpired request with `nonce`; nothing is consumed.
    pub fn pending(&self, nonce: &str, now: i64) -> Result<PresentationRequest, BindingError> {
        let map = self.lock();
        let pending = usable(map.by_nonce.get(nonce), now)?;
        Ok(pending.request.clone())
    }

    /// The unused, unexpired OpenID4VP request of transaction `state`;
    /// nothing is consumed.
    pub fn pending_state(
        &self,
        state: &str,
        now: i64,
    ) -> Result<PresentationRequest, BindingError> {
        let map = self.lock();
        let nonce = map.by_state.get(state).ok_or_else(|| {
            BindingError::StateMismatch("no transaction of this verifier has this state".into())
        })?;
        let pending = usable(map.by_nonce.get(nonce), now)?;
        Ok(pending.request.clone())
    }

    /// Marks the nonce used, once: a second call is a replay.
    pub fn consume(&self, nonce: &str, now: i64) -> Result<(), BindingError> {
        let mut map = self.lock();
        usable(map.by_nonce.get(nonce), now)?;
        if let Some(pending) = map.by_nonce.get_mut(nonce) {
            pending.used = true;
        }
        Ok(())
    }
}

/// A known, unused, unexpired request.
fn usable(pending: Option<&Pending>, now: i64) -> Result<&Pending, BindingError> {
    let pending = pending.ok_or_else(|| {
        BindingError::NonceMismatch("the challenge is not a nonce this verifier issued".into())
    })?;
    if pending.used {
        return Err(BindingError::Replay);
    }
    if now >= pending.request.expires_at {
        return Err(BindingError::NonceExpired);
    }
    Ok(pending)
}
