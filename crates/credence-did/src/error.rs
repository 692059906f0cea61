//! Why a DID or one of its keys could not be used.

/// Why a DID or one of its keys could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidError {
    /// The DID could not be resolved, or its document is unusable.
    #[error("could not resolve {did}: {reason}")]
    ResolutionFailed {
        /// The DID.
        did: String,
        /// What went wrong.
        reason: String,
    },
    /// The method is not listed under the proof purpose in its controller's
    /// DID document.
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
}
