//! What the token service remembers of the tokens it minted, in the
//! verifier state (shared by replicas, kept across restarts): each live
//! token's audience, expiry and what it depends on (status entries, the
//! token it was exchanged from), the revoked ones, and the DPoP proofs
//! already seen. Every record expires with its token (or proof window).

use crate::signed::credential::StatusEntry;
use credence_core::{StateError, StateKey, VerifierState};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a minted token depends on, for introspection's cascade.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// Live and revoked tokens and seen proofs, over the verifier state.
#[derive(Debug, Clone)]
pub(crate) struct Lineage {
    state: Arc<dyn VerifierState>,
}

impl Lineage {
    pub fn new(state: Arc<dyn VerifierState>) -> Self {
        Self { state }
    }

    pub async fn record(&self, jti: &str, minted: &Minted, now: i64) -> Result<(), StateError> {
        let stored = serde_json::to_vec(minted)
            .map_err(|e| StateError::Corrupt(format!("token record: {e}")))?;
        let key = StateKey::minted(jti);
        if !self
            .state
            .insert_new(&key, &stored, minted.exp, now)
            .await?
        {
            return Err(StateError::Corrupt(format!("token id {jti} minted twice")));
        }
        Ok(())
    }

    pub async fn get(&self, jti: &str, now: i64) -> Result<Option<Minted>, StateError> {
        let Some(stored) = self.state.get(&StateKey::minted(jti), now).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&stored)
            .map(Some)
            .map_err(|e| StateError::Corrupt(format!("token record: {e}")))
    }

    /// Marks the token revoked and forgets its record: without the
    /// record it is inactive on every replica whatever their clocks say.
    pub async fn revoke(&self, jti: &str, exp: i64, now: i64) -> Result<(), StateError> {
        let until = credence_core::state::replay_mark_until(exp);
        self.state
            .put(&StateKey::revoked(jti), b"", until, now)
            .await?;
        self.state
            .take(&StateKey::minted(jti), now)
            .await
            .map(|_| ())
    }

    pub async fn is_revoked(&self, jti: &str, now: i64) -> Result<bool, StateError> {
        Ok(self
            .state
            .get(&StateKey::revoked(jti), now)
            .await?
            .is_some())
    }

    /// Records a DPoP proof's `jti` until `expires`: false when it was
    /// already seen (a replay), on any replica.
    pub async fn first_use(&self, jti: &str, expires: i64, now: i64) -> Result<bool, StateError> {
        let until = credence_core::state::replay_mark_until(expires);
        self.state
            .insert_new(&StateKey::dpop_jti(jti), b"", until, now)
            .await
    }
}
