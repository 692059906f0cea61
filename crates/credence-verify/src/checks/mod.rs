//! One file per check the verifier performs, in the order
//! [`crate::Verifier::verify`] calls them (docs/verification.md lists
//! them): safe mode ([`crate::signed`]), binding, holder, issuer trust and
//! the credential's proof, validity, request, status, constraints,
//! delegation. Every proof goes through [`proofs`].

pub(crate) mod binding;
pub(crate) mod constraints;
pub(crate) mod credential;
pub(crate) mod delegation;
pub(crate) mod holder;
pub(crate) mod issuer_trust;
pub(crate) mod proofs;
pub(crate) mod rdfc;
pub(crate) mod request;
pub(crate) mod status;
pub(crate) mod validity;
