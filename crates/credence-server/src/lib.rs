#![forbid(unsafe_code)]
//! Credence's HTTP services. This version has the wallet API: a local JSON
//! API through which an agent uses its own wallet — its identity, its
//! credentials, receiving a credential, answering a presentation request
//! (within its holder policy), and a dry run of one.
//!
//! It listens on loopback by default and requires the wallet's bearer secret
//! (created at `credence wallet init`, kept in an owner-only file) on every
//! route but `/v1/health`; secrets are compared in constant time. The
//! routes are listed in [`wallet_api::ROUTES`] and documented in
//! `docs/api/wallet-openapi.json`.
//!
//! It is not a verifier or token service (those come with the verifier
//! service), and it does not terminate TLS: keep it on loopback or put it
//! behind a proxy.

pub mod api_token;
pub mod wallet_api;

pub use api_token::{ApiToken, API_TOKEN_FILE};
pub use wallet_api::{router, serve, ROUTES};
