#![forbid(unsafe_code)]
//! The resource side of Credence: what a tool or API server links to
//! accept the verifier's scoped tokens.
//!
//! [`ResourceGuard`] checks, on each request, the RFC 9068 access token
//! (signature with the verifier's key, issuer, this resource as audience,
//! times, scope) and the RFC 9449 DPoP proof of the key the token is bound
//! to, refuses a replayed proof or a second use of a single-use per-step
//! token, checks a step token's request digest, and audits every decision
//! to an [`AuditSink`](credence_core::AuditSink).
//!
//! It verifies no credential, resolves no DID and has no JSON-LD or BBS
//! code of its own: presentations are the verifier's (`credence-verify`).
//! Its replay sets live in this process's memory.

mod guard;
pub mod mcp;

pub use credence_core::{validate_access_token, TokenError, DPOP_WINDOW_SECS};
pub use guard::{keys_from_jwks, Operation, RequestParts, ResourceGuard};
