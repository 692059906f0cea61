//! The issuer's BBS key from its authorized verification method, and how
//! DID errors become rejection reasons.

use crate::VerifyError;
use credence_bbs2023::BbsPublicKey;
use credence_did::{AuthorizedMethod, DidError};

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
