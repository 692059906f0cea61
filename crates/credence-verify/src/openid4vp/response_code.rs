//! Response codes: the one-time, short-lived subject token an agent
//! exchanges at `/token` for the OpenID4VP transaction it answered
//! (OpenID4VP 1.0 §14.2's fresh secret in the `redirect_uri`). A code
//! stands for one verified presentation; it is redeemed once, only with a
//! DPoP proof by the holder's key, within [`RESPONSE_CODE_TTL_SECS`].
//!
//! Codes live in the verifier state, so the `direct_post` answered by one
//! replica is redeemed at another; redeeming is one atomic take
//! (`GETDEL`): of concurrent redemptions, on any replica, one succeeds.
//! What is stored is what verification established (never raw input); it
//! is minted under the policy in force at redemption, at most
//! [`RESPONSE_CODE_TTL_SECS`] later.

use crate::policy::{NamedClaims, PolicyTypes};
use crate::signed::credential::StatusEntry;
use crate::verified::{VerifiedChain, VerifiedCredential};
use crate::{BindingError, TrustPolicy, VerifiedPresentation, VerifyError};
use chrono::{DateTime, Utc};
use credence_core::{StateError, StateKey, VerifierState};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

/// How long a response code can be redeemed, in seconds.
pub const RESPONSE_CODE_TTL_SECS: i64 = 60;

/// Outstanding response codes, in the verifier state.
#[derive(Clone)]
pub struct ResponseCodes {
    state: Arc<dyn VerifierState>,
}

impl std::fmt::Debug for ResponseCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCodes").finish_non_exhaustive()
    }
}

/// A verified presentation as stored behind its code.
#[derive(Serialize, Deserialize)]
struct Stored {
    holder: String,
    holder_jkt: String,
    credentials: Vec<StoredCredential>,
    verifier: String,
    chain: Option<VerifiedChain>,
    correlation: String,
}

#[derive(Serialize, Deserialize)]
struct StoredCredential {
    query: String,
    issuer: String,
    policy_types: PolicyTypes,
    types: Vec<String>,
    subject: String,
    valid_until: Option<DateTime<Utc>>,
    status: Vec<StatusEntry>,
    claims: NamedClaims,
    disclosed: Map<String, Value>,
    method: String,
}

impl From<&VerifiedPresentation> for Stored {
    fn from(v: &VerifiedPresentation) -> Self {
        let credentials = v
            .credentials
            .iter()
            .map(|c| StoredCredential {
                query: c.query.clone(),
                issuer: c.issuer.clone(),
                policy_types: c.policy_types.clone(),
                types: c.types.clone(),
                subject: c.subject.clone(),
                valid_until: c.valid_until,
                status: c.status.clone(),
                claims: c.claims.clone(),
                disclosed: c.disclosed.clone(),
                method: c.method.clone(),
            })
            .collect();
        Self {
            holder: v.holder.clone(),
            holder_jkt: v.holder_jkt.clone(),
            credentials,
            verifier: v.verifier.clone(),
            chain: v.chain.clone(),
            correlation: v.correlation.clone(),
        }
    }
}

impl Stored {
    fn into_verified(self, policy: Arc<TrustPolicy>) -> VerifiedPresentation {
        let credentials = self
            .credentials
            .into_iter()
            .map(|c| VerifiedCredential {
                query: c.query,
                issuer: c.issuer,
                policy_types: c.policy_types,
                types: c.types,
                subject: c.subject,
                valid_until: c.valid_until,
                status: c.status,
                claims: c.claims,
                disclosed: c.disclosed,
                method: c.method,
            })
            .collect();
        VerifiedPresentation {
            holder: self.holder,
            holder_jkt: self.holder_jkt,
            credentials,
            verifier: self.verifier,
            chain: self.chain,
            correlation: self.correlation,
            policy,
        }
    }
}

fn corrupt(e: serde_json::Error) -> VerifyError {
    StateError::Corrupt(format!("response code: {e}")).into()
}

impl ResponseCodes {
    /// Codes kept in `state` (the verifier's: [`crate::Verifier::state`]).
    pub fn new(state: Arc<dyn VerifierState>) -> Self {
        Self { state }
    }

    /// A fresh 256-bit code for `verified`, redeemable until `now` +
    /// [`RESPONSE_CODE_TTL_SECS`].
    pub async fn issue(
        &self,
        verified: VerifiedPresentation,
        now: i64,
    ) -> Result<String, VerifyError> {
        let stored = serde_json::to_vec(&Stored::from(&verified)).map_err(corrupt)?;
        let code = credence_core::request::fresh_nonce();
        let key = StateKey::response_code(&code);
        let until = now + RESPONSE_CODE_TTL_SECS;
        if !self.state.insert_new(&key, &stored, until, now).await? {
            return Err(BindingError::ResponseCode("a fresh code collided".into()).into());
        }
        Ok(code)
    }

    async fn read(&self, code: &str, now: i64) -> Result<Stored, VerifyError> {
        let stored = self.state.get(&StateKey::response_code(code), now).await?;
        let stored = stored.ok_or_else(unknown)?;
        serde_json::from_slice(&stored).map_err(corrupt)
    }

    /// The holder key thumbprint of an outstanding, unexpired code: what
    /// the DPoP proof of its redemption must be signed with. Nothing is
    /// consumed.
    pub async fn holder_jkt(&self, code: &str, now: i64) -> Result<String, VerifyError> {
        Ok(self.read(code, now).await?.holder_jkt)
    }

    /// Redeems `code` once: the verified presentation it stands for, under
    /// `policy` (the verifier's current one).
    pub async fn redeem(
        &self,
        code: &str,
        policy: Arc<TrustPolicy>,
        now: i64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let taken = self.state.take(&StateKey::response_code(code), now).await?;
        let stored: Stored =
            serde_json::from_slice(&taken.ok_or_else(unknown)?).map_err(corrupt)?;
        still_trusted(&stored, &policy)?;
        Ok(stored.into_verified(policy))
    }
}

/// Every credential's issuer is still trusted, by `policy`, for every
/// type it was trusted as when verified: the facts were established
/// under the policy of the verifying replica, the scopes are mapped under
/// the redeeming one's.
fn still_trusted(stored: &Stored, policy: &TrustPolicy) -> Result<(), VerifyError> {
    for c in &stored.credentials {
        let issuer = policy.issuers.iter().find(|i| i.did == c.issuer);
        let trusted = issuer.is_some_and(|i| {
            c.policy_types
                .iter()
                .all(|t| i.credential_types.contains(t))
        });
        if !trusted {
            return Err(BindingError::ResponseCode(format!(
                "the trust policy changed since the presentation was verified ({} is no longer trusted for {:?}); present again",
                c.issuer, c.policy_types
            ))
            .into());
        }
    }
    Ok(())
}

fn unknown() -> BindingError {
    BindingError::ResponseCode("unknown, expired or already used".into())
}
