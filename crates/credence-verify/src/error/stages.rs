//! The reasons of each stage.

use credence_core::TokenError;

macro_rules! codes {
    ($ty:ident { $($variant:ident $(( $($_a:tt)* ))? $({ $($_b:tt)* })? => $code:literal),* $(,)? }) => {
        impl $ty {
            /// A stable snake_case name for the reason.
            pub fn code(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $code,)*
                }
            }
        }
    };
}

/// The input is not a document the verifier reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Not a well-formed presentation, credential or link.
    #[error("malformed input: {0}")]
    Malformed(String),
    /// A JSON-LD context outside the accepted set.
    #[error("unsupported JSON-LD context: {0}")]
    UnsupportedContext(String),
    /// A `@context` below the top of a document.
    #[error("a @context inside the document at {0}: contexts are declared once, at the top")]
    NestedContext(String),
    /// A member that makes no signed statement, or says it in another form
    /// than its statements (JSON-LD safe mode).
    #[error("`{path}` is not what was signed: {reason}")]
    UnsignedMember {
        /// Where in the document.
        path: String,
        /// Why it makes no (such) statement.
        reason: String,
    },
}

codes!(ParseError {
    Malformed(..) => "malformed",
    UnsupportedContext(..) => "unsupported_context",
    NestedContext(..) => "nested_context",
    UnsignedMember {..} => "unsigned_member",
});

/// The presentation is not bound to this verifier's request or its holder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BindingError {
    /// The challenge, or the BBS presentation header, is not a nonce this
    /// verifier issued.
    #[error("nonce mismatch: {0}")]
    NonceMismatch(String),
    /// The request has expired.
    #[error("the presentation request expired")]
    NonceExpired,
    /// The nonce was already used by a correctly signed presentation.
    #[error("nonce already used: replayed presentation")]
    Replay,
    /// The presentation's `domain` is another verifier.
    #[error("presentation made for {found}, not for this verifier ({expected})")]
    DomainMismatch {
        /// This verifier's identifier.
        expected: String,
        /// The presentation's domain.
        found: String,
    },
    /// The VP signer, the VP holder and the credential subject differ.
    #[error("holder mismatch: {0}")]
    HolderMismatch(String),
    /// A proof's own `expires` has passed.
    #[error("proof expired at {0}")]
    ProofExpired(String),
    /// A proof's `created` lies in the future beyond the clock skew.
    #[error("proof created in the future ({0})")]
    ProofFromFuture(String),
    /// An OpenID4VP answer names no transaction of this verifier (`state`
    /// missing or unknown), or its presentations answer another one.
    #[error("state mismatch: {0}")]
    StateMismatch(String),
    /// An OpenID4VP `vp_token` is not an object of presentation arrays.
    #[error("malformed vp_token: {0}")]
    VpToken(String),
    /// A `vp_token` key is not a credential query id of the request.
    #[error("vp_token answers `{0}`, which is not a credential query of the request")]
    UnknownQuery(String),
    /// A response code (the subject token of an OpenID4VP transaction) is
    /// unknown, used, or expired.
    #[error("response code refused: {0}")]
    ResponseCode(String),
}

codes!(BindingError {
    NonceMismatch(..) => "nonce_mismatch",
    NonceExpired => "nonce_expired",
    Replay => "replay",
    DomainMismatch {..} => "audience_mismatch",
    HolderMismatch(..) => "holder_mismatch",
    ProofExpired(..) => "proof_expired",
    ProofFromFuture(..) => "proof_not_yet_valid",
    StateMismatch(..) => "state_mismatch",
    VpToken(..) => "invalid_vp_token",
    UnknownQuery(..) => "unknown_credential_query",
    ResponseCode(..) => "invalid_response_code",
});

/// The issuer is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The issuer is not trusted for this credential type.
    #[error("issuer {issuer} is not trusted for {credential_type}")]
    UntrustedIssuer {
        /// The credential's issuer.
        issuer: String,
        /// The credential type.
        credential_type: String,
    },
    /// The issuer's policy entry does not allow this securing mechanism.
    #[error("issuer {issuer} is not trusted for credentials secured with {format}")]
    FormatNotAllowed {
        /// The credential's issuer.
        issuer: String,
        /// The proof's cryptosuite.
        format: String,
    },
}

codes!(TrustError {
    UntrustedIssuer {..} => "untrusted_issuer",
    FormatNotAllowed {..} => "format_not_allowed",
});

/// The credential is outside its validity, or does not state it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidityError {
    /// `validUntil` has passed.
    #[error("expired at {0}")]
    Expired(String),
    /// `validFrom` is in the future.
    #[error("not valid before {0}")]
    NotYetValid(String),
    /// The issuer's credentials must disclose `validUntil`, and this one
    /// does not (never set, or withheld by selective disclosure).
    #[error("the credential discloses no validUntil, which the policy requires of {0}")]
    ValidUntilMissing(String),
    /// Valid for longer than the policy allows for its issuer.
    #[error("valid for {days} days, more than the {max} the policy allows")]
    TooLong {
        /// The credential's validity, in whole days (rounded up).
        days: i64,
        /// The policy's `max_validity_days`.
        max: u32,
    },
}

codes!(ValidityError {
    Expired(..) => "expired",
    NotYetValid(..) => "not_yet_valid",
    ValidUntilMissing(..) => "valid_until_missing",
    TooLong {..} => "validity_too_long",
});

/// Revoked, suspended, or the status cannot be established.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The issuer has revoked it.
    #[error("revoked (status index {index})")]
    Revoked {
        /// The index in the status list.
        index: usize,
    },
    /// The issuer has suspended it.
    #[error("suspended (status index {index})")]
    Suspended {
        /// The index in the status list.
        index: usize,
    },
    /// The status list could not be fetched: fail closed.
    #[error("status list {url} unavailable: {reason}")]
    Unavailable {
        /// The list's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The status list does not verify or does not fit the entry: fail closed.
    #[error("status list {url} rejected: {reason}")]
    ListInvalid {
        /// The list's URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The issuer's credentials must disclose a status entry, and this one
    /// does not (never set, or withheld by selective disclosure).
    #[error("the credential discloses no credentialStatus, which the policy requires of {0}")]
    Missing(String),
}

codes!(StatusError {
    Revoked {..} => "revoked",
    Suspended {..} => "suspended",
    Unavailable {..} => "status_unavailable",
    ListInvalid {..} => "status_list_invalid",
    Missing(..) => "status_missing",
});

/// The credential does not answer the request or fails the policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstraintError {
    /// Not of a type the request accepts.
    #[error("credential type not accepted: {0}")]
    WrongCredentialType(String),
    /// A requested claim is not among the signed statements.
    #[error("requested claim `{0}` was not disclosed")]
    MissingClaim(String),
    /// A requested claim has none of the values the request accepts.
    #[error("claim `{0}` has none of the requested values")]
    ClaimValueMismatch(String),
    /// The credentials do not answer the request's required queries.
    #[error("the presentation does not answer the request: {0}")]
    RequestNotSatisfied(String),
    /// A claim fails one of the policy's constraints.
    #[error("policy constraint failed: claim `{claim}` must be {condition}")]
    Failed {
        /// The claim.
        claim: String,
        /// The condition it fails.
        condition: String,
    },
}

codes!(ConstraintError {
    WrongCredentialType(..) => "wrong_credential_type",
    MissingClaim(..) => "missing_claim",
    ClaimValueMismatch(..) => "claim_value_mismatch",
    RequestNotSatisfied(..) => "request_not_satisfied",
    Failed {..} => "constraint_failed",
});

/// The delegation chain is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DelegationError {
    /// The root is not a principal (or organization) the policy trusts.
    #[error("delegation root {0} is not trusted")]
    UntrustedPrincipal(String),
    /// The root link names a principal other than its signer, and the
    /// signer is not an organization trusted to sign for principals.
    #[error("the root link is signed by {signer} in the name of {principal}")]
    PrincipalNotSigner {
        /// The principal named.
        principal: String,
        /// Who signed the root link.
        signer: String,
    },
    /// A DID appears twice along the chain (a cycle, or self-delegation).
    #[error("delegation cycle: {0} appears twice along the chain")]
    Cycle(String),
    /// The links do not form one chain from the principal to the holder.
    #[error("delegation chain broken at link {link}: {reason}")]
    Broken {
        /// 0-based position of the offending link (root = 0).
        link: usize,
        /// What does not connect.
        reason: String,
    },
    /// A link grants more than its parent.
    #[error("delegation link {link} exceeds its parent: {reason}")]
    ExceedsParent {
        /// 0-based position of the offending link.
        link: usize,
        /// What it exceeds.
        reason: String,
    },
    /// The chain is longer than an ancestor's `maxDepth` allows.
    #[error("delegation depth exceeded: link {link} allows {limit} further hop(s)")]
    DepthExceeded {
        /// The ancestor whose limit is exceeded.
        link: usize,
        /// Its `maxDepth`.
        limit: u32,
    },
    /// The chain does not allow acting at this audience (resource).
    #[error("the delegation chain does not allow the resource {0}")]
    AudienceNotDelegated(String),
}

codes!(DelegationError {
    UntrustedPrincipal(..) => "untrusted_principal",
    PrincipalNotSigner {..} => "principal_not_signer",
    Cycle(..) => "delegation_cycle",
    Broken {..} => "delegation_broken",
    ExceedsParent {..} => "delegation_exceeds_parent",
    DepthExceeded {..} => "delegation_depth_exceeded",
    AudienceNotDelegated(..) => "audience_not_delegated",
});

/// No token could be minted or exchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MintError {
    /// The presentation was verified by another verifier.
    #[error("verified by {found}, not by this token service ({expected})")]
    OtherVerifier {
        /// This service's identifier.
        expected: String,
        /// The verifier of the presentation.
        found: String,
    },
    /// No policy rule maps the verified claims to a scope for the resource.
    #[error("policy grants no scope for the resource {0}")]
    NoScopeMapped(String),
    /// The client asked for scopes the policy does not grant it.
    #[error("scope not granted: {0}")]
    ScopeNotGranted(String),
    /// The token could not be signed.
    #[error("token minting failed: {0}")]
    Signing(String),
    /// The access token offered for a per-step exchange was refused.
    #[error("subject token refused: {0}")]
    SubjectToken(TokenError),
}

codes!(MintError {
    OtherVerifier {..} => "audience_mismatch",
    NoScopeMapped(..) => "no_scope_mapped",
    ScopeNotGranted(..) => "scope_not_granted",
    Signing(..) => "minting_failed",
    SubjectToken(..) => "subject_token_refused",
});
