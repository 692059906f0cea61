//! The W3C vc-di-bbs test vectors (baseline and permanent resident card):
//! intermediate values reproduced step by step, and the published derived
//! documents verified.

mod common;

use common::{read_json, vector_loader, vectors};
use credence_bbs2023::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn map_entries(v: &Value) -> Vec<(usize, String)> {
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_u64().unwrap() as usize,
                e[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn keys(root: &Path) -> (BbsKeyPair, [u8; 32]) {
    let km = read_json(root.join("di-bbs/BBSKeyMaterial.json"));
    let sk = hex::decode(km["privateKeyHex"].as_str().unwrap()).unwrap();
    let pair = BbsKeyPair::from_secret_bytes(&sk).unwrap();
    assert_eq!(
        hex::encode(pair.public_key().as_bytes()),
        km["publicKeyHex"].as_str().unwrap()
    );
    let hmac: [u8; 32] = hex::decode(km["hmacKeyString"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    (pair, hmac)
}

fn unsecured(doc: &Value) -> Value {
    let mut d = doc.clone();
    d.as_object_mut().unwrap().remove("proof");
    d
}

/// Runs the base pipeline on one vector folder and compares every step.
async fn base_pipeline(root: &Path, folder: &str, mandatory_file: &str) {
    let dir = root.join("di-bbs").join(folder);
    let loader = vector_loader(root);
    let (pair, hmac) = keys(root);
    let signed = read_json(dir.join("addSignedSDBase.json"));
    let input = unsecured(&signed);
    let mandatory = strings(&read_json(root.join("di-bbs").join(mandatory_file)));

    // RDFC canonical form of the input document.
    let canon = canonicalize_document(&input, &loader).await.unwrap();
    assert_eq!(canon, strings(&read_json(dir.join("addBaseDocCanon.json"))));

    // Proof configuration canonical form and hash.
    let mut options = signed["proof"].as_object().unwrap().clone();
    options.remove("proofValue");
    let config = canonicalize_proof_config(&options, input.get("@context"), &loader)
        .await
        .unwrap();
    if let Ok(expected) = std::fs::read_to_string(dir.join("addProofConfigCanon.txt")) {
        assert_eq!(config, expected);
    }
    let hashes = read_json(dir.join("addHashData.json"));
    assert_eq!(
        hex::encode(Sha256::digest(config.as_bytes())),
        hashes["proofHash"].as_str().unwrap()
    );

    // HMAC-shuffled canonical statements and the mandatory split.
    let t = base_transform(&input, &mandatory, &hmac, &loader)
        .await
        .unwrap();
    assert_eq!(
        t.canonical,
        strings(&read_json(dir.join("addBaseDocHMACCanon.json")))
    );
    let bt = read_json(dir.join("addBaseTransform.json"));
    assert_eq!(
        t.mandatory.clone().into_iter().collect::<Vec<_>>(),
        map_entries(&bt["mandatory"])
    );
    assert_eq!(
        t.non_mandatory.clone().into_iter().collect::<Vec<_>>(),
        map_entries(&bt["nonMandatory"])
    );
    let mandatory_hash = Sha256::digest(t.mandatory.values().cloned().collect::<String>());
    assert_eq!(
        hex::encode(mandatory_hash),
        hashes["mandatoryHash"].as_str().unwrap()
    );

    // BBS Sign is deterministic: the whole proofValue must match.
    let ours = sign_base_with_hmac_key(
        &input,
        &pair,
        signed["proof"]["verificationMethod"].as_str().unwrap(),
        signed["proof"]["created"].as_str(),
        &mandatory,
        &hmac,
        &loader,
    )
    .await
    .unwrap();
    assert_eq!(ours["proof"]["proofValue"], signed["proof"]["proofValue"]);
}

#[tokio::test]
async fn baseline_base_proof_reproduces_every_step() {
    let Some(root) = vectors("baseline_base_proof_reproduces_every_step") else {
        return;
    };
    base_pipeline(&root, "", "windMandatory.json").await;
}

#[tokio::test]
async fn prc_base_proof_reproduces_every_step() {
    let Some(root) = vectors("prc_base_proof_reproduces_every_step") else {
        return;
    };
    base_pipeline(&root, "prc", "prCredMandatory.json").await;
}

async fn derive_pipeline(root: &Path, folder: &str, selective_file: &str) {
    let dir = root.join("di-bbs").join(folder);
    let loader = vector_loader(root);
    let (pair, _) = keys(root);
    let signed = read_json(dir.join("addSignedSDBase.json"));
    let selective = strings(&read_json(root.join("di-bbs").join(selective_file)));
    let ph = hex::decode(
        read_json(root.join("di-bbs/BBSDeriveMaterial.json"))["presentationHeaderHex"]
            .as_str()
            .unwrap(),
    )
    .unwrap();

    let data = create_disclosure_data(&signed, &selective, &ph, &loader)
        .await
        .unwrap();
    let groups = read_json(dir.join("derivedGroupIndexes.json"));
    let as_usize = |v: &Value| -> Vec<usize> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as usize)
            .collect()
    };
    assert_eq!(
        data.group_indexes.combined,
        as_usize(&groups["combinedIndexes"])
    );
    assert_eq!(
        data.group_indexes.mandatory,
        as_usize(&groups["mandatoryIndexes"])
    );
    assert_eq!(
        data.group_indexes.non_mandatory,
        as_usize(&groups["nonMandatoryIndexes"])
    );
    assert_eq!(
        data.group_indexes.selective,
        as_usize(&groups["selectiveIndexes"])
    );
    let adj = read_json(dir.join("derivedAdjIndexes.json"));
    let as_u64 = |v: &Value| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap())
            .collect()
    };
    assert_eq!(data.mandatory_indexes, as_u64(&adj["adjMandatoryIndexes"]));
    assert_eq!(data.selective_indexes, as_u64(&adj["adjSelectiveIndexes"]));

    let disclosure = read_json(dir.join("derivedDisclosureData.json"));
    let expected_labels: std::collections::BTreeMap<u64, u64> = disclosure["labelMap"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let c = e[0]
                .as_str()
                .unwrap()
                .trim_start_matches("c14n")
                .parse()
                .unwrap();
            let b = e[1]
                .as_str()
                .unwrap()
                .trim_start_matches('b')
                .parse()
                .unwrap();
            (c, b)
        })
        .collect();
    assert_eq!(data.label_map, expected_labels);
    assert_eq!(
        data.reveal_document,
        read_json(dir.join("derivedUnsignedReveal.json"))
    );

    // Our own derivation verifies, bound to the presentation header.
    let derived = derive(&signed, &selective, &ph, &loader).await.unwrap();
    for engine in [BbsEngine::Blst, BbsEngine::Zkryptium] {
        let ok = verify_derived_with(&derived, pair.public_key(), &loader, engine)
            .await
            .unwrap();
        assert_eq!(ok.presentation_header, ph);
    }
}

#[tokio::test]
async fn baseline_derive_reproduces_indexes_and_label_map() {
    let Some(root) = vectors("baseline_derive_reproduces_indexes_and_label_map") else {
        return;
    };
    derive_pipeline(&root, "", "windSelective.json").await;
}

#[tokio::test]
async fn prc_derive_reproduces_indexes_and_label_map() {
    let Some(root) = vectors("prc_derive_reproduces_indexes_and_label_map") else {
        return;
    };
    derive_pipeline(&root, "prc", "prCredSelective.json").await;
}

#[tokio::test]
async fn published_derived_documents_verify_and_tampering_fails() {
    let Some(root) = vectors("published_derived_documents_verify_and_tampering_fails") else {
        return;
    };
    let loader = vector_loader(&root);
    let (pair, _) = keys(&root);
    let other = BbsKeyPair::generate().unwrap();
    for engine in [BbsEngine::Blst, BbsEngine::Zkryptium] {
        for folder in ["", "prc"] {
            let path = root
                .join("di-bbs")
                .join(folder)
                .join("derivedRevealDocument.json");
            let doc = read_json(path);
            let ok = verify_derived_with(&doc, pair.public_key(), &loader, engine)
                .await
                .unwrap_or_else(|e| panic!("{engine:?} {folder}: {e}"));
            assert_eq!(hex::encode(&ok.presentation_header), "113377aa", "{folder}");

            // Any change to a disclosed statement breaks the proof.
            let mut tampered = doc.clone();
            let subject = tampered["credentialSubject"].as_object_mut().unwrap();
            let (key, _) = subject
                .iter()
                .find(|(k, v)| *k != "id" && *k != "type" && v.is_string())
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap();
            subject.insert(key, "tampered".into());
            assert!(matches!(
                verify_derived_with(&tampered, pair.public_key(), &loader, engine).await,
                Err(Bbs2023Error::ProofInvalid)
            ));
            // A different key does not verify it either.
            assert!(matches!(
                verify_derived_with(&doc, other.public_key(), &loader, engine).await,
                Err(Bbs2023Error::ProofInvalid)
            ));
        }
    }
}

#[tokio::test]
async fn published_base_documents_verify_and_tampering_fails() {
    let Some(root) = vectors("published_base_documents_verify_and_tampering_fails") else {
        return;
    };
    let loader = vector_loader(&root);
    let (pair, _) = keys(&root);
    for folder in ["", "prc"] {
        let signed = read_json(
            root.join("di-bbs")
                .join(folder)
                .join("addSignedSDBase.json"),
        );
        verify_base(&signed, pair.public_key(), &loader)
            .await
            .unwrap_or_else(|e| panic!("{folder}: {e}"));
        // A changed claim, and another key, are both rejected.
        let mut tampered = signed.clone();
        let subject = tampered["credentialSubject"].as_object_mut().unwrap();
        let key = subject
            .iter()
            .find(|(k, v)| *k != "id" && *k != "type" && v.is_string())
            .map(|(k, _)| k.clone())
            .unwrap();
        subject.insert(key, "tampered".into());
        assert!(matches!(
            verify_base(&tampered, pair.public_key(), &loader).await,
            Err(Bbs2023Error::ProofInvalid)
        ));
        let other = BbsKeyPair::generate().unwrap();
        assert!(matches!(
            verify_base(&signed, other.public_key(), &loader).await,
            Err(Bbs2023Error::ProofInvalid)
        ));
    }
}
