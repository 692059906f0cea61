//! Issued presentation requests: fresh, single-use, expiring nonces.

use crate::VerifyError;
use credence_core::PresentationRequest;
use std::collections::HashMap;
use std::sync::Mutex;

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
    pub fn insert(&self, request: PresentationRequest, now: i64) {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        // Forget requests that expired more than a minute ago.
        map.retain(|_, p| p.request.expires_at + 60 > now);
        map.insert(
            request.nonce.clone(),
            Pending {
                request,
                used: false,
            },
        );
    }

    /// Marks the nonce used and returns its request. Any attempt consumes
    /// the nonce, successful or not.
    pub fn consume(&self, nonce: &str, now: i64) -> Result<PresentationRequest, VerifyError> {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let pending = map.get_mut(nonce).ok_or_else(|| {
            VerifyError::NonceMismatch("the challenge is not a nonce this verifier issued".into())
        })?;
        if pending.used {
            return Err(VerifyError::Replay);
        }
        pending.used = true;
        if now >= pending.request.expires_at {
            return Err(VerifyError::NonceExpired);
        }
        Ok(pending.request.clone())
    }
}
