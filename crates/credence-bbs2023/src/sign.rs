//! Base proof creation (the issuer's side of bbs-2023).

use crate::canon::{self, group, parse_pointers, sha256, unsecured};
use crate::proof_value::BaseProofValue;
use crate::{Bbs2023Error, BbsKeyPair, CRYPTOSUITE, PROOF_TYPE};
use rand::RngCore;
use serde_json::{Map, Value};
use ssi::json_ld::Loader;
use std::collections::{BTreeMap, HashMap};
use zeroize::Zeroizing;
use zkryptium::schemes::algorithms::BbsBls12381Sha256;
use zkryptium::schemes::generics::Signature;

/// The base transformation: canonical statements split into the mandatory
/// ones (always disclosed, hashed into the BBS header) and the others (one
/// BBS message each). Indexes are positions in the canonical N-Quads list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseTransform {
    /// Every canonical statement with HMAC-shuffled labels, in text order.
    pub canonical: Vec<String>,
    /// Index → statement selected by the mandatory pointers.
    pub mandatory: BTreeMap<usize, String>,
    /// Index → every other statement.
    pub non_mandatory: BTreeMap<usize, String>,
}

/// The two hashes bound into a base signature's BBS header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashData {
    /// SHA-256 of the canonical proof configuration.
    pub proof_hash: [u8; 32],
    /// SHA-256 of the concatenated mandatory statements.
    pub mandatory_hash: [u8; 32],
}

impl HashData {
    /// `proofHash ‖ mandatoryHash`, the BBS header.
    pub fn bbs_header(&self) -> Vec<u8> {
        [self.proof_hash.as_slice(), self.mandatory_hash.as_slice()].concat()
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Mandatory;

/// Runs the bbs-2023 base transformation of an unsecured document.
pub async fn base_transform(
    document: &Value,
    mandatory_pointers: &[String],
    hmac_key: &[u8; 32],
    loader: &impl Loader,
) -> Result<BaseTransform, Bbs2023Error> {
    let doc = unsecured(document)?;
    let groups = HashMap::from([(Mandatory, parse_pointers(mandatory_pointers)?)]);
    let grouped = group(loader, hmac_key, &doc, groups).await?;
    let selected = grouped
        .matching
        .get(&Mandatory)
        .cloned()
        .unwrap_or_default();
    let mut mandatory = BTreeMap::new();
    let mut non_mandatory = BTreeMap::new();
    for (i, line) in grouped.lines.iter().enumerate() {
        if selected.contains(&i) {
            mandatory.insert(i, line.clone());
        } else {
            non_mandatory.insert(i, line.clone());
        }
    }
    Ok(BaseTransform {
        canonical: grouped.lines,
        mandatory,
        non_mandatory,
    })
}

/// Creates a `bbs-2023` base proof over `document` and returns the secured
/// document. `verification_method` is the issuer key's DID URL; `created`
/// an optional XML Schema dateTime for the proof.
pub async fn sign_base(
    document: &Value,
    keys: &BbsKeyPair,
    verification_method: &str,
    created: Option<&str>,
    mandatory_pointers: &[String],
    loader: &impl Loader,
) -> Result<Value, Bbs2023Error> {
    let mut hmac_key = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(hmac_key.as_mut());
    sign_base_with_hmac_key(
        document,
        keys,
        verification_method,
        created,
        mandatory_pointers,
        &hmac_key,
        loader,
    )
    .await
}

/// [`sign_base`] with a caller-chosen HMAC key (for test vectors; real
/// issuers should let [`sign_base`] draw a fresh one).
pub async fn sign_base_with_hmac_key(
    document: &Value,
    keys: &BbsKeyPair,
    verification_method: &str,
    created: Option<&str>,
    mandatory_pointers: &[String],
    hmac_key: &[u8; 32],
    loader: &impl Loader,
) -> Result<Value, Bbs2023Error> {
    let obj = canon::as_object(document)?;
    if obj.contains_key("proof") {
        return Err(Bbs2023Error::InvalidDocument(
            "the document is already secured".into(),
        ));
    }
    let mut options = Map::new();
    options.insert("type".into(), PROOF_TYPE.into());
    options.insert("cryptosuite".into(), CRYPTOSUITE.into());
    if let Some(created) = created {
        options.insert("created".into(), created.into());
    }
    options.insert("verificationMethod".into(), verification_method.into());
    options.insert("proofPurpose".into(), "assertionMethod".into());

    let canonical_config =
        canon::canonicalize_proof_config(&options, obj.get("@context"), loader).await?;
    let transform = base_transform(document, mandatory_pointers, hmac_key, loader).await?;
    let hashes = HashData {
        proof_hash: sha256(&canonical_config),
        mandatory_hash: sha256(transform.mandatory.values().cloned().collect::<String>()),
    };
    let header = hashes.bbs_header();
    let messages: Vec<Vec<u8>> = transform
        .non_mandatory
        .values()
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let sk = keys.secret_key()?;
    let signature = Signature::<BbsBls12381Sha256>::sign(
        Some(&messages),
        &sk,
        keys.public_key().inner()?,
        Some(&header),
    )
    .map_err(|e| Bbs2023Error::Bbs(e.to_string()))?;

    let proof_value = BaseProofValue {
        bbs_signature: signature.to_bytes().to_vec(),
        bbs_header: header,
        public_key: keys.public_key().as_bytes().to_vec(),
        hmac_key: hmac_key.to_vec(),
        mandatory_pointers: mandatory_pointers.to_vec(),
    }
    .encode()?;
    options.insert("proofValue".into(), proof_value.into());
    let mut secured = obj.clone();
    secured.insert("proof".into(), Value::Object(options));
    Ok(Value::Object(secured))
}
