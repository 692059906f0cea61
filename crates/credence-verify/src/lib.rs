#![forbid(unsafe_code)]
//! The Verifier role: the counterparty's gate, as a crate to embed.
//!
//! A [`Verifier`] issues presentation requests with fresh single-use nonces,
//! verifies the presentations agents send back — the holder's
//! `eddsa-rdfc-2022` signature, the embedded `bbs-2023` derived credential,
//! and every binding ssi leaves to the caller (challenge, domain,
//! presentation header, holder = signer = subject, key authorized for the
//! proof purpose, validity window) — applies its [`TrustPolicy`], and mints
//! short-lived, audience-bound, key-bound access tokens. Resource servers
//! check those with [`validate_access_token`].
//!
//! A presentation off the wire is an [`UnverifiedPresentation`]; only this
//! crate turns it into a [`VerifiedPresentation`], and only a verified one
//! can be minted into a token.
//!
//! Issuers are resolved with a [`ResolveDid`]: by default [`DidResolver`]
//! (did:key and did:jwk locally; did:web over HTTPS — plain http only on
//! loopback — with timeouts, a size limit, the document `id` check and a
//! TTL cache). Holders must use did:key or did:jwk, so a presentation can
//! never make the verifier fetch a URL before its issuer is known to be
//! trusted. Credentials with `credentialStatus` are checked against the
//! issuer's signed Bitstring Status Lists (fail closed). Resource servers
//! check tokens and DPoP proofs with [`ResourceGuard`]. This crate serves
//! no HTTP; `credence-server` does.
//!
//! ```no_run
//! # async fn demo(vp: serde_json::Value) -> Result<(), Box<dyn std::error::Error>> {
//! use credence_verify::{TrustPolicy, Verifier};
//! let policy = TrustPolicy::load("policy.toml")?;
//! let verifier = Verifier::new("https://verifier.globex.example", policy, ssi::JWK::generate_ed25519()?);
//! let request = verifier.create_request(&["organization", "capabilities"]);
//! // … send `request` to the agent, receive `vp` …
//! let token = verifier.exchange(&vp, "https://api.globex.example").await?;
//! println!("{}", token.token);
//! # Ok(()) }
//! ```

mod delegation;
mod error;
mod keys;
mod nonce;
mod offline;
mod policy;
mod presentation;
mod status;
mod step;
mod token;
mod verifier;

pub use delegation::VerifiedChain;
pub use error::{ProofTarget, VerifyError};
pub use keys::bbs_key;
pub use offline::{OfflineDocuments, OfflineError};
pub use policy::{
    Condition, Constraint, Grant, PolicyError, ScopeRule, TrustPolicy, TrustedIssuer,
};
pub use presentation::{UnverifiedPresentation, VerifiedPresentation};
pub use step::{StepRequest, STEP_TOKEN_TTL_SECS};
pub use token::IssuedToken;
pub use verifier::{verify_credential_with, VerifiedCredential, Verifier};
