//! The token service: mints scoped access tokens (RFC 9068, EdDSA, bound
//! to the agent's key) from verified presentations, exchanges them for
//! per-step tokens, introspects (RFC 7662) and revokes (RFC 7009) them.
//! It is separate from verification: verifying needs no signing key.

mod introspect;
mod keys;
mod lineage;
mod mint;
mod redeem;
mod step;

pub use keys::{KeyRing, KeySetError, TokenKey, KEY_RETIREMENT_SECS};
pub use step::{StepRequest, STEP_TOKEN_TTL_SECS};

use crate::checks::proofs::ProofEnv;
use crate::status_list::StatusLists;
use crate::{Verifier, VerifyError};
use credence_core::{AccessTokenClaims, AuditRecord, AuditSink, Clock};
use credence_did::ResolveDid;
use lineage::Lineage;
use serde_json::{json, Value};
use ssi::jwk::Algorithm;
use ssi::JWK;
use std::sync::{Arc, RwLock};

/// A minted token with its decoded claims.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: String,
    /// Its claims.
    pub claims: AccessTokenClaims,
}

/// How introspection re-checks the status a token depends on: the
/// verifier's status lists and resolver.
struct StatusSource {
    lists: Arc<StatusLists>,
    /// The IETF Token Status Lists of SD-JWT VC issuers.
    token_lists: Arc<crate::sd_jwt::status::TokenStatusLists>,
    resolver: Arc<dyn ResolveDid>,
    safe: Arc<crate::signed::SafeMode>,
}

/// Mints and manages the tokens of one verifier.
pub struct TokenIssuer {
    id: String,
    keys: RwLock<Arc<KeyRing>>,
    clock: Arc<dyn Clock>,
    lineage: Lineage,
    status: StatusSource,
    audit: Option<Arc<dyn AuditSink>>,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// The token service of `verifier` (its identifier is the tokens'
    /// `iss`; its clock, state, status lists and audit sink are shared), signing
    /// with `signing_key` (an Ed25519 JWK with its private part).
    pub fn new(verifier: &Verifier, signing_key: JWK) -> Self {
        Self::with_keys(verifier, KeyRing::single(signing_key))
    }

    /// As [`TokenIssuer::new`], signing with the keys of `ring` (rotation:
    /// replicas load the same ring from a shared key directory).
    pub fn with_keys(verifier: &Verifier, ring: KeyRing) -> Self {
        Self {
            id: verifier.id.clone(),
            keys: RwLock::new(Arc::new(ring)),
            clock: verifier.clock.clone(),
            lineage: Lineage::new(verifier.state().clone()),
            status: StatusSource {
                lists: verifier.status.clone(),
                token_lists: verifier.token_status.clone(),
                resolver: verifier.resolver.clone(),
                safe: verifier.safe.clone(),
            },
            audit: verifier.audit.clone(),
        }
    }

    /// This service's identifier (`iss` of its tokens).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Replaces the key ring (a rotation seen in the key directory);
    /// tokens being signed finish with the ring they started with. A ring
    /// whose signing key is older than the one signing now is refused:
    /// signing never goes back to a retired key.
    pub fn set_keys(&self, ring: KeyRing) -> Result<(), KeySetError> {
        let now = self.clock.now().timestamp();
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        let (current, next) = (keys.signing(now), ring.signing(now));
        if next.activates_at < current.activates_at {
            return Err(KeySetError::OlderSigningKey {
                refused: next.kid(),
                signing: current.kid(),
            });
        }
        *keys = Arc::new(ring);
        Ok(())
    }

    pub(crate) fn ring(&self) -> Arc<KeyRing> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The public keys of every live token key, as a JWKS document: the
    /// signing key, one added and not yet signing, ones retiring.
    pub fn jwks(&self) -> Value {
        let now = self.clock.now().timestamp();
        let keys: Vec<JWK> = self
            .ring()
            .live(now)
            .into_iter()
            .map(|k| {
                let mut public = k.jwk.to_public();
                public.key_id = Some(k.kid());
                public.algorithm = Some(Algorithm::EdDSA);
                public
            })
            .collect();
        json!({ "keys": keys })
    }

    /// The public key that signs this service's tokens now.
    pub fn token_key(&self) -> JWK {
        let now = self.clock.now().timestamp();
        self.ring().signing(now).jwk.to_public()
    }

    /// Verifies a presentation with `verifier` and mints a token for
    /// `audience` in one step.
    pub async fn exchange(
        &self,
        verifier: &Verifier,
        vp: &Value,
        audience: &str,
    ) -> Result<IssuedToken, VerifyError> {
        let verified = verifier.verify_presentation(vp).await?;
        self.mint(verified, audience).await
    }

    fn env(&self) -> ProofEnv<'_> {
        ProofEnv {
            resolver: self.status.resolver.as_ref(),
            safe: &self.status.safe,
            now: self.clock.now(),
        }
    }

    fn record(&self, record: AuditRecord) -> Result<(), VerifyError> {
        match &self.audit {
            Some(sink) => sink
                .append(record)
                .map_err(|e| VerifyError::AuditFailed(e.to_string())),
            None => Ok(()),
        }
    }

    /// Records `outcome` of `action` and passes it through; a decision that
    /// cannot be recorded is refused.
    fn audited<T>(
        &self,
        outcome: Result<T, VerifyError>,
        action: &str,
        actor: &str,
        (principal, chain): (Option<&str>, Vec<String>),
        correlation: &str,
    ) -> Result<T, VerifyError> {
        let (decision, reason) = match &outcome {
            Ok(_) => ("allow", None),
            Err(e) => ("deny", Some(format!("{}: {e}", e.code()))),
        };
        let mut record = AuditRecord::new(actor, action, decision, correlation);
        record.principal = principal.map(str::to_owned);
        record.chain = chain;
        record.reason = reason;
        let logged = self.record(record);
        let value = outcome?;
        logged.map(|()| value)
    }
}
