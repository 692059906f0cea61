#![forbid(unsafe_code)]
//! Credence's shared model: the vocabulary (JSON-LD context), the agent
//! profile carried by an `AgentCredential`, presentation requests, access
//! token claims, the clock, and did:key resolution with the key-authorization
//! checks every role needs.
//!
//! Every role crate (issuer, wallet, verifier) builds on these types; they
//! meet through them and through the wire, never by importing one another.
//! This crate is pure: no I/O, no cryptography of its own, no policy decisions.

pub mod clock;
pub mod context;
pub mod did;
pub mod dpop;
pub mod profile;
pub mod request;
pub mod token;

pub use clock::{Clock, FixedClock, SystemClock};
pub use context::{
    context_loader, context_loader_with, expand_credential_type, CREDENCE_CONTEXT,
    CREDENCE_CONTEXT_URL, CREDENCE_VOCAB, VC_V2_CONTEXT_URL,
};
pub use dpop::{dpop_proof, DpopClaims, DPOP_TYP};
pub use profile::{AgentProfile, AGENT_CREDENTIAL_TYPE, MANDATORY_POINTERS, PROFILE_CLAIMS};
pub use request::{ClaimPath, ClaimsQuery, CredentialQuery, DcqlQuery, PresentationRequest};
pub use token::{AccessTokenClaims, Confirmation, ACCESS_TOKEN_TYP, MAX_TOKEN_TTL_SECS};
