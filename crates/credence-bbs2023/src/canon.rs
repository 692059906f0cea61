//! RDF canonicalization helpers: proof configurations, HMAC-shuffled blank
//! node labels, and grouping of canonical N-Quads in *text* order.
//!
//! ssi's `canonicalize_and_group` sorts quads structurally, which disagrees
//! with the N-Quads text order the W3C spec requires whenever blank nodes,
//! IRI prefixes or literal prefixes are involved. Everything here re-sorts by
//! text and recomputes group indexes in that order.

use crate::expansion::{Expansion, LoaderExpansion};
use crate::{Bbs2023Error, CRYPTOSUITE, PROOF_TYPE};
use base64::Engine;
use rdf_types::{BlankIdBuf, LexicalQuad};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use ssi::json_ld::{CompactJsonLd, Loader};
use ssi::rdf::urdna2015::NormalizingSubstitution;
use ssi::rdf::IntoNQuads;
use ssi::JsonPointerBuf;
use ssi_di_sd_primitives::canonicalize::{create_label_map_function, relabel_quads};
use ssi_di_sd_primitives::group::canonicalize_and_group;
use ssi_di_sd_primitives::{HmacShaAny, HmacShaAnyKey};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// The non-signature members of a `bbs-2023` Data Integrity proof.
#[derive(Debug, Clone, PartialEq)]
pub struct ProofConfig {
    /// The whole proof object without `proofValue`.
    pub options: Map<String, Value>,
    /// `verificationMethod`: the DID URL of the signing key.
    pub verification_method: String,
    /// `proofPurpose`, e.g. `assertionMethod`.
    pub proof_purpose: String,
    /// The `proofValue` string.
    pub proof_value: String,
}

impl ProofConfig {
    /// Reads the single `bbs-2023` proof of a secured document.
    pub fn from_document(document: &Value) -> Result<Self, Bbs2023Error> {
        let obj = as_object(document)?;
        let proof = match obj.get("proof") {
            None => return Err(Bbs2023Error::MissingProof),
            Some(Value::Object(p)) => p,
            Some(Value::Array(_)) => {
                return Err(Bbs2023Error::InvalidDocument(
                    "proof sets are not supported: expected exactly one proof".into(),
                ))
            }
            Some(_) => {
                return Err(Bbs2023Error::InvalidDocument(
                    "proof must be an object".into(),
                ))
            }
        };
        let text = |key: &str| -> Result<String, Bbs2023Error> {
            proof
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| Bbs2023Error::InvalidDocument(format!("proof.{key} missing")))
        };
        let ty = text("type")?;
        let suite = proof
            .get("cryptosuite")
            .and_then(Value::as_str)
            .unwrap_or("");
        if ty != PROOF_TYPE || suite != CRYPTOSUITE {
            return Err(Bbs2023Error::WrongCryptosuite(format!("{ty}/{suite}")));
        }
        let mut options = proof.clone();
        options.remove("proofValue");
        Ok(Self {
            verification_method: text("verificationMethod")?,
            proof_purpose: text("proofPurpose")?,
            proof_value: text("proofValue")?,
            options,
        })
    }
}

pub(crate) fn as_object(document: &Value) -> Result<&Map<String, Value>, Bbs2023Error> {
    document
        .as_object()
        .ok_or_else(|| Bbs2023Error::InvalidDocument("expected a JSON object".into()))
}

/// The document without its `proof` member.
pub(crate) fn unsecured(document: &Value) -> Result<Map<String, Value>, Bbs2023Error> {
    let mut obj = as_object(document)?.clone();
    obj.remove("proof");
    Ok(obj)
}

pub(crate) fn to_json_ld(obj: &Map<String, Value>) -> CompactJsonLd {
    CompactJsonLd(json_syntax::Value::from_serde_json(Value::Object(
        obj.clone(),
    )))
}

pub(crate) fn to_syntax_object(
    obj: &Map<String, Value>,
) -> Result<json_syntax::Object, Bbs2023Error> {
    json_syntax::Value::from_serde_json(Value::Object(obj.clone()))
        .into_object()
        .ok_or_else(|| Bbs2023Error::InvalidDocument("expected a JSON object".into()))
}

pub(crate) fn parse_pointers(pointers: &[String]) -> Result<Vec<JsonPointerBuf>, Bbs2023Error> {
    pointers
        .iter()
        .map(|p| {
            p.parse::<JsonPointerBuf>()
                .map_err(|_| Bbs2023Error::InvalidPointer(p.clone()))
        })
        .collect()
}

pub(crate) fn sha256(data: impl AsRef<[u8]>) -> [u8; 32] {
    Sha256::digest(data.as_ref()).into()
}

/// JSON-LD → RDF quads (blank nodes as generated, not yet canonical).
async fn to_quads(
    expansion: &impl Expansion,
    obj: &Map<String, Value>,
) -> Result<Vec<LexicalQuad>, Bbs2023Error> {
    crate::expansion::quads(expansion, obj)
        .await
        .map_err(Bbs2023Error::JsonLd)
}

fn normalize(
    quads: &[LexicalQuad],
) -> ssi::rdf::urdna2015::NormalizedQuads<'_, impl Iterator<Item = rdf_types::LexicalQuadRef<'_>>> {
    ssi::rdf::urdna2015::normalize(quads.iter().map(LexicalQuad::as_lexical_quad_ref))
}

/// RDFC-1.0 canonical N-Quads of a document (without its proof), one
/// statement per line, in text order.
pub async fn canonicalize_document(
    document: &Value,
    loader: &impl Loader,
) -> Result<Vec<String>, Bbs2023Error> {
    let quads = to_quads(&LoaderExpansion(loader), &unsecured(document)?).await?;
    Ok(normalize(&quads).into_nquads_lines())
}

/// The canonical N-Quads of a proof configuration: the proof options (minus
/// `proofValue`) with the document's `@context`.
pub async fn canonicalize_proof_config(
    options: &Map<String, Value>,
    document_context: Option<&Value>,
    loader: &impl Loader,
) -> Result<String, Bbs2023Error> {
    canonicalize_proof_config_using(options, document_context, &LoaderExpansion(loader)).await
}

/// [`canonicalize_proof_config`] with a chosen [`Expansion`].
pub async fn canonicalize_proof_config_using(
    options: &Map<String, Value>,
    document_context: Option<&Value>,
    expansion: &impl Expansion,
) -> Result<String, Bbs2023Error> {
    let mut config = options.clone();
    config.remove("proofValue");
    if let Some(ctx) = document_context {
        config.insert("@context".into(), ctx.clone());
    }
    let quads = to_quads(expansion, &config).await?;
    Ok(normalize(&quads).into_nquads())
}

/// `createShuffledIdLabelMapFunction`: each canonical label is HMAC'd, the
/// digests are sorted, and a node's new label is `b` + its digest's rank.
fn shuffled_label_map(
    hmac: &mut HmacShaAny,
) -> impl '_ + FnMut(&NormalizingSubstitution) -> HashMap<BlankIdBuf, BlankIdBuf> {
    move |canonical| {
        let digests: Vec<(BlankIdBuf, String)> = canonical
            .iter()
            .map(|(key, value)| {
                hmac.update(value.suffix().as_bytes());
                let digest = hmac.finalize_reset();
                let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
                (key.clone(), encoded)
            })
            .collect();
        let mut sorted: Vec<&str> = digests.iter().map(|(_, d)| d.as_str()).collect();
        sorted.sort_unstable();
        digests
            .iter()
            .filter_map(|(key, digest)| {
                let rank = sorted.binary_search(&digest.as_str()).ok()?;
                BlankIdBuf::from_suffix(&format!("b{rank}"))
                    .ok()
                    .map(|label| (key.clone(), label))
            })
            .collect()
    }
}

pub(crate) fn hmac_for(key: &[u8]) -> Result<HmacShaAny, Bbs2023Error> {
    HmacShaAnyKey::from_bytes(key)
        .map(|k| k.to_hmac())
        .map_err(|_| Bbs2023Error::InvalidKey("HMAC key must be 32 bytes".into()))
}

/// The result of canonicalizing a document with shuffled labels and
/// grouping its statements, with every index in N-Quads text order.
pub(crate) struct Grouped<G> {
    /// Every canonical statement, sorted by text, deduplicated.
    pub lines: Vec<String>,
    /// For each group, the indexes (into `lines`) of the statements it selects.
    pub matching: HashMap<G, BTreeSet<usize>>,
    /// For each group, the selected statements with their original blank ids.
    pub deskolemized: HashMap<G, Vec<LexicalQuad>>,
    /// Original blank node id → shuffled label.
    pub label_map: HashMap<BlankIdBuf, BlankIdBuf>,
}

fn line(quad: &LexicalQuad) -> String {
    format!("{} .\n", quad)
}

pub(crate) async fn group<G: Eq + Hash + Clone>(
    loader: &impl Loader,
    hmac_key: &[u8],
    document: &Map<String, Value>,
    groups: HashMap<G, Vec<JsonPointerBuf>>,
) -> Result<Grouped<G>, Bbs2023Error> {
    let mut hmac = hmac_for(hmac_key)?;
    let definitions = groups
        .into_iter()
        .map(|(k, v)| (k, Cow::Owned(v)))
        .collect();
    let result = canonicalize_and_group(
        loader,
        shuffled_label_map(&mut hmac),
        definitions,
        &to_json_ld(document),
    )
    .await
    .map_err(|e| match e {
        ssi_di_sd_primitives::group::GroupError::Select(s) => {
            Bbs2023Error::InvalidPointer(s.to_string())
        }
        other => Bbs2023Error::JsonLd(other.to_string()),
    })?;
    let lines = result.quads.clone().into_nquads_lines();
    let position: HashMap<&str, usize> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut matching = HashMap::new();
    let mut deskolemized = HashMap::new();
    for (name, g) in result.groups {
        let mut set = BTreeSet::new();
        for quad in g.matching.values() {
            let text = line(quad);
            let i = position.get(text.as_str()).ok_or_else(|| {
                Bbs2023Error::JsonLd(format!("grouped statement not canonical: {text}"))
            })?;
            set.insert(*i);
        }
        matching.insert(name.clone(), set);
        deskolemized.insert(name, g.deskolemized_quads);
    }
    Ok(Grouped {
        lines,
        matching,
        deskolemized,
        label_map: result.label_map,
    })
}

/// Canonicalizes a revealed document and relabels its blank nodes with the
/// label map from a derived proof (`c14nN` → `bM`). Every blank node must be
/// covered by the map. Returns the relabelled canonical lines and the
/// document's statements as converted (before relabelling).
pub(crate) async fn relabel_with_map(
    expansion: &impl Expansion,
    document: &Map<String, Value>,
    label_map: &HashMap<BlankIdBuf, BlankIdBuf>,
) -> Result<(Vec<String>, Vec<LexicalQuad>), Bbs2023Error> {
    let quads = to_quads(expansion, document).await?;
    let substitution = normalize(&quads).into_substitution();
    if let Some(missing) = substitution.values().find(|c| !label_map.contains_key(*c)) {
        return Err(Bbs2023Error::IndexMismatch(format!(
            "blank node {missing} is not in the proof's label map"
        )));
    }
    let map = create_label_map_function(label_map)(&substitution);
    let lines = relabel_quads(&map, &quads).into_nquads_lines();
    Ok((lines, quads))
}

/// The canonical map (original blank id → `c14nN`) of a set of quads.
pub(crate) fn canonical_id_map(quads: &[LexicalQuad]) -> NormalizingSubstitution {
    normalize(quads).into_substitution()
}
