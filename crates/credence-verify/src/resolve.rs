//! DID resolution for the verifier: the shared did:key resolution of
//! credence-core, plus the BBS key of an issuer's method.

use crate::VerifyError;
use credence_bbs2023::BbsPublicKey;
pub use credence_core::did::{
    authorized_method, did_of, resolve_document, AuthorizedMethod, DidError,
};

impl From<DidError> for VerifyError {
    fn from(e: DidError) -> Self {
        match e {
            DidError::ResolutionFailed { did, reason } => Self::ResolutionFailed { did, reason },
            DidError::KeyNotAuthorized { method, purpose } => {
                Self::KeyNotAuthorized { method, purpose }
            }
        }
    }
}

/// The method's key as a BBS public key.
pub fn bbs_key(method: &AuthorizedMethod) -> Result<BbsPublicKey, VerifyError> {
    BbsPublicKey::from_multikey(method.public_key_multibase()?).map_err(|e| {
        VerifyError::ResolutionFailed {
            did: method.did.clone(),
            reason: e.to_string(),
        }
    })
}
