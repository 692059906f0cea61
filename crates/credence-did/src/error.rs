//! Why a DID or one of its keys could not be used.

/// Why a DID or one of its keys could not be used.
///
/// [`DidError::code`] gives each variant a stable, machine-readable name
/// (`resolution_failed`, `key_not_authorized`) that callers can put into
/// rejection reasons and audit records without matching on the variants.
/// The enum is `#[non_exhaustive]`: a `match` outside this crate needs a
/// wildcard arm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DidError {
    /// The DID could not be resolved, or its document is unusable: a
    /// malformed identifier (bad multibase or base64url, unknown
    /// multicodec, truncated or invalid key, a did:jwk that is not a
    /// public JWK), an unsupported method, a failed fetch, or a document
    /// whose `id` is not the DID.
    #[error("could not resolve {did}: {reason}")]
    ResolutionFailed {
        /// The DID.
        did: String,
        /// What went wrong.
        reason: String,
    },
    /// The method is not listed under the proof purpose in its controller's
    /// DID document, or the listing is not one Credence accepts (a method
    /// that is missing, defined twice, named by another `id`, or controlled
    /// by another DID; a purpose that is not a verification relationship).
    #[error("{method} is not authorized for {purpose}")]
    KeyNotAuthorized {
        /// The verification method URL.
        method: String,
        /// The proof purpose.
        purpose: String,
    },
}

impl DidError {
    /// A [`DidError::ResolutionFailed`] for `did`.
    pub fn failed(did: &str, reason: impl ToString) -> Self {
        Self::ResolutionFailed {
            did: did.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// A [`DidError::KeyNotAuthorized`] for `method` and `purpose`.
    pub fn not_authorized(method: &str, purpose: &str) -> Self {
        Self::KeyNotAuthorized {
            method: method.to_owned(),
            purpose: purpose.to_owned(),
        }
    }

    /// The stable name of the error: `"resolution_failed"` or
    /// `"key_not_authorized"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ResolutionFailed { .. } => "resolution_failed",
            Self::KeyNotAuthorized { .. } => "key_not_authorized",
        }
    }
}
