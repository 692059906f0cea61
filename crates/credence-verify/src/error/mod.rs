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
    /// An SD-JWT VC presentation is refused by an RFC 9901 check (its
    /// structure, Disclosures or key binding).
    #[error("SD-JWT: {0}")]
    SdJwt(credence_sdjwt::SdJwtError),
    /// The decision could not be written to the audit log, so it is refused.
    #[error("audit log unavailable: {0}")]
    AuditFailed(String),
    /// The verifier state (nonces, replay marks, token records) could not
    /// be read or written: refused, to be retried.
    #[error(transparent)]
    State(#[from] credence_core::StateError),
}

/// The stable code of an SD-JWT refusal.
fn sd_jwt_code(e: &credence_sdjwt::SdJwtError) -> &'static str {
    use credence_sdjwt::SdJwtError as E;
    match e {
        E::Malformed(_) => "sd_jwt_malformed",
        E::TooLarge(_) => "sd_jwt_too_large",
        E::UnsupportedSdAlg(_) => "sd_jwt_unsupported_sd_alg",
        E::UnsupportedAlgorithm(_) => "sd_jwt_unsupported_alg",
        E::WrongType { .. } => "sd_jwt_wrong_typ",
        E::BadIssuerSignature => "bad_proof",
        E::UnreferencedDisclosure(_) => "sd_jwt_unreferenced_disclosure",
        E::DuplicateDigest(_) => "sd_jwt_duplicate_digest",
        E::DuplicateDisclosure(_) => "sd_jwt_duplicate_disclosure",
        E::ReservedClaimName(_) => "sd_jwt_reserved_claim_name",
        E::ClaimCollision(_) => "sd_jwt_claim_collision",
        E::WrongDisclosureKind(_) => "sd_jwt_wrong_disclosure_kind",
        E::NotDisclosable(_) => "sd_jwt_not_disclosable",
        E::MissingClaim(_) => "sd_jwt_missing_claim",
        E::Expired(_) => "expired",
        E::NotYetValid(_) => "not_yet_valid",
        E::KeyBindingMissing => "sd_jwt_key_binding_missing",
        E::NoHolderKey(_) => "sd_jwt_no_holder_key",
        E::KeyBindingSignature => "sd_jwt_key_binding_signature",
        E::NonceMismatch => "nonce_mismatch",
        E::AudienceMismatch(_) => "audience_mismatch",
        E::StaleKeyBinding { .. } => "sd_jwt_stale_key_binding",
        E::SdHashMismatch => "sd_jwt_sd_hash_mismatch",
        E::StatusList(_) | E::StatusListSignature | E::DecompressionLimit(_) => {
            "status_list_invalid"
        }
        E::StatusIndexOutOfRange(_) => "status_list_invalid",
        E::Signing(_) => "sd_jwt_signing",
        _ => "sd_jwt_refused",
    }
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
            Self::SdJwt(e) => sd_jwt_code(e),
            Self::AuditFailed(_) => "audit_failed",
            Self::State(e) => e.code(),
        }
    }

    /// An SD-JWT refusal, in the stage it belongs to where Credence has
    /// one (proof, binding, validity, status), else [`VerifyError::SdJwt`].
    pub(crate) fn from_sd_jwt(e: credence_sdjwt::SdJwtError, verifier: &str) -> Self {
        use credence_sdjwt::SdJwtError as E;
        match e {
            E::BadIssuerSignature => Self::bad_proof(ProofTarget::Credential, e),
            E::KeyBindingSignature => Self::bad_proof(ProofTarget::Presentation, e),
            E::NonceMismatch => BindingError::NonceMismatch(e.to_string()).into(),
            E::AudienceMismatch(found) => BindingError::DomainMismatch {
                expected: verifier.to_owned(),
                found,
            }
            .into(),
            E::Expired(t) => ValidityError::Expired(t.to_string()).into(),
            E::NotYetValid(t) => ValidityError::NotYetValid(t.to_string()).into(),
            other => Self::SdJwt(other),
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
