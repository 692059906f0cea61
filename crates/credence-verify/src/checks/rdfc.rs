//! The signature of an `eddsa-rdfc-2022` or `ecdsa-rdfc-2019` proof,
//! checked over the verifier's own expansion of the document.
//!
//! As the two specifications say (vc-di-eddsa §3.2, vc-di-ecdsa §3.2):
//! the unsecured document (without `proof`) and the proof configuration
//! (the proof without `proofValue`, with the document's `@context`) are
//! each expanded, canonicalized with RDFC-1.0 (ssi's) and hashed with
//! SHA-256; the signature (Ed25519, or ECDSA P-256 with SHA-256, ssi's)
//! covers the proof configuration hash followed by the document hash.
//! Expansion starts from the processed contexts the verifier keeps
//! ([`crate::signed::processed`]): the same contexts are not processed
//! again for every proof. ssi's own verification of these suites
//! (`credence_core::verify_eddsa_rdfc`) is the differential oracle in the
//! tests.

use crate::signed::SafeMode;
use credence_did::AuthorizedMethod;
use serde_json::Value;
use sha2::{Digest, Sha256};
use ssi::jwk::{Algorithm, Params};
use ssi::rdf::{AnyLdEnvironment, LdEnvironment};

/// The non-selective Data Integrity suites (RDFC-1.0 canonicalization, one
/// signature over the whole document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RdfcSuite {
    /// `eddsa-rdfc-2022` (Ed25519).
    Eddsa2022,
    /// `ecdsa-rdfc-2019` (P-256).
    Ecdsa2019,
}

impl RdfcSuite {
    /// The suite named `cryptosuite`, if it is one of these.
    pub fn named(cryptosuite: &str) -> Option<Self> {
        match cryptosuite {
            "eddsa-rdfc-2022" => Some(Self::Eddsa2022),
            "ecdsa-rdfc-2019" => Some(Self::Ecdsa2019),
            _ => None,
        }
    }

    /// The `cryptosuite` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Eddsa2022 => "eddsa-rdfc-2022",
            Self::Ecdsa2019 => "ecdsa-rdfc-2019",
        }
    }

    /// The JWS algorithm whose verification is this suite's, if `key` is
    /// a key of the suite's curve.
    fn algorithm(self, key: &ssi::JWK) -> Option<Algorithm> {
        match (self, &key.params) {
            (Self::Eddsa2022, Params::OKP(p)) if p.curve == "Ed25519" => Some(Algorithm::EdDSA),
            (Self::Ecdsa2019, Params::EC(p)) if p.curve.as_deref() == Some("P-256") => {
                Some(Algorithm::ES256)
            }
            _ => None,
        }
    }
}

/// Why an rdfc proof's signature does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RdfcError {
    /// The proof names no cryptosuite this check knows.
    #[error("not an eddsa-rdfc-2022 or ecdsa-rdfc-2019 proof")]
    NotRdfc,
    /// The document has no proof object.
    #[error("the document has no proof object")]
    NoProof,
    /// The document or the proof configuration could not be expanded.
    #[error("{0}")]
    Expansion(String),
    /// The expansion could not be canonicalized.
    #[error("RDF canonicalization failed: {0}")]
    Canonicalization(String),
    /// `proofValue` is not a base58btc multibase signature of 64 bytes.
    #[error("proofValue: {0}")]
    ProofValue(String),
    /// The key is not one of the suite's curve.
    #[error("the verification method's key is not a {0} key")]
    KeyType(&'static str),
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Invalid,
}

/// Verifies the signature of `document`'s `eddsa-rdfc-2022` or
/// `ecdsa-rdfc-2019` proof (the suite its `cryptosuite` names) by the key
/// of `method`, over `safe`'s expansion. Only the signature: the caller
/// checks the proof's suite, purpose, times and signer, and that `method`
/// is authorized (as [`crate::Verifier`] does).
pub async fn verify_rdfc_proof(
    document: &Value,
    method: &AuthorizedMethod,
    safe: &SafeMode,
) -> Result<(), RdfcError> {
    let suite = document
        .pointer("/proof/cryptosuite")
        .and_then(Value::as_str)
        .and_then(RdfcSuite::named)
        .ok_or(RdfcError::NotRdfc)?;
    verify_rdfc_signature(document, suite, method, safe).await
}

/// Verifies the `suite` signature of `document` by the key of `method`.
pub(crate) async fn verify_rdfc_signature(
    document: &Value,
    suite: RdfcSuite,
    method: &AuthorizedMethod,
    safe: &SafeMode,
) -> Result<(), RdfcError> {
    let key = method
        .jwk()
        .map_err(|e| RdfcError::Expansion(e.to_string()))?;
    let curve = match suite {
        RdfcSuite::Eddsa2022 => "Ed25519",
        RdfcSuite::Ecdsa2019 => "P-256",
    };
    let algorithm = suite.algorithm(&key).ok_or(RdfcError::KeyType(curve))?;
    let (unsecured, config, signature) = split(document)?;
    let config_hash = canonical_hash(&config, safe).await?;
    let document_hash = canonical_hash(&unsecured, safe).await?;
    let signed = [config_hash, document_hash].concat();
    ssi::claims::jws::verify_bytes(algorithm, &signed, &key, &signature)
        .map_err(|_| RdfcError::Invalid)
}

/// The unsecured document, the proof configuration and the signature.
fn split(document: &Value) -> Result<(Value, Value, Vec<u8>), RdfcError> {
    let mut unsecured = document.as_object().ok_or(RdfcError::NoProof)?.clone();
    let Some(Value::Object(mut config)) = unsecured.remove("proof") else {
        return Err(RdfcError::NoProof);
    };
    let proof_value = match config.remove("proofValue") {
        Some(Value::String(v)) => v,
        _ => return Err(RdfcError::ProofValue("missing or not a string".into())),
    };
    let (base, signature) =
        multibase::decode(&proof_value).map_err(|e| RdfcError::ProofValue(e.to_string()))?;
    if base != multibase::Base::Base58Btc || signature.len() != 64 {
        return Err(RdfcError::ProofValue(
            "expected a base58btc (`z`) multibase value of 64 bytes".into(),
        ));
    }
    let context = unsecured.get("@context").cloned().unwrap_or(Value::Null);
    config.insert("@context".into(), context);
    Ok((Value::Object(unsecured), Value::Object(config), signature))
}

/// SHA-256 of the RDFC-1.0 canonical N-Quads of `document`.
async fn canonical_hash(document: &Value, safe: &SafeMode) -> Result<Vec<u8>, RdfcError> {
    let expanded = safe
        .expand(document)
        .await
        .map_err(|e| RdfcError::Expansion(e.to_string()))?;
    let lines = LdEnvironment::default()
        .canonical_form_of(expanded.as_ref())
        .map_err(|e| RdfcError::Canonicalization(e.to_string()))?;
    let mut hash = Sha256::new();
    for line in &lines {
        hash.update(line.as_bytes());
    }
    Ok(hash.finalize().to_vec())
}

#[cfg(test)]
#[path = "rdfc_oracle.rs"]
mod tests;
