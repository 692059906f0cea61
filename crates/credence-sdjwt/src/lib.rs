#![forbid(unsafe_code)]
//! SD-JWT (RFC 9901) and the SD-JWT VC profile (draft-ietf-oauth-sd-jwt-vc),
//! with the IETF Token Status List.
//!
//! Issue ([`issue()`]), select Disclosures and bind a presentation to a
//! verifier ([`present`]), and verify ([`SdJwt::verify`], then
//! [`vc::check_vc`]) with every check of RFC 9901 §7 performed here —
//! forged, duplicate and misplaced Disclosures, reserved and colliding
//! claim names, `_sd_alg`, times, and the KB-JWT's signature, nonce,
//! audience, age and `sd_hash`. JWS signing and verification are ssi's.
//!
//! It is pure: no I/O, no DID resolution and no trust decisions. Callers
//! find the issuer's key (from [`SdJwt::issuer_hint`]), fetch status list
//! tokens, and decide which issuers and `vct`s they trust.

pub mod compact;
pub mod digest;
pub mod disclosure;
mod error;
pub mod issue;
pub mod jws;
pub mod key_binding;
pub mod present;
pub mod status_list;
pub mod strict_json;
pub mod unpack;
pub mod vc;
pub mod verify;

pub use compact::SdJwt;
pub use error::SdJwtError;
pub use issue::{issue, Signer};
pub use key_binding::{KeyBinding, KeyBindingCheck};
pub use unpack::Step;
pub use vc::{check_vc, SdJwtVc, SD_JWT_VC_TYP};
pub use verify::{IssuerHint, Verified, VerifyOptions};
