//! Errors of the issuer role.

use credence_bbs2023::Bbs2023Error;

/// Errors while issuing or managing status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// A delegation link could not be made.
    #[error("delegation: {0}")]
    Delegation(String),
    /// The validity window is empty or reversed.
    #[error("validUntil ({until}) must be after validFrom ({from})")]
    InvalidValidity {
        /// Start of validity.
        from: String,
        /// End of validity.
        until: String,
    },
    /// The subject is not a DID.
    #[error("the credential subject must be a DID, got `{0}`")]
    InvalidSubject(String),
    /// Creating the bbs-2023 proof failed.
    #[error("signing failed: {0}")]
    Signing(#[from] Bbs2023Error),
    /// Making or signing an SD-JWT VC or a status list token failed.
    #[error("SD-JWT issuance failed: {0}")]
    SdJwt(String),
    /// Signing a status list credential failed.
    #[error("status list signing failed: {0}")]
    StatusSigning(String),
    /// This issuer has no key for status lists (a did:key issuer).
    #[error("this issuer cannot publish status lists (it needs a did:web identity)")]
    NoStatusKey,
    /// A status index outside the list, or never assigned.
    #[error("status index {0} was never assigned by this issuer")]
    UnknownIndex(usize),
    /// Every index of the status list is taken.
    #[error("the status list is full")]
    StatusListFull,
    /// The issuer's base URL is unusable for a did:web identity.
    #[error("invalid issuer URL {0}: https, or http on a loopback host, with no path")]
    InvalidUrl(String),
    /// The issuer's store failed.
    #[error(transparent)]
    Store(#[from] credence_store::StoreError),
    /// A stored record does not parse.
    #[error("corrupt issuer record: {0}")]
    CorruptRecord(String),
}
