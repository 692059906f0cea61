//! The issuer's BBS key from its authorized verification method.

use crate::VerifyError;
use credence_bbs2023::BbsPublicKey;
use credence_did::{AuthorizedMethod, DidError};

/// The method's key as a BBS public key; a key that is not one is a
/// resolution failure (the DID document is unusable for bbs-2023).
pub fn bbs_key(method: &AuthorizedMethod) -> Result<BbsPublicKey, VerifyError> {
    let multibase = method.public_key_multibase()?;
    BbsPublicKey::from_multikey(multibase).map_err(|e| DidError::failed(&method.did, e).into())
}
