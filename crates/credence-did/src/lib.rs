#![forbid(unsafe_code)]
//! DID resolution for Credence and the checks on what a DID document grants.
//!
//! [`LocalResolver`] computes did:key and did:jwk documents with no I/O;
//! [`DidResolver`] adds did:web over bounded HTTP ([`Fetcher`]: timeouts,
//! size limit, no redirects, plain http only to loopback) with the
//! document-`id` check and a TTL cache; [`KnownDocuments`] serves
//! documents supplied out of band. [`authorized_method`] answers the
//! question ssi leaves to its callers: is this verification method listed
//! under this relationship (`assertionMethod`, `authentication`, …) by its
//! controller? Wallet, issuer and verifier all resolve through here.
//!
//! What is checked:
//!
//! - **Malformed DIDs are [`DidError::ResolutionFailed`]** (code
//!   `resolution_failed`), never a later `bad_proof`. A did:key must be
//!   base58btc (`z…`) of an Ed25519, X25519, P-256 (compressed) or
//!   BLS12-381 G2 multicodec key of exactly its length and on its curve
//!   (did:key v0.7 §3.1); any other multibase or multicodec is refused. A
//!   did:jwk must be base64url (no padding) of a JSON object with unique
//!   members holding a valid public Ed25519, X25519 or P-256 JWK; private
//!   or symmetric key material is refused (did:jwk spec, Security).
//! - **Computed documents grant only what the method's spec grants.**
//!   ssi 0.16 lists a did:key under authentication and assertionMethod
//!   whatever its type, and a did:jwk under every relationship whatever
//!   its `use`; the documents are rewritten at resolution, so every
//!   consumer sees the same grants:
//!
//!   | DID | key | relationships |
//!   |---|---|---|
//!   | did:key | Ed25519, P-256, BLS12-381 G2 | authentication, assertionMethod, capabilityInvocation, capabilityDelegation (§3.1.1 step 6) |
//!   | did:key | X25519 | keyAgreement only (§3.1.3, x25519 vectors) |
//!   | did:jwk | no `use` | all five, as the curve allows |
//!   | did:jwk | `"use":"sig"` | all but keyAgreement, as the curve allows |
//!   | did:jwk | `"use":"enc"` | keyAgreement only, as the curve allows |
//!   | did:jwk | another `use` | none |
//!
//!   "As the curve allows": Ed25519 only signs, X25519 only agrees keys,
//!   P-256 does both (the did:jwk spec: `use` should match the curve).
//!   [`KnownDocuments`] never takes a supplied document for a did:key or
//!   did:jwk: those are always computed.
//! - **Listings are strict** ([`authorized_in`], for every method, fetched
//!   did:web documents above all): the purpose must be one of the five
//!   [`RELATIONSHIPS`]; the relationship must list the method by reference
//!   or embed it; the method must be defined exactly once, with an `id`
//!   that is the DID URL the proof names, the document's DID as its
//!   `controller`, a `type` and at most one key material. A fragment-only
//!   relative id or reference (`#key-1`) is resolved against the document's
//!   DID; any other relative form names nothing. Any failure is
//!   [`DidError::KeyNotAuthorized`] (code `key_not_authorized`); a document
//!   whose `id` is not the DID is `resolution_failed`.
//!
//! It makes no trust decision (which DIDs to trust is the verifier's
//! policy) and verifies no proof.
//!
//! ```
//! # async fn demo() -> Result<(), credence_did::DidError> {
//! use credence_did::{authorized_method, LocalResolver};
//! let did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
//! let method = authorized_method(&LocalResolver, &format!("{did}#{}", &did[8..]), "assertionMethod").await?;
//! assert_eq!(method.did, did);
//! # Ok(()) }
//! ```

mod cache;
mod did_jwk;
mod did_key;
mod error;
mod fetch;
mod known;
mod method;
mod relationship;
mod resolve;
mod resolver;
mod web;

pub use cache::{CacheConfig, TtlCache};
pub use error::DidError;
pub use fetch::{FetchError, FetchLimits, Fetcher};
pub use known::KnownDocuments;
pub use method::{absolute, authorized_in, authorized_method, did_of, AuthorizedMethod};
pub use relationship::{is_relationship, RELATIONSHIPS};
pub use resolve::{
    check_document_id, resolve_document, resolve_local, LocalResolver, ResolveDid, ResolveFuture,
};
pub use resolver::DidResolver;
pub use web::{did_web_for_origin, did_web_url, is_loopback_host};

#[cfg(test)]
mod tests;
