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

/// The requests this verifier has issued, keyed by nonce. In memory: a
/// verifier restart invalidates outstanding requests (fail closed).
#[derive(Default)]
pub(crate) struct NonceStore {
    pending: Mutex<HashMap<String, Pending>>,
}

impl NonceStore {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, request: PresentationRequest, now: i64) {
        let mut map = self.lock();
        // Forget requests that expired more than a minute ago.
        map.retain(|_, p| p.request.expires_at + 60 > now);
        // A nonce already known keeps its state: registering a request
        // again never revives a used one.
        map.entry(request.nonce.clone()).or_insert(Pending {
            request,
            used: false,
        });
    }

    /// The unused, unexpired request with `nonce`; nothing is consumed.
    pub fn pending(&self, nonce: &str, now: i64) -> Result<PresentationRequest, BindingError> {
        let map = self.lock();
        let pending = usable(map.get(nonce), now)?;
        Ok(pending.request.clone())
    }

    /// Marks the nonce used, once: a second call is a replay.
    pub fn consume(&self, nonce: &str, now: i64) -> Result<(), BindingError> {
        let mut map = self.lock();
        usable(map.get(nonce), now)?;
        if let Some(pending) = map.get_mut(nonce) {
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
