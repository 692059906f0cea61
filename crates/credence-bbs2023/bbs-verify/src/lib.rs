#![forbid(unsafe_code)]
//! IETF BBS **ProofVerify** (draft-irtf-cfrg-bbs-signatures, the draft-06+
//! proof format: `Abar, Bbar, D, ê, r̂1, r̂3, m̂_j…, c`) for the ciphersuites
//! BLS12-381-SHA-256 and BLS12-381-SHAKE-256.
//!
//! This crate is protocol code only: the curve arithmetic, multi-scalar
//! multiplication, hash-to-curve and pairing come from `blstrs` (blst); the
//! SHAKE-256 suite's hash-to-curve comes from `bls12_381_plus`, and
//! `expand_message_xmd`/`_xof` from RustCrypto `elliptic-curve`. It keeps
//! process-wide caches of the message generators, the prepared issuer keys
//! and `-BP2`, and may use variable-time fast paths: verification handles no
//! secrets.
//!
//! It is **not** for signing or proof generation: Sign and ProofGen hold
//! secrets and stay on a constant-time implementation (zkryptium), which is
//! also this crate's differential oracle in the tests.

mod cache;
mod ciphersuite;
mod error;
mod generators;
mod hash_to_scalar;
mod proof;
mod verify;

pub use cache::MAX_CACHED_KEYS;
pub use ciphersuite::Ciphersuite;
pub use error::{ProofPart, VerifyError};
pub use generators::{create_generators, p1, MAX_MESSAGES};
pub use hash_to_scalar::{hash_to_scalar, map_message_to_scalar};
pub use proof::{undisclosed_count, POINT_LEN, PROOF_FIXED_LEN, SCALAR_LEN};
pub use verify::proof_verify;
