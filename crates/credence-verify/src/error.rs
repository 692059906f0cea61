//! Rejection reasons: one variant per reason, so callers can match on them.

use credence_core::TokenError;

/// Which proof a [`VerifyError::BadProof`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofTarget {
    /// The presentation's proof (the holder's signature).
    Presentation,
    /// The embedded credential's proof (the issuer's bbs-2023 signature).
    Credential,
    /// A delegation link's proof (the delegator's eddsa-rdfc-2022 signature).
    Delegation,
}

impl std::fmt::Display for ProofTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Presentation => "presentation",
            Self::Credential => "credential",
            Self::Delegation => "delegation",
        })
    }
}

/// Why a presentation was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The input is not a well-formed presentation or credential.
    #[error("malformed input: {0}")]
    Malformed(String),
    /// A JSON-LD context outside the accepted set.
    #[error("unsupported JSON-LD context: {0}")]
    UnsupportedContext(String),
    /// A DID could not be resolved, or its document is unusable.
    #[error("DID resolution failed for {did}: {reason}")]
    ResolutionFailed {
        /// The DID.
        did: String,
        /// What went wrong.
        reason: String,
    },
    /// The proof's key is not listed for the proof's purpose in its
    /// controller's DID document (or the purpose is the wrong one).
    #[error("key {method} is not authorized for {purpose}")]
    KeyNotAuthorized {
        /// The verification method.
        method: String,
        /// The required purpose.
        purpose: String,
    },
    /// A cryptographic proof does not verify.
    #[error("invalid {target} proof: {reason}")]
    BadProof {
        /// Which proof.
        target: ProofTarget,
        /// Details.
        reason: String,
    },
    /// The challenge or the BBS presentation header is not the nonce this
    /// verifier issued.
    #[error("nonce mismatch: {0}")]
    NonceMismatch(String),
    /// The presentation request has expired.
    #[error("the presentation request expired")]
    NonceExpired,
    /// The nonce was already used: a replay.
    #[error("nonce already used: replayed presentation")]
    Replay,
    /// The presentation was made for another verifier.
    #[error("audience mismatch: expected {expected}, got {found}")]
    AudienceMismatch {
        /// This verifier's identifier.
        expected: String,
        /// The presentation's domain.
        found: String,
    },
    /// The VP signer, the VP holder and the credential subject differ.
    #[error("holder mismatch: {0}")]
    HolderMismatch(String),
    /// The credential's `validUntil` has passed.
    #[error("credential expired at {0}")]
    Expired(String),
    /// The credential's `validFrom` is in the future.
    #[error("credential not valid before {0}")]
    NotYetValid(String),
    /// The issuer is not trusted for this credential type.
    #[error("issuer {issuer} is not trusted for {credential_type}")]
    UntrustedIssuer {
        /// The credential's issuer.
        issuer: String,
        /// The credential type.
        credential_type: String,
    },
    /// The credential is not of a type the request accepts.
    #[error("credential type not accepted: {0}")]
    WrongCredentialType(String),
    /// A requested claim is absent from the presentation.
    #[error("requested claim `{0}` was not disclosed")]
    MissingClaim(String),
    /// A claim fails one of the policy's constraints.
    #[error("policy constraint failed: claim `{claim}` must be {condition}")]
    ConstraintFailed {
        /// The claim.
        claim: String,
        /// The condition it fails.
        condition: String,
    },
    /// The issuer has revoked the credential.
    #[error("credential revoked (status index {index})")]
    Revoked {
        /// The credential's index in the status list.
        index: usize,
    },
    /// The issuer has suspended the credential.
    #[error("credential suspended (status index {index})")]
    Suspended {
        /// The credential's index in the status list.
        index: usize,
    },
    /// The credential's status list could not be fetched: fail closed.
    #[error("status list {url} unavailable: {reason}")]
    StatusUnavailable {
        /// The list's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The status list was fetched but does not verify: fail closed.
    #[error("status list {url} rejected: {reason}")]
    StatusListInvalid {
        /// The list's URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The client asked for scopes the policy does not grant it.
    #[error("scope not granted: {0}")]
    ScopeNotGranted(String),
    /// No policy rule maps the verified claims to a scope for the audience.
    #[error("policy grants no scope for audience {0}")]
    NoScopeMapped(String),
    /// The access token could not be signed.
    #[error("token minting failed: {0}")]
    Minting(String),
    /// The delegation chain's root is not a principal the policy trusts.
    #[error("delegation root {0} is not a trusted principal")]
    UntrustedPrincipal(String),
    /// The links do not form one chain from the principal to the holder.
    #[error("delegation chain broken at link {link}: {reason}")]
    DelegationBroken {
        /// 0-based position of the offending link (root = 0).
        link: usize,
        /// What does not connect.
        reason: String,
    },
    /// A link grants more than its parent (capabilities, audiences or
    /// lifetime).
    #[error("delegation link {link} exceeds its parent: {reason}")]
    DelegationExceedsParent {
        /// 0-based position of the offending link.
        link: usize,
        /// What it exceeds.
        reason: String,
    },
    /// The chain is longer than an ancestor's `maxDepth` allows.
    #[error("delegation depth exceeded: link {link} allows {limit} further hop(s)")]
    DelegationDepthExceeded {
        /// The ancestor whose limit is exceeded.
        link: usize,
        /// Its `maxDepth`.
        limit: u32,
    },
    /// The delegation chain does not allow acting at this audience.
    #[error("the delegation chain does not allow audience {0}")]
    AudienceNotDelegated(String),
    /// The decision could not be written to the audit log, so it is refused.
    #[error("audit log unavailable: {0}")]
    AuditFailed(String),
    /// The access token offered for a per-step exchange was refused.
    #[error("subject token refused: {0}")]
    SubjectToken(TokenError),
}

impl VerifyError {
    /// A stable snake_case name for the reason, for wire formats and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::UnsupportedContext(_) => "unsupported_context",
            Self::ResolutionFailed { .. } => "resolution_failed",
            Self::KeyNotAuthorized { .. } => "key_not_authorized",
            Self::BadProof { .. } => "bad_proof",
            Self::NonceMismatch(_) => "nonce_mismatch",
            Self::NonceExpired => "nonce_expired",
            Self::Replay => "replay",
            Self::AudienceMismatch { .. } => "audience_mismatch",
            Self::HolderMismatch(_) => "holder_mismatch",
            Self::Expired(_) => "expired",
            Self::NotYetValid(_) => "not_yet_valid",
            Self::UntrustedIssuer { .. } => "untrusted_issuer",
            Self::WrongCredentialType(_) => "wrong_credential_type",
            Self::MissingClaim(_) => "missing_claim",
            Self::ConstraintFailed { .. } => "constraint_failed",
            Self::Revoked { .. } => "revoked",
            Self::Suspended { .. } => "suspended",
            Self::StatusUnavailable { .. } => "status_unavailable",
            Self::StatusListInvalid { .. } => "status_list_invalid",
            Self::ScopeNotGranted(_) => "scope_not_granted",
            Self::NoScopeMapped(_) => "no_scope_mapped",
            Self::Minting(_) => "minting_failed",
            Self::UntrustedPrincipal(_) => "untrusted_principal",
            Self::DelegationBroken { .. } => "delegation_broken",
            Self::DelegationExceedsParent { .. } => "delegation_exceeds_parent",
            Self::DelegationDepthExceeded { .. } => "delegation_depth_exceeded",
            Self::AudienceNotDelegated(_) => "audience_not_delegated",
            Self::SubjectToken(_) => "subject_token_refused",
            Self::AuditFailed(_) => "audit_failed",
        }
    }
}
