#![forbid(unsafe_code)]
//! The W3C Data Integrity `bbs-2023` cryptosuite (baseline feature).
//!
//! This crate creates base proofs (issuer), verifies them (holder, on
//! receipt), derives selective-disclosure proofs (holder) and verifies
//! derived proofs (verifier), following the W3C
//! vc-di-bbs specification. The RDF side (JSON-LD expansion, RDFC-1.0
//! canonicalization, skolemization, JSON pointer selection) comes from ssi's
//! public building blocks; the BBS signature scheme is the current IETF draft
//! (BLS12-381-SHA-256): Sign and ProofGen from `zkryptium`, ProofVerify from
//! `credence-bbs-verify` (blst) by default, zkryptium selectable. The cryptosuite protocol layer —
//! blank-node label shuffling, grouping by N-Quads *text* order, CBOR proof
//! values, index bookkeeping — is implemented here.
//!
//! It is pure: no I/O, no DID resolution, no trust decisions. Callers resolve
//! the issuer key, and check nonces, audiences and policies themselves.
//! The optional holder-binding and pseudonym features are not supported.

mod canon;
mod derive;
mod error;
mod expansion;
mod keys;
mod proof_value;
mod sign;
mod verify;
mod verify_base;

pub use canon::{
    canonicalize_document, canonicalize_proof_config, canonicalize_proof_config_using, ProofConfig,
};
pub use derive::{create_disclosure_data, derive, DisclosureData};
pub use error::Bbs2023Error;
pub use expansion::{Expansion, LoaderExpansion};
pub use keys::{BbsKeyPair, BbsPublicKey, BLS12_381_G2_MULTICODEC};
pub use proof_value::{BaseProofValue, DerivedProofValue};
pub use sign::{base_transform, sign_base, sign_base_with_hmac_key, BaseTransform, HashData};
pub use verify::{
    verify_derived, verify_derived_using, verify_derived_with, BbsEngine, VerifiedDerivedProof,
};
pub use verify_base::verify_base;

/// The `cryptosuite` identifier this crate implements.
pub const CRYPTOSUITE: &str = "bbs-2023";

/// The Data Integrity proof type carrying a `bbs-2023` proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
