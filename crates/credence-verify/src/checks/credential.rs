//! A credential inside the presentation: a trusted issuer's key (before
//! anything is resolved), a securing mechanism the issuer's entry allows
//! (a derived bbs-2023 proof, or a whole-document eddsa-rdfc-2022 or
//! ecdsa-rdfc-2019 proof), and what its verified statements say — never
//! the JSON beside them, and never the presentation's canonicalization
//! of it.

use super::issuer_trust::{allowed_format, trusted_signer, trusted_types};
use super::proofs::{verify_bbs, verify_rdfc, ProofEnv, RdfcSuite};
use crate::parse::ProofHeader;
use crate::policy::PolicyTypes;
use crate::runtime::Runtime;
use crate::signed::credential::CredentialStatements;
use crate::signed::graph::Statements;
use crate::{ProofTarget, TrustedIssuer, VerifyError};
use serde_json::Value;

/// A credential whose proof verified, with what its statements say.
pub(crate) struct ProvenCredential {
    /// Its verified statements, read.
    pub statements: CredentialStatements,
    /// The trusted issuer's policy entry.
    pub issuer: TrustedIssuer,
    /// The policy type names it is trusted as.
    pub types: PolicyTypes,
    /// The type IRIs its issuer is trusted for.
    pub trusted_iris: std::collections::BTreeSet<String>,
    /// The BBS presentation header the holder bound the proof to (bbs-2023
    /// only).
    pub presentation_header: Option<Vec<u8>>,
    /// The verification method that signed it.
    pub method: String,
}

/// Verifies the embedded credential `document` (whose statements, in safe
/// mode, are `stated`) under the runtime's policy.
pub(crate) async fn verify_credential(
    document: &Value,
    stated: Statements,
    rt: &Runtime,
    env: ProofEnv<'_>,
) -> Result<ProvenCredential, VerifyError> {
    let claimed = CredentialStatements::read(stated)?;
    let header = ProofHeader::parse(document, ProofTarget::Credential)?;
    let issuer = trusted_signer(&rt.policy, &claimed, &header)?.clone();
    allowed_format(&issuer, &header)?;
    let (method, statements, presentation_header) = match RdfcSuite::named(&header.suite) {
        // One signature over the whole document: its statements are the
        // ones safe mode read from it on its own.
        Some(suite) => {
            let method = verify_rdfc(
                document,
                &header,
                suite,
                &claimed.issuer,
                "assertionMethod",
                env,
            )
            .await?;
            (method, claimed, None)
        }
        None => {
            let (method, proof) = verify_bbs(document, &header, &claimed.issuer, env).await?;
            let statements = CredentialStatements::read(Statements::from_quads(proof.statements))?;
            if statements.issuer != claimed.issuer {
                return Err(VerifyError::bad_proof(
                    ProofTarget::Credential,
                    "the verified statements name another issuer",
                ));
            }
            (method, statements, Some(proof.presentation_header))
        }
    };
    let context = document.get("@context").cloned().unwrap_or_default();
    let trusted = trusted_types(&issuer, &statements, &context, rt).await?;
    Ok(ProvenCredential {
        statements,
        issuer,
        types: trusted.names,
        trusted_iris: trusted.iris,
        presentation_header,
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
        safe: &safe,
        now: chrono::Utc::now(),
    };
    let (method, proof) = verify_bbs(credential, &header, &signer, env).await?;
    Ok(CredentialProof {
        verification_method: method.id,
        presentation_header: proof.presentation_header,
    })
}
