//! Why a presentation, a token exchange or a token was refused: one
//! variant per stage of verification, each holding a precise reason, each
//! reason with a stable snake_case [`VerifyError::code`] (the wire's
//! `credence_reason`, and what `vectors/` records).

mod stages;

pub use stages::{
    BindingError, ConstraintError, DelegationError, MintError, ParseError, StatusError, TrustError,
    ValidityError,
};

use credence_did::DidError;

/// Which proof a [`VerifyError::BadProof`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofTarget {
    /// The presentation's proof (the holder's signature).
    Presentation,
    /// The embedded credential's proof (the issuer's signature).
    Credential,
    /// A delegation link's proof (the delegator's signature).
    Delegation,
    /// A status list credential's proof (the issuer's signature).
    StatusList,
}

impl std::fmt::Display for ProofTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Presentation => "presentation",
            Self::Credential => "credential",
            Self::Delegation => "delegation",
            Self::StatusList => "status list",
        })
    }
}

/// Why verification or minting refused, by stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The input is not a well-formed document in safe form.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A DID could not be resolved, or its key is not authorized for the
    /// proof's purpose.
    #[error(transparent)]
    Did(#[from] DidError),
    /// A cryptographic proof does not verify.
    #[error("invalid {target} proof: {reason}")]
    BadProof {
        /// Which proof.
        target: ProofTarget,
        /// Details.
        reason: String,
    },
    /// The presentation is not bound to this verifier's request, or to its
    /// holder.
    #[error(transparent)]
    Binding(#[from] BindingError),
    /// The issuer is not trusted (for this type).
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// The credential is outside its validity, or does not state it.
    #[error(transparent)]
    Validity(#[from] ValidityError),
    /// Revoked, suspended, or status not verifiable.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// The credential does not answer the request, or fails the policy.
    #[error(transparent)]
    Constraint(#[from] ConstraintError),
    /// The delegation chain is refused.
    #[error(transparent)]
    Delegation(#[from] DelegationError),
    /// No token could be minted or exchanged.
    #[error(transparent)]
    Mint(#[from] MintError),
    /// The decision could not be written to the audit log, so it is refused.
    #[error("audit log unavailable: {0}")]
    AuditFailed(String),
}

impl VerifyError {
    /// A stable snake_case name for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Parse(e) => e.code(),
            Self::Did(e) => e.code(),
            Self::BadProof { .. } => "bad_proof",
            Self::Binding(e) => e.code(),
            Self::Trust(e) => e.code(),
            Self::Validity(e) => e.code(),
            Self::Status(e) => e.code(),
            Self::Constraint(e) => e.code(),
            Self::Delegation(e) => e.code(),
            Self::Mint(e) => e.code(),
            Self::AuditFailed(_) => "audit_failed",
        }
    }

    /// A [`VerifyError::BadProof`].
    pub(crate) fn bad_proof(target: ProofTarget, reason: impl ToString) -> Self {
        Self::BadProof {
            target,
            reason: reason.to_string(),
        }
    }
}
