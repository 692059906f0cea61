//! The issuer of an SD-JWT VC: trusted by the policy for SD-JWT and for
//! the credential's `vct`, and its signing key one its DID authorizes for
//! `assertionMethod` (the header `kid`, a DID URL of the issuer).

use crate::policy::PolicyTypes;
use crate::{TrustError, TrustedIssuer, VerifyError};
use credence_core::{built_in_vct, DC_SD_JWT};
use credence_did::{absolute, authorized_method, did_of, ResolveDid};
use ssi::JWK;

/// The issuer's entry, if it is trusted for SD-JWT VCs.
pub(crate) fn trusted_for_sd_jwt<'p>(
    policy: &'p crate::TrustPolicy,
    iss: &str,
) -> Result<&'p TrustedIssuer, TrustError> {
    let issuer = policy
        .issuer(iss)
        .ok_or_else(|| TrustError::UntrustedIssuer {
            issuer: iss.to_owned(),
            credential_type: "any credential type".into(),
        })?;
    if !issuer.formats.iter().any(|f| f == DC_SD_JWT) {
        return Err(TrustError::FormatNotAllowed {
            issuer: iss.to_owned(),
            format: DC_SD_JWT.into(),
        });
    }
    Ok(issuer)
}

/// The key of `kid`, which must name a method of the issuer `iss`
/// authorized for `assertionMethod` (a fragment-only `kid` is taken
/// relative to `iss`).
pub(crate) async fn issuer_key(
    resolver: &dyn ResolveDid,
    iss: &str,
    kid: Option<&str>,
) -> Result<(String, JWK), VerifyError> {
    let kid = kid.ok_or_else(|| {
        VerifyError::SdJwt(credence_sdjwt::SdJwtError::Malformed(
            "the issuer-signed JWT has no kid".into(),
        ))
    })?;
    let method = absolute(kid, iss).ok_or_else(|| {
        VerifyError::bad_proof(
            crate::ProofTarget::Credential,
            format!("kid {kid} names no method of {iss}"),
        )
    })?;
    if did_of(&method) != iss {
        return Err(VerifyError::bad_proof(
            crate::ProofTarget::Credential,
            format!("signed with {method}, not a key of the issuer {iss}"),
        ));
    }
    let authorized = authorized_method(resolver, &method, "assertionMethod").await?;
    Ok((method, authorized.jwk()?))
}

/// The policy's names the credential is trusted as: those of the issuer's
/// `credential_types` that are the `vct` itself or stand for it
/// (Credence's own types, [`built_in_vct`]), with every other policy type
/// name that does.
pub(crate) fn trusted_vct(
    issuer: &TrustedIssuer,
    policy: &crate::TrustPolicy,
    vct: &str,
) -> Result<PolicyTypes, TrustError> {
    let names_vct = |name: &str| name == vct || built_in_vct(name) == Some(vct);
    if !issuer.credential_types.iter().any(|t| names_vct(t)) {
        return Err(TrustError::UntrustedIssuer {
            issuer: issuer.did.clone(),
            credential_type: vct.to_owned(),
        });
    }
    Ok(policy
        .type_names()
        .into_iter()
        .filter(|name| names_vct(name))
        .map(str::to_owned)
        .collect())
}
