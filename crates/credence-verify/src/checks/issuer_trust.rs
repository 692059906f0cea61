//! Issuer trust: before anything of a credential is resolved or fetched,
//! the issuer it states is a trusted issuer and its proof names that
//! issuer's key; once verified, the issuer is trusted for one of the
//! credential's types (matched on expanded IRIs).

use crate::parse::ProofHeader;
use crate::signed::credential::CredentialStatements;
use crate::signed::paths::PathResolver;
use crate::{TrustError, TrustPolicy, TrustedIssuer, VerifyError};
use credence_did::did_of;
use serde_json::Value;
use ssi::json_ld::ContextLoader;

/// The trusted issuer the credential states, whose key the proof names.
pub(crate) fn trusted_signer<'p>(
    policy: &'p TrustPolicy,
    claimed: &CredentialStatements,
    header: &ProofHeader,
) -> Result<&'p TrustedIssuer, VerifyError> {
    let issuer = policy
        .issuer(&claimed.issuer)
        .ok_or_else(|| TrustError::UntrustedIssuer {
            issuer: claimed.issuer.clone(),
            credential_type: "any credential type".into(),
        })?;
    if did_of(&header.method) != claimed.issuer {
        return Err(VerifyError::bad_proof(
            header.target,
            format!(
                "signed by {}, not by the issuer {}",
                header.method, claimed.issuer
            ),
        ));
    }
    Ok(issuer)
}

/// The first of the issuer's trusted type names whose IRI (in the
/// credential's own contexts) is among the credential's types.
pub(crate) async fn trusted_type(
    issuer: &TrustedIssuer,
    credential: &CredentialStatements,
    context: &Value,
    paths: &PathResolver,
    loader: &ContextLoader,
) -> Result<String, TrustError> {
    for name in &issuer.credential_types {
        if let Some(iri) = paths.resolve_type(context, name, loader).await {
            if credential.has_type(&iri) {
                return Ok(name.clone());
            }
        }
    }
    let shown = credential
        .types
        .iter()
        .find(|t| !t.ends_with("#VerifiableCredential"))
        .cloned()
        .unwrap_or_else(|| "VerifiableCredential".into());
    Err(TrustError::UntrustedIssuer {
        issuer: issuer.did.clone(),
        credential_type: shown,
    })
}
