//! Verification of derived `bbs-2023` proofs (the verifier's side).
//!
//! BBS ProofVerify runs on `credence-bbs-verify` (blst) by default;
//! zkryptium stays selectable per call ([`BbsEngine`]) and is the
//! differential oracle in the tests.

use crate::canon::{self, relabel_with_map, sha256, unsecured, ProofConfig};
use crate::expansion::{Expansion, LoaderExpansion};
use crate::proof_value::DerivedProofValue;
use crate::{Bbs2023Error, BbsPublicKey};
use credence_bbs_verify::Ciphersuite;
use rdf_types::BlankIdBuf;
use serde_json::Value;
use ssi::json_ld::Loader;
use std::collections::HashMap;
use zkryptium::schemes::algorithms::BbsBls12381Sha256;
use zkryptium::schemes::generics::PoKSignature;

/// Which implementation of BBS ProofVerify checks the proof.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BbsEngine {
    /// `credence-bbs-verify`: protocol code over blst (multi-scalar
    /// multiplication, cached generators and prepared keys). The default.
    #[default]
    Blst,
    /// zkryptium's `proof_verify` (pure Rust, about five times slower), run
    /// under `catch_unwind`.
    Zkryptium,
}

/// What a successful verification established.
#[derive(Debug, Clone)]
pub struct VerifiedDerivedProof {
    /// The proof's options (type, cryptosuite, verificationMethod, …).
    pub config: ProofConfig,
    /// The presentation header the holder bound the proof to. The caller must
    /// compare it with the nonce it issued.
    pub presentation_header: Vec<u8>,
    /// The document's statements that the proof verified (every statement
    /// of the revealed document: mandatory and selectively disclosed). A
    /// verifier reads what the credential says from these, never from the
    /// JSON beside them.
    pub statements: Vec<rdf_types::LexicalQuad>,
}

fn blank(prefix: &str, n: u64) -> Result<BlankIdBuf, Bbs2023Error> {
    BlankIdBuf::from_suffix(&format!("{prefix}{n}"))
        .map_err(|_| Bbs2023Error::MalformedProofValue("label map".into()))
}

/// Verifies a document secured with a derived `bbs-2023` proof against the
/// issuer's public key, with the default [`BbsEngine`]. The caller is
/// responsible for resolving that key from `proof.verificationMethod` and
/// for checking the proof purpose.
pub async fn verify_derived(
    document: &Value,
    public_key: &BbsPublicKey,
    loader: &impl Loader,
) -> Result<VerifiedDerivedProof, Bbs2023Error> {
    verify_derived_with(document, public_key, loader, BbsEngine::default()).await
}

/// [`verify_derived`] with a chosen BBS ProofVerify implementation.
pub async fn verify_derived_with(
    document: &Value,
    public_key: &BbsPublicKey,
    loader: &impl Loader,
    engine: BbsEngine,
) -> Result<VerifiedDerivedProof, Bbs2023Error> {
    verify_derived_using(document, public_key, &LoaderExpansion(loader), engine).await
}

/// [`verify_derived_with`] with a chosen JSON-LD [`Expansion`] (a
/// verifier's own, which reuses processed contexts).
pub async fn verify_derived_using(
    document: &Value,
    public_key: &BbsPublicKey,
    expansion: &impl Expansion,
    engine: BbsEngine,
) -> Result<VerifiedDerivedProof, Bbs2023Error> {
    let config = ProofConfig::from_document(document)?;
    let derived = DerivedProofValue::decode(&config.proof_value)?;
    let obj = unsecured(document)?;

    let canonical_config =
        canon::canonicalize_proof_config_using(&config.options, obj.get("@context"), expansion)
            .await?;
    let proof_hash = sha256(&canonical_config);

    let label_map = derived
        .label_map
        .iter()
        .map(|(c, b)| Ok((blank("c14n", *c)?, blank("b", *b)?)))
        .collect::<Result<HashMap<_, _>, Bbs2023Error>>()?;
    // The map is a relabelling: two canonical nodes never share a label.
    let mut labels: Vec<&BlankIdBuf> = label_map.values().collect();
    labels.sort();
    labels.dedup();
    if labels.len() != label_map.len() {
        return Err(Bbs2023Error::MalformedProofValue(
            "the label map gives two blank nodes one label".into(),
        ));
    }
    let (lines, statements) = relabel_with_map(expansion, &obj, &label_map).await?;

    let mut mandatory = String::new();
    let mut messages = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if derived.mandatory_indexes.contains(&(i as u64)) {
            mandatory.push_str(line);
        } else {
            messages.push(line.as_bytes().to_vec());
        }
    }
    if let Some(bad) = derived
        .mandatory_indexes
        .iter()
        .find(|i| **i as usize >= lines.len())
    {
        return Err(Bbs2023Error::IndexMismatch(format!(
            "mandatory index {bad} beyond {} statements",
            lines.len()
        )));
    }
    if messages.len() != derived.selective_indexes.len() {
        return Err(Bbs2023Error::IndexMismatch(format!(
            "{} disclosed statements but {} selective indexes",
            messages.len(),
            derived.selective_indexes.len()
        )));
    }
    let header = [proof_hash.as_slice(), &sha256(&mandatory)].concat();
    let indexes: Vec<usize> = derived
        .selective_indexes
        .iter()
        .map(|i| *i as usize)
        .collect();
    check_proof_length(derived.bbs_proof.len())?;
    let proof = BbsInput {
        public_key,
        proof: &derived.bbs_proof,
        header: &header,
        presentation_header: &derived.presentation_header,
        messages: &messages,
        indexes: &indexes,
    };
    match engine {
        BbsEngine::Blst => proof.verify_blst()?,
        BbsEngine::Zkryptium => proof.verify_zkryptium()?,
    }
    Ok(VerifiedDerivedProof {
        config,
        presentation_header: derived.presentation_header,
        statements,
    })
}

/// What BBS ProofVerify checks.
struct BbsInput<'a> {
    public_key: &'a BbsPublicKey,
    proof: &'a [u8],
    header: &'a [u8],
    presentation_header: &'a [u8],
    messages: &'a [Vec<u8>],
    indexes: &'a [usize],
}

impl BbsInput<'_> {
    fn verify_blst(&self) -> Result<(), Bbs2023Error> {
        credence_bbs_verify::proof_verify(
            Ciphersuite::Bls12381Sha256,
            self.public_key.as_bytes(),
            self.proof,
            self.header,
            self.presentation_header,
            self.messages,
            self.indexes,
        )
        .map_err(|_| Bbs2023Error::ProofInvalid)
    }

    fn verify_zkryptium(&self) -> Result<(), Bbs2023Error> {
        // The BBS library slices and indexes its input; whatever it does
        // with a hostile proof, a panic there is a refusal here, never a
        // crash.
        let verified = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            PoKSignature::<BbsBls12381Sha256>::from_bytes(self.proof)
                .map_err(|_| Bbs2023Error::ProofInvalid)?
                .proof_verify(
                    self.public_key.inner()?,
                    Some(self.messages),
                    Some(self.indexes),
                    Some(self.header),
                    Some(self.presentation_header),
                )
                .map_err(|_| Bbs2023Error::ProofInvalid)
        }));
        verified.map_err(|_| Bbs2023Error::ProofInvalid)?
    }
}

/// The most undisclosed messages a proof may carry: each costs the
/// verifier a message generator (hash-to-curve) before anything can fail.
/// The blst engine also caps disclosed + undisclosed at the same number.
pub const MAX_UNDISCLOSED: usize = 1024;
const _: () = assert!(MAX_UNDISCLOSED == credence_bbs_verify::MAX_MESSAGES);

/// An IETF BBS proof (BLS12-381) is `Abar, Bbar, D` (3 × 48 bytes), `ê,
/// r̂1, r̂3` (3 × 32), one 32-byte scalar per undisclosed message, and the
/// 32-byte challenge.
fn check_proof_length(len: usize) -> Result<(), Bbs2023Error> {
    const FIXED: usize = 3 * 48 + 3 * 32 + 32;
    let undisclosed = len.checked_sub(FIXED).map(|rest| (rest / 32, rest % 32));
    match undisclosed {
        Some((u, 0)) if u <= MAX_UNDISCLOSED => Ok(()),
        _ => Err(Bbs2023Error::MalformedProofValue(format!(
            "a BBS proof of {len} bytes is not one this verifier accepts"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_lengths_outside_the_encoding_are_refused() {
        assert!(check_proof_length(272).is_ok());
        assert!(check_proof_length(272 + 32 * 7).is_ok());
        for bad in [0, 10, 271, 273, 272 + 31, 272 + 32 * (MAX_UNDISCLOSED + 1)] {
            assert!(check_proof_length(bad).is_err(), "{bad}");
        }
    }
}
