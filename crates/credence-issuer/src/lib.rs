#![forbid(unsafe_code)]
//! The Issuer role: an organization's credential authority.
//!
//! An [`Issuer`] holds the organization's BLS12-381 key and issues W3C VC
//! 2.0 `AgentCredential`s secured with a `bbs-2023` base proof, so agents
//! can later disclose only what a counterparty asks for. Its identity is a
//! did:key (tests, offline use) or a did:web document ([`Issuer::web`])
//! that also lists an Ed25519 key for signing status lists.
//!
//! The same credential can be issued as an SD-JWT VC
//! ([`Issuer::issue_agent_sd_jwt`], a did:web issuer's Ed25519 key), with
//! an IETF Token Status List computed from the same registry.
//!
//! [`StatusRegistry`] keeps W3C Bitstring Status Lists (revocation and
//! suspension) and signs them as `BitstringStatusListCredential`s
//! (`eddsa-rdfc-2022`); [`Authority`] is an issuer with its keys and status
//! lists persisted in an encrypted `credence-store` directory. This crate
//! does not serve HTTP (credence-server does) and keeps no copy of the
//! credentials it issues.

mod authority;
mod error;
mod issuer;
mod principal;
mod sd_jwt;
mod status;

pub use authority::Authority;
pub use error::IssueError;
pub use issuer::Issuer;
pub use principal::Principal;
pub use sd_jwt::TOKEN_STATUS_PATH;
pub use status::{StatusAssignment, StatusRegistry, STATUS_LIST_LENGTH, STATUS_PURPOSES};
