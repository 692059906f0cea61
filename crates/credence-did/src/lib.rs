#![forbid(unsafe_code)]
//! DID resolution for Credence and the checks on what a DID document grants.
//!
//! [`LocalResolver`] computes did:key and did:jwk documents with no I/O;
//! [`DidResolver`] adds did:web over bounded HTTP ([`Fetcher`]: timeouts,
//! size limit, no redirects, plain http only to loopback) with the
//! document-`id` check and a TTL cache. [`authorized_method`] answers the
//! question ssi leaves to its callers: is this verification method listed
//! under this relationship (`assertionMethod`, `authentication`, …) by its
//! controller? Wallet, issuer and verifier all resolve through here.
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
mod error;
mod fetch;
mod known;
mod method;
mod resolve;
mod resolver;
mod web;

pub use cache::{CacheConfig, TtlCache};
pub use error::DidError;
pub use fetch::{FetchError, FetchLimits, Fetcher};
pub use known::KnownDocuments;
pub use method::{authorized_in, authorized_method, did_of, AuthorizedMethod};
pub use resolve::{
    check_document_id, resolve_document, resolve_local, LocalResolver, ResolveDid, ResolveFuture,
};
pub use resolver::DidResolver;
pub use web::{did_web_for_origin, did_web_url, is_loopback_host};

#[cfg(test)]
mod tests;
