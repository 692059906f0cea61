#![forbid(unsafe_code)]
//! The Wallet role: one agent instance's identity and credentials.
//!
//! A [`Wallet`] lives in its own directory: an encrypted sled store
//! (credence-store) holding the agent's Ed25519 did:key and the credentials
//! issued to it, plus a holder disclosure policy (`holder-policy.toml`).
//! It verifies credentials on import (issuer proof, subject, expiry), lists,
//! shows, deletes and prunes them, exports and restores the whole wallet,
//! creates sub-agent wallets, and answers a verifier's
//! [`PresentationRequest`](credence_core::PresentationRequest) — a DCQL
//! query of one or more credential queries, with credential sets and
//! requested values — with a VC 2.0 Verifiable Presentation holding one
//! `bbs-2023` derived credential per answered query, each revealing only
//! the requested claims (of a list, only the requested elements) — and only
//! those its holder policy allows for that verifier — signed
//! (`eddsa-rdfc-2022`, authentication) with `challenge` = nonce and
//! `domain` = audience.
//!
//! It also answers OpenID4VP 1.0 requests ([`openid4vp`]): it verifies a
//! signed request object against its verifier's DID, applies the holder
//! policy to that verified identity (or to an anonymous one), POSTs the
//! answer to the verifier's response URI and exchanges the response code
//! for a token. Those fetches are its only HTTP, through credence-did's
//! bounded [`Fetcher`](credence_did::Fetcher).
//!
//! It does not verify presentations or make the verifier's trust
//! decisions.

mod assign;
mod children;
mod credentials;
mod delegate;
mod error;
mod holder_policy;
pub mod mcp;
pub mod openid4vp;
mod plan;
mod present;
mod sd_jwt;
mod select;
mod wallet;

pub use children::ChildAgent;
pub use credence_store::{ExportSummary, KdfParams, Unlock};
pub use credentials::{CredentialFilter, CredentialSummary, Imported};
pub use error::{ImportError, PresentError, WalletError};
pub use holder_policy::{
    Allowance, HolderPolicy, PolicyError, VerifierIdentity, VerifierRule, HOLDER_POLICY_FILE,
};
pub use plan::{CredentialDisclosure, DisclosedClaim, DisclosurePlan};
pub use sd_jwt::SdJwtDisclosure;
pub use wallet::Wallet;
