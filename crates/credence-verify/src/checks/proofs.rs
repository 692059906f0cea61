//! The one Data Integrity verification path, for every proof the verifier
//! checks (presentations, credentials, delegation links, status lists):
//! the suite is the expected one, the key belongs to the expected signer
//! (checked before anything is resolved), the purpose is the expected one,
//! the proof's own times hold, the signer's DID is resolved once, the key
//! is listed under the purpose's relationship in that document, and the
//! signature verifies.

use super::rdfc::verify_rdfc_signature;
pub(crate) use super::rdfc::RdfcSuite;
use crate::keys::bbs_key;
use crate::parse::ProofHeader;
use crate::{BindingError, VerifyError};
use chrono::{DateTime, Duration, Utc};
use credence_bbs2023::{verify_derived_using, Bbs2023Error, BbsEngine, VerifiedDerivedProof};
use credence_core::MAX_CLOCK_SKEW_SECS;
use credence_did::{authorized_in, did_of, AuthorizedMethod, DidError, ResolveDid};
use serde_json::Value;

/// What every proof check needs.
#[derive(Clone, Copy)]
pub(crate) struct ProofEnv<'a> {
    /// Resolves the signer's DID.
    pub resolver: &'a dyn ResolveDid,
    /// JSON-LD safe mode with the trusted contexts: documents fetched on
    /// the way (status lists) pass it, and every proof's canonical form is
    /// computed from its processed contexts.
    pub safe: &'a crate::signed::SafeMode,
    /// The verifier's clock reading for this decision.
    pub now: DateTime<Utc>,
}

impl<'a> ProofEnv<'a> {
    /// The same environment resolving with `resolver`.
    pub fn with_resolver(self, resolver: &'a dyn ResolveDid) -> Self {
        Self { resolver, ..self }
    }
}

/// The header claims this suite, this signer and this purpose, and its
/// times hold at `now`. Nothing is resolved.
pub(crate) fn check_header(
    header: &ProofHeader,
    suite: &str,
    signer: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(), VerifyError> {
    if header.suite != suite {
        return Err(VerifyError::bad_proof(
            header.target,
            format!("cryptosuite must be {suite}, not {}", header.suite),
        ));
    }
    if did_of(&header.method) != signer {
        return Err(VerifyError::bad_proof(
            header.target,
            format!("signed by {}, not by {signer}", header.method),
        ));
    }
    if header.purpose != purpose {
        return Err(DidError::KeyNotAuthorized {
            method: header.method.clone(),
            purpose: purpose.to_owned(),
        }
        .into());
    }
    check_times(header, now)?;
    Ok(())
}

/// A proof's own `expires` has not passed, and its `created` is not in the
/// future beyond the clock skew (ssi checks neither).
pub(crate) fn check_times(header: &ProofHeader, now: DateTime<Utc>) -> Result<(), BindingError> {
    if let Some(expires) = header.expires {
        if now >= expires {
            return Err(BindingError::ProofExpired(expires.to_rfc3339()));
        }
    }
    if let Some(created) = header.created {
        if created > now + Duration::seconds(MAX_CLOCK_SKEW_SECS) {
            return Err(BindingError::ProofFromFuture(created.to_rfc3339()));
        }
    }
    Ok(())
}

/// Resolves the signer once and checks its document lists the key under
/// `purpose`; returns the document and the method.
async fn authorized(
    header: &ProofHeader,
    signer: &str,
    purpose: &str,
    env: ProofEnv<'_>,
) -> Result<(Value, AuthorizedMethod), VerifyError> {
    let controller = env.resolver.resolve_did(signer).await?;
    let method = authorized_in(&controller, &header.method, purpose)?;
    Ok((controller, method))
}

/// Verifies an `eddsa-rdfc-2022` proof of `document` by `signer` for
/// `purpose`; returns the authorized method.
pub(crate) async fn verify_eddsa(
    document: &Value,
    header: &ProofHeader,
    signer: &str,
    purpose: &str,
    env: ProofEnv<'_>,
) -> Result<AuthorizedMethod, VerifyError> {
    verify_rdfc(document, header, RdfcSuite::Eddsa2022, signer, purpose, env).await
}

/// Verifies a `suite` proof of `document` by `signer` for `purpose`;
/// returns the authorized method.
pub(crate) async fn verify_rdfc(
    document: &Value,
    header: &ProofHeader,
    suite: RdfcSuite,
    signer: &str,
    purpose: &str,
    env: ProofEnv<'_>,
) -> Result<AuthorizedMethod, VerifyError> {
    check_header(header, suite.name(), signer, purpose, env.now)?;
    let (_, method) = authorized(header, signer, purpose, env).await?;
    verify_rdfc_signature(document, suite, &method, env.safe)
        .await
        .map_err(|e| VerifyError::bad_proof(header.target, e))?;
    Ok(method)
}

/// Verifies a derived `bbs-2023` proof of `document` by `signer` (for
/// `assertionMethod`); returns the method and what the proof established,
/// its verified statements included.
pub(crate) async fn verify_bbs(
    document: &Value,
    header: &ProofHeader,
    signer: &str,
    env: ProofEnv<'_>,
) -> Result<(AuthorizedMethod, VerifiedDerivedProof), VerifyError> {
    check_header(header, "bbs-2023", signer, "assertionMethod", env.now)?;
    let (_, method) = authorized(header, signer, "assertionMethod", env).await?;
    let key = bbs_key(&method)?;
    let verified = verify_derived_using(document, &key, env.safe, BbsEngine::default())
        .await
        .map_err(|e| match e {
            Bbs2023Error::JsonLd(m) => crate::ParseError::Malformed(m).into(),
            other => VerifyError::bad_proof(header.target, other),
        })?;
    Ok((method, verified))
}
