//! The credential inside the presentation: safe mode, a trusted issuer's
//! key (before anything is resolved), its bbs-2023 proof, and what its
//! verified statements say — never the JSON beside them, and never the
//! presentation's own canonicalization of it.

use super::issuer_trust::{trusted_signer, trusted_type};
use super::proofs::{verify_bbs, ProofEnv};
use crate::parse::ProofHeader;
use crate::signed::credential::CredentialStatements;
use crate::signed::graph::Statements;
use crate::signed::paths::PathResolver;
use crate::{ProofTarget, TrustPolicy, TrustedIssuer, VerifyError};
use serde_json::Value;

/// Contexts a credential or presentation may use.
pub(crate) const CONTEXTS: &[&str] = &[
    credence_core::VC_V2_CONTEXT_URL,
    credence_core::CREDENCE_CONTEXT_URL,
];

/// A credential whose proof verified, with what its statements say.
pub(crate) struct ProvenCredential {
    /// Its verified statements, read.
    pub statements: CredentialStatements,
    /// The trusted issuer's policy entry.
    pub issuer: TrustedIssuer,
    /// The policy's name of the type it is trusted for.
    pub credential_type: String,
    /// The BBS presentation header the holder bound the proof to.
    pub presentation_header: Vec<u8>,
    /// The verification method that signed it.
    pub method: String,
}

/// Verifies the embedded credential `document` (whose statements, in safe
/// mode, are `stated`) under `policy`.
pub(crate) async fn verify_credential(
    document: &Value,
    stated: Statements,
    policy: &TrustPolicy,
    env: ProofEnv<'_>,
    paths: &PathResolver,
) -> Result<ProvenCredential, VerifyError> {
    let claimed = CredentialStatements::read(stated)?;
    let header = ProofHeader::parse(document, ProofTarget::Credential)?;
    let issuer = trusted_signer(policy, &claimed, &header)?.clone();
    let (method, proof) = verify_bbs(document, &header, &claimed.issuer, env).await?;
    let statements = CredentialStatements::read(Statements::from_quads(proof.statements))?;
    if statements.issuer != claimed.issuer {
        return Err(VerifyError::bad_proof(
            ProofTarget::Credential,
            "the verified statements name another issuer",
        ));
    }
    let context = document.get("@context").cloned().unwrap_or_default();
    let credential_type = trusted_type(&issuer, &statements, &context, paths, env.loader).await?;
    Ok(ProvenCredential {
        statements,
        issuer,
        credential_type,
        presentation_header: proof.presentation_header,
        method: method.id,
    })
}

/// A derived bbs-2023 credential whose proof verified on its own.
#[derive(Debug, Clone)]
pub struct CredentialProof {
    /// The verification method that signed it.
    pub verification_method: String,
    /// The presentation header bound into the proof.
    pub presentation_header: Vec<u8>,
}

/// Verifies a derived `bbs-2023` credential's proof on its own: the key is
/// resolved with `resolver` from the proof's `verificationMethod`, must be
/// listed for `assertionMethod`, and the BBS proof must verify. No safe
/// mode, trust policy, validity, status or binding: this answers "did this
/// key sign these statements", not "should this credential be accepted"
/// (that is [`crate::Verifier::verify`]).
pub async fn verify_credential_with(
    credential: &Value,
    loader: &ssi::json_ld::ContextLoader,
    resolver: &dyn credence_did::ResolveDid,
) -> Result<CredentialProof, VerifyError> {
    let header = ProofHeader::parse(credential, ProofTarget::Credential)?;
    let signer = credence_did::did_of(&header.method).to_owned();
    let safe = crate::signed::SafeMode::new(loader.clone());
    let env = ProofEnv {
        resolver,
        loader,
        safe: &safe,
        now: chrono::Utc::now(),
    };
    let (method, proof) = verify_bbs(credential, &header, &signer, env).await?;
    Ok(CredentialProof {
        verification_method: method.id,
        presentation_header: proof.presentation_header,
    })
}
