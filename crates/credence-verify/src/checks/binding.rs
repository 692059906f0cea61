//! Bindings: the presentation answers one of this verifier's requests
//! (the challenge is a pending nonce, the domain is this verifier), and
//! the credential's BBS proof is bound to that same nonce.

use crate::nonce::NonceStore;
use crate::parse::ProofHeader;
use crate::BindingError;
use credence_core::PresentationRequest;

/// The pending request the presentation's challenge names (not consumed).
pub(crate) async fn pending_request(
    nonces: &NonceStore,
    header: &ProofHeader,
    now: i64,
) -> Result<(String, PresentationRequest), crate::VerifyError> {
    let challenge = header.challenge.clone().ok_or_else(|| {
        BindingError::NonceMismatch("the presentation proof has no challenge".into())
    })?;
    let request = nonces.pending(&challenge, now).await?;
    Ok((challenge, request))
}

/// The presentation's `domain` is the request's client id, and that is
/// one of this verifier's (`own`: its id, its OpenID4VP client id).
pub(crate) fn domain(
    header: &ProofHeader,
    request: &PresentationRequest,
    own: &[String],
) -> Result<(), BindingError> {
    let found = header.domain.clone().unwrap_or_default();
    if found != request.client_id || !own.contains(&request.client_id) {
        return Err(BindingError::DomainMismatch {
            expected: request.client_id.clone(),
            found,
        });
    }
    Ok(())
}

/// A bbs-2023 credential's presentation header: empty is accepted (the
/// holder's signature over the presentation binds the nonce, and the
/// subject is that holder) unless the issuer's entry requires a header;
/// a non-empty header must be the nonce.
pub(crate) fn presentation_header(
    header: &[u8],
    challenge: &str,
    required: bool,
) -> Result<(), BindingError> {
    if header.is_empty() && !required {
        return Ok(());
    }
    if header != challenge.as_bytes() {
        return Err(BindingError::NonceMismatch(if header.is_empty() {
            "the issuer's policy requires the credential proof to be bound to the nonce (presentation header)".into()
        } else {
            "the credential proof is bound to another presentation header".into()
        }));
    }
    Ok(())
}
