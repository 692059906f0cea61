//! Issued presentation requests: fresh, single-use, expiring nonces, kept
//! in the verifier state (so a request issued by one replica is answered
//! at another, and a used nonce stays used across a restart).
//!
//! A nonce is looked up ([`NonceStore::pending`]) when a presentation
//! arrives, and consumed ([`NonceStore::consume`]) only once the holder's
//! signature over that presentation has verified: anyone who sees a nonce
//! cannot burn it with an unsigned or mis-signed presentation. Consuming
//! is one atomic store-once: of concurrent presentations answering one
//! request, on any replica, exactly one gets through.

use crate::{BindingError, VerifyError};
use credence_core::{PresentationRequest, StateError, StateKey, VerifierState};
use std::sync::Arc;

/// How long past its expiry a request (and its used mark) is kept, so a
/// late answer is told "expired" rather than "unknown".
const KEPT_AFTER_EXPIRY_SECS: i64 = 60;

/// The requests this verifier has issued, keyed by nonce (and by `state`
/// for OpenID4VP ones), in the verifier state.
#[derive(Debug, Clone)]
pub(crate) struct NonceStore {
    state: Arc<dyn VerifierState>,
}

fn corrupt(e: serde_json::Error) -> VerifyError {
    StateError::Corrupt(format!("stored request: {e}")).into()
}

impl NonceStore {
    pub fn new(state: Arc<dyn VerifierState>) -> Self {
        Self { state }
    }

    pub fn state(&self) -> &Arc<dyn VerifierState> {
        &self.state
    }

    /// Records `request`. A nonce (or state) already known keeps its
    /// request: registering a request again never revives a used one.
    pub async fn insert(&self, request: &PresentationRequest, now: i64) -> Result<(), StateError> {
        let until = request.expires_at.saturating_add(KEPT_AFTER_EXPIRY_SECS);
        let stored = serde_json::to_vec(request)
            .map_err(|e| StateError::Corrupt(format!("request: {e}")))?;
        let key = StateKey::request(&request.nonce);
        if !self.state.insert_new(&key, &stored, until, now).await? {
            return Ok(());
        }
        if let Some(state) = &request.state {
            let txn = StateKey::transaction(state);
            self.state
                .insert_new(&txn, request.nonce.as_bytes(), until, now)
                .await?;
        }
        Ok(())
    }

    /// The unused, unexpired request with `nonce`; nothing is consumed.
    pub async fn pending(&self, nonce: &str, now: i64) -> Result<PresentationRequest, VerifyError> {
        let stored = self.state.get(&StateKey::request(nonce), now).await?;
        let stored = stored.ok_or_else(|| {
            BindingError::NonceMismatch("the challenge is not a nonce this verifier issued".into())
        })?;
        let request: PresentationRequest = serde_json::from_slice(&stored).map_err(corrupt)?;
        if request.nonce != nonce {
            return Err(StateError::Corrupt("a request stored under another nonce".into()).into());
        }
        if self
            .state
            .get(&StateKey::used_nonce(nonce), now)
            .await?
            .is_some()
        {
            return Err(BindingError::Replay.into());
        }
        if now >= request.expires_at {
            return Err(BindingError::NonceExpired.into());
        }
        Ok(request)
    }

    /// The unused, unexpired OpenID4VP request of transaction `state`;
    /// nothing is consumed.
    pub async fn pending_state(
        &self,
        state: &str,
        now: i64,
    ) -> Result<PresentationRequest, VerifyError> {
        let unknown =
            || BindingError::StateMismatch("no transaction of this verifier has this state".into());
        let nonce = self.state.get(&StateKey::transaction(state), now).await?;
        let nonce = nonce.ok_or_else(unknown)?;
        let nonce = String::from_utf8(nonce)
            .map_err(|_| StateError::Corrupt("a transaction's nonce is not text".into()))?;
        let request = self.pending(&nonce, now).await?;
        if request.state.as_deref() != Some(state) {
            return Err(unknown().into());
        }
        Ok(request)
    }

    /// Marks the nonce used, once: a second call (here or on another
    /// replica) is a replay.
    pub async fn consume(&self, nonce: &str, now: i64) -> Result<(), VerifyError> {
        let request = self.pending(nonce, now).await?;
        let until = request.expires_at.saturating_add(KEPT_AFTER_EXPIRY_SECS);
        let first = self
            .state
            .insert_new(&StateKey::used_nonce(nonce), b"", until, now)
            .await?;
        if !first {
            return Err(BindingError::Replay.into());
        }
        Ok(())
    }
}
