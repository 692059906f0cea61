#![forbid(unsafe_code)]
//! The Verifier role: the counterparty's gate, as a crate to embed.
//!
//! A presentation off the wire is parsed once into an
//! [`UnverifiedPresentation`]; [`Verifier::verify`] runs every check, in
//! the order docs/verification.md lists, under one policy snapshot, and
//! only then yields a [`VerifiedPresentation`]. It decides only on what
//! was signed: every document passes JSON-LD safe mode (nothing in the
//! JSON that is not a signed statement, in the one form the statements
//! compact back to) and every value a decision reads — claims, validity,
//! status, issuer, subject, types, delegation terms — comes from the
//! verified RDF statements. The [`TokenIssuer`] mints from a verified
//! presentation (by value, for one audience), exchanges per-step tokens,
//! introspects and revokes; verifying needs no signing key.
//!
//! DIDs resolve through `credence-did` (did:key and did:jwk locally,
//! did:web over bounded HTTP); holders must use did:key or did:jwk, so a
//! presentation never makes the verifier fetch a URL before its issuer is
//! trusted. Status lists are fetched, verified and cached (fail closed).
//! Decisions go to an `AuditSink`. This crate serves no HTTP
//! (`credence-server` does) and checks no token at a resource
//! (`credence-resource` does).
//!
//! ```no_run
//! # async fn demo(vp: serde_json::Value) -> Result<(), Box<dyn std::error::Error>> {
//! use credence_verify::{TokenIssuer, TrustPolicy, Verifier};
//! let policy = TrustPolicy::load("policy.toml")?;
//! let verifier = Verifier::new("https://verifier.globex.example", policy);
//! let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519()?);
//! let query = credence_core::agent_credential_query(&["organization", "capabilities"]);
//! let request = verifier.create_request_for(query).await?;
//! // … send `request` to the agent, receive `vp` …
//! let verified = verifier.verify_presentation(&vp).await?;
//! let token = tokens.mint(verified, "https://api.globex.example").await?;
//! println!("{}", token.token);
//! # Ok(()) }
//! ```

mod checks;
mod error;
mod keys;
mod nonce;
mod offline;
pub mod openid4vp;
mod parse;
mod policy;
mod runtime;
mod sd_jwt;
pub mod signed;
mod standalone;
mod status_list;
mod token_issuer;
mod verified;
mod verifier;

pub use checks::credential::{verify_credential_with, CredentialProof};
pub use checks::rdfc::{verify_rdfc_proof, RdfcError};
pub use error::{
    BindingError, ConstraintError, DelegationError, MintError, ParseError, ProofTarget,
    StatusError, TrustError, ValidityError, VerifyError,
};
pub use keys::bbs_key;
pub use offline::{OfflineDocuments, OfflineError};
pub use openid4vp::{RequestSigner, ResponseCodes, TransactionError};
pub use parse::{ProofHeader, UnverifiedPresentation, MAX_CREDENTIALS};
pub use policy::{
    Condition, Constraint, CredentialFacts, Grant, NamedClaims, PolicyError, PolicyTypes,
    ScopeRule, TrustPolicy, TrustedContext, TrustedIssuer, TrustedPrincipal, BUILT_IN_CONTEXTS,
    CREDENTIAL_FORMATS, CREDENTIAL_SUITES, DATA_INTEGRITY_V2_CONTEXT_URL,
};
pub use sd_jwt::KEY_BINDING_MAX_AGE_SECS;
pub use signed::graph::ClaimValue;
pub use status_list::MAX_LIST_BYTES;
pub use token_issuer::{
    IssuedToken, KeyRing, KeySetError, StepRequest, TokenIssuer, TokenKey, KEY_RETIREMENT_SECS,
    STEP_TOKEN_TTL_SECS,
};
pub use verified::{VerifiedChain, VerifiedCredential, VerifiedPresentation};
pub use verifier::Verifier;
