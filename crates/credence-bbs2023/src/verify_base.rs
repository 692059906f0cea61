//! Verification of a `bbs-2023` base proof (the holder's check on receipt).
//!
//! The W3C specification leaves base-proof verification out (only the
//! issuer and holder ever see a base proof), but a holder that stores what
//! it is handed must know the issuer really signed it. This recomputes the
//! base transformation with the proof's own HMAC key, checks the BBS header
//! equals `proofHash ‖ mandatoryHash`, and verifies the BBS signature over
//! the non-mandatory statements with the issuer's key.

use crate::canon::{self, sha256, unsecured, ProofConfig};
use crate::proof_value::BaseProofValue;
use crate::sign::{base_transform, HashData};
use crate::{Bbs2023Error, BbsPublicKey};
use serde_json::Value;
use ssi::json_ld::Loader;
use zeroize::Zeroizing;
use zkryptium::schemes::algorithms::BbsBls12381Sha256;
use zkryptium::schemes::generics::Signature;

/// Verifies `document`'s base proof against the issuer key `public_key`
/// (which the caller resolves from `proof.verificationMethod`). Returns the
/// proof's options.
pub async fn verify_base(
    document: &Value,
    public_key: &BbsPublicKey,
    loader: &impl Loader,
) -> Result<ProofConfig, Bbs2023Error> {
    let config = ProofConfig::from_document(document)?;
    let base = BaseProofValue::decode(&config.proof_value)?;
    if base.public_key != public_key.as_bytes() {
        return Err(Bbs2023Error::ProofInvalid);
    }
    let hmac_key: Zeroizing<[u8; 32]> = Zeroizing::new(
        base.hmac_key
            .as_slice()
            .try_into()
            .map_err(|_| Bbs2023Error::MalformedProofValue("hmacKey must be 32 bytes".into()))?,
    );
    let obj = unsecured(document)?;
    let canonical_config =
        canon::canonicalize_proof_config(&config.options, obj.get("@context"), loader).await?;
    let document = Value::Object(obj);
    let transform = base_transform(&document, &base.mandatory_pointers, &hmac_key, loader).await?;
    let hashes = HashData {
        proof_hash: sha256(&canonical_config),
        mandatory_hash: sha256(transform.mandatory.values().cloned().collect::<String>()),
    };
    if hashes.bbs_header() != base.bbs_header {
        return Err(Bbs2023Error::ProofInvalid);
    }
    let messages: Vec<Vec<u8>> = transform
        .non_mandatory
        .values()
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let signature_bytes: [u8; 80] =
        base.bbs_signature.as_slice().try_into().map_err(|_| {
            Bbs2023Error::MalformedProofValue("bbsSignature must be 80 bytes".into())
        })?;
    let signature = Signature::<BbsBls12381Sha256>::from_bytes(&signature_bytes)
        .map_err(|_| Bbs2023Error::ProofInvalid)?;
    signature
        .verify(public_key.inner()?, Some(&messages), Some(&base.bbs_header))
        .map_err(|_| Bbs2023Error::ProofInvalid)?;
    Ok(config)
}
