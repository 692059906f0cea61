//! The token service: mints scoped access tokens (RFC 9068, EdDSA, bound
//! to the agent's key) from verified presentations, exchanges them for
//! per-step tokens, introspects (RFC 7662) and revokes (RFC 7009) them.
//! It is separate from verification: verifying needs no signing key.

mod introspect;
mod lineage;
mod mint;
mod redeem;
mod step;

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
use std::sync::Arc;

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
    signing_key: JWK,
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
        Self {
            id: verifier.id.clone(),
            signing_key,
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

    /// The public key tokens are signed with, as a JWKS document.
    pub fn jwks(&self) -> Value {
        let mut public = self.signing_key.to_public();
        public.key_id = self.signing_key.thumbprint().ok();
        public.algorithm = Some(Algorithm::EdDSA);
        json!({ "keys": [public] })
    }

    /// The public verification key of this service's tokens.
    pub fn token_key(&self) -> JWK {
        self.signing_key.to_public()
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
