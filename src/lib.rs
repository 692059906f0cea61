#![forbid(unsafe_code)]
//! Credence: verifiable identity for AI agents across organizations.
//!
//! This facade re-exports the role crates so that applications depend on one
//! package: [`model`] (shared types, vocabulary), [`bbs2023`] (the
//! selective-disclosure cryptosuite), [`did`] (DID resolution), [`store`]
//! (sled persistence), [`issuer`], [`wallet`], [`verify`] and [`resource`]
//! (what a tool server links). It adds no behaviour of its own;
//! see `examples/two_org.rs` for the whole flow.

pub use credence_bbs2023 as bbs2023;
pub use credence_core as model;
pub use credence_did as did;
pub use credence_issuer as issuer;
pub use credence_resource as resource;
pub use credence_sdjwt as sdjwt;
pub use credence_store as store;
pub use credence_verify as verify;
pub use credence_wallet as wallet;
