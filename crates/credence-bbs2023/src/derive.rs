//! Selective disclosure: deriving a `bbs-2023` proof from a base proof (the
//! holder's side).

use crate::canon::{self, canonical_id_map, group, parse_pointers, unsecured, ProofConfig};
use crate::proof_value::{BaseProofValue, DerivedProofValue};
use crate::{Bbs2023Error, BbsPublicKey};
use serde_json::Value;
use ssi::json_ld::Loader;
use ssi_di_sd_primitives::select::select_json_ld;
use std::collections::{BTreeMap, HashMap};
use zkryptium::schemes::algorithms::BbsBls12381Sha256;
use zkryptium::schemes::generics::PoKSignature;

/// Group indexes computed while deriving (`derivedGroupIndexes` in the W3C
/// test vectors): positions in the base document's canonical statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupIndexes {
    /// Statements selected by mandatory or selective pointers.
    pub combined: Vec<usize>,
    /// Statements selected by the mandatory pointers.
    pub mandatory: Vec<usize>,
    /// Statements not selected by the mandatory pointers (the BBS messages).
    pub non_mandatory: Vec<usize>,
    /// Statements selected by the selective pointers.
    pub selective: Vec<usize>,
}

/// Everything `createDisclosureData` produces.
#[derive(Debug, Clone)]
pub struct DisclosureData {
    /// The BBS proof over the disclosed messages.
    pub bbs_proof: Vec<u8>,
    /// Verifier label map: canonical label number → shuffled label number.
    pub label_map: BTreeMap<u64, u64>,
    /// Mandatory statement positions among the revealed statements.
    pub mandatory_indexes: Vec<u64>,
    /// Disclosed message positions among the non-mandatory statements.
    pub selective_indexes: Vec<u64>,
    /// The presentation header the proof is bound to.
    pub presentation_header: Vec<u8>,
    /// The document holding only the selected members (without proof).
    pub reveal_document: Value,
    /// Intermediate indexes, for conformance tests.
    pub group_indexes: GroupIndexes,
    /// The base proof's options (without `proofValue`), reused by the
    /// derived proof.
    pub proof_options: serde_json::Map<String, Value>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum G {
    Mandatory,
    Selective,
    Combined,
}

fn label_number(label: &str, prefix: &str) -> Result<u64, Bbs2023Error> {
    label
        .strip_prefix("_:")
        .unwrap_or(label)
        .strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| Bbs2023Error::JsonLd(format!("unexpected blank node label {label}")))
}

fn position(sorted: &[usize], value: usize) -> Option<u64> {
    sorted.binary_search(&value).ok().map(|p| p as u64)
}

/// `createDisclosureData`: computes the selective disclosure of a document
/// secured with a base proof. The base proof itself is *not* verified here
/// (the holder cannot: see the crate docs); callers verify it on receipt.
pub async fn create_disclosure_data(
    base_document: &Value,
    selective_pointers: &[String],
    presentation_header: &[u8],
    loader: &impl Loader,
) -> Result<DisclosureData, Bbs2023Error> {
    let config = ProofConfig::from_document(base_document)?;
    let base = BaseProofValue::decode(&config.proof_value)?;
    let public_key = BbsPublicKey::from_bytes(&base.public_key)?;
    let document = unsecured(base_document)?;

    let mandatory = parse_pointers(&base.mandatory_pointers)?;
    let selective = parse_pointers(selective_pointers)?;
    let combined: Vec<_> = mandatory.iter().chain(selective.iter()).cloned().collect();
    let groups = HashMap::from([
        (G::Mandatory, mandatory),
        (G::Selective, selective),
        (G::Combined, combined.clone()),
    ]);
    let grouped = group(loader, &base.hmac_key, &document, groups).await?;
    let set = |g: &G| -> Vec<usize> {
        grouped
            .matching
            .get(g)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    };
    let combined_idx = set(&G::Combined);
    let mandatory_idx = set(&G::Mandatory);
    let selective_idx = set(&G::Selective);
    let non_mandatory_idx: Vec<usize> = (0..grouped.lines.len())
        .filter(|i| mandatory_idx.binary_search(i).is_err())
        .collect();

    let mandatory_indexes: Vec<u64> = mandatory_idx
        .iter()
        .filter_map(|i| position(&combined_idx, *i))
        .collect();
    let selective_indexes: Vec<u64> = selective_idx
        .iter()
        .filter_map(|i| position(&non_mandatory_idx, *i))
        .collect();

    let messages: Vec<Vec<u8>> = non_mandatory_idx
        .iter()
        .map(|i| grouped.lines[*i].as_bytes().to_vec())
        .collect();
    let disclosed: Vec<usize> = selective_indexes.iter().map(|i| *i as usize).collect();
    let proof = PoKSignature::<BbsBls12381Sha256>::proof_gen(
        public_key.inner()?,
        &base.bbs_signature,
        Some(&base.bbs_header),
        Some(presentation_header),
        Some(&messages),
        Some(&disclosed),
    )
    .map_err(|e| Bbs2023Error::Bbs(e.to_string()))?;

    let reveal = select_json_ld(&combined, &canon::to_syntax_object(&document)?)
        .map_err(|_| Bbs2023Error::InvalidPointer(selective_pointers.join(", ")))?
        .ok_or_else(|| Bbs2023Error::InvalidPointer("no pointers selected anything".into()))?;
    let reveal_document = json_syntax::Value::Object(reveal).into_serde_json();

    let combined_quads = grouped
        .deskolemized
        .get(&G::Combined)
        .cloned()
        .unwrap_or_default();
    let mut label_map = BTreeMap::new();
    for (input, canonical) in canonical_id_map(&combined_quads) {
        let shuffled = grouped.label_map.get(&input).ok_or_else(|| {
            Bbs2023Error::JsonLd(format!("blank node {input} has no shuffled label"))
        })?;
        label_map.insert(
            label_number(canonical.as_str(), "c14n")?,
            label_number(shuffled.as_str(), "b")?,
        );
    }

    Ok(DisclosureData {
        bbs_proof: proof.to_bytes(),
        label_map,
        mandatory_indexes,
        selective_indexes,
        presentation_header: presentation_header.to_vec(),
        reveal_document,
        group_indexes: GroupIndexes {
            combined: combined_idx,
            mandatory: mandatory_idx,
            non_mandatory: non_mandatory_idx,
            selective: selective_idx,
        },
        proof_options: config.options,
    })
}

/// Derives a selectively disclosed document: only the statements reached by
/// the base proof's mandatory pointers and `selective_pointers` remain, with
/// a derived proof bound to `presentation_header`.
pub async fn derive(
    base_document: &Value,
    selective_pointers: &[String],
    presentation_header: &[u8],
    loader: &impl Loader,
) -> Result<Value, Bbs2023Error> {
    let data = create_disclosure_data(
        base_document,
        selective_pointers,
        presentation_header,
        loader,
    )
    .await?;
    let proof_value = DerivedProofValue {
        bbs_proof: data.bbs_proof,
        label_map: data.label_map,
        mandatory_indexes: data.mandatory_indexes,
        selective_indexes: data.selective_indexes,
        presentation_header: data.presentation_header,
    }
    .encode()?;
    let mut proof = data.proof_options;
    proof.insert("proofValue".into(), proof_value.into());
    let mut derived = data.reveal_document;
    if let Value::Object(obj) = &mut derived {
        obj.insert("proof".into(), Value::Object(proof));
    }
    Ok(derived)
}
