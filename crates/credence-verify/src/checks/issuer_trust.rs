//! Issuer trust: before anything of a credential is resolved or fetched,
//! the issuer it states is a trusted issuer and its proof names that
//! issuer's key, with a cryptosuite its entry allows; once verified, the
//! issuer is trusted for one of the credential's types (matched on
//! expanded IRIs).

use crate::parse::ProofHeader;
use crate::policy::PolicyTypes;
use crate::runtime::Runtime;
use crate::signed::credential::CredentialStatements;
use crate::{TrustError, TrustPolicy, TrustedIssuer, VerifyError};
use credence_did::did_of;
use serde_json::Value;
use std::collections::BTreeSet;

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

/// The issuer's entry allows the proof's cryptosuite (`formats`).
pub(crate) fn allowed_format(
    issuer: &TrustedIssuer,
    header: &ProofHeader,
) -> Result<(), TrustError> {
    if issuer.formats.iter().any(|f| f == &header.suite) {
        return Ok(());
    }
    Err(TrustError::FormatNotAllowed {
        issuer: issuer.did.clone(),
        format: header.suite.clone(),
    })
}

/// The type IRIs the issuer is trusted for among the credential's, and the
/// policy type names the credential is trusted as (every name the policy
/// uses for one of those IRIs).
pub(crate) struct TrustedTypes {
    /// IRIs.
    pub iris: BTreeSet<String>,
    /// Policy names.
    pub names: PolicyTypes,
}

/// The issuer's trusted types whose IRIs (in the credential's own contexts)
/// are among its types, and the policy names for them. None → the issuer
/// is not trusted for this credential.
pub(crate) async fn trusted_types(
    issuer: &TrustedIssuer,
    credential: &CredentialStatements,
    context: &Value,
    rt: &Runtime,
) -> Result<TrustedTypes, TrustError> {
    let mut trusted = BTreeSet::new();
    for name in &issuer.credential_types {
        if let Some(iri) = rt.paths.resolve_type(context, name, &rt.loader).await {
            if credential.has_type(&iri) {
                trusted.insert(iri);
            }
        }
    }
    if trusted.is_empty() {
        let shown = credential
            .types
            .iter()
            .find(|t| !t.ends_with("#VerifiableCredential"))
            .cloned()
            .unwrap_or_else(|| "VerifiableCredential".into());
        return Err(TrustError::UntrustedIssuer {
            issuer: issuer.did.clone(),
            credential_type: shown,
        });
    }
    let mut names = PolicyTypes::new();
    for name in rt.policy.type_names() {
        let iri = rt.paths.resolve_type(context, name, &rt.loader).await;
        if iri.is_some_and(|i| trusted.contains(&i)) {
            names.insert(name.to_owned());
        }
    }
    Ok(TrustedTypes {
        iris: trusted,
        names,
    })
}
