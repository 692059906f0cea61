//! Differential test: the verifier's own rdfc signature check against
//! ssi's verification of the same suites (`credence_core`), on documents
//! an independent implementation made (../shared/interop, or
//! `$CREDENCE_INTEROP`), on documents Credence signs, and on mutations of
//! each. Compiled only under `#[cfg(test)]`.

use super::*;
use credence_core::{context_loader_with, verify_ecdsa_rdfc, verify_eddsa_rdfc};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn interop() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENCE_INTEROP")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop"));
    if dir.join("MANIFEST.json").is_file() {
        return Some(dir);
    }
    eprintln!(
        "SKIP rdfc oracle (interop part): no fixtures at {} (set CREDENCE_INTEROP)",
        dir.display()
    );
    None
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every rdfc-secured document of the interop folder, with the folder's
/// contexts; the signer's DID document comes from its `dids/` entry.
fn interop_documents(dir: &Path) -> (Vec<(Value, Value)>, HashMap<String, String>) {
    let mut contexts = HashMap::new();
    for (url, file) in read(&dir.join("contexts.json")).as_object().unwrap() {
        let text = std::fs::read_to_string(dir.join(file.as_str().unwrap())).unwrap();
        contexts.insert(url.clone(), text);
    }
    let dids = read(&dir.join("dids.json"));
    let mut out = Vec::new();
    for entry in read(&dir.join("MANIFEST.json"))["files"]
        .as_array()
        .unwrap()
    {
        let file = entry["file"].as_str().unwrap();
        if !file.ends_with(".json")
            || !(file.starts_with("credentials/") || file.starts_with("presentations/"))
        {
            continue;
        }
        let document = read(&dir.join(file));
        let Some(suite) = document
            .pointer("/proof/cryptosuite")
            .and_then(Value::as_str)
        else {
            continue;
        };
        if RdfcSuite::named(suite).is_none() {
            continue;
        }
        let method = document
            .pointer("/proof/verificationMethod")
            .unwrap()
            .as_str()
            .unwrap();
        let did = credence_did::did_of(method);
        let controller = read(&dir.join(dids[did].as_str().unwrap()));
        out.push((document, controller));
    }
    (out, contexts)
}

/// Documents Credence signs with both suites.
async fn credence_documents(loader: &ssi::json_ld::ContextLoader) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for (key, sign) in [
        (ssi::JWK::generate_ed25519().unwrap(), true),
        (ssi::JWK::generate_p256(), false),
    ] {
        let did = ssi::dids::DIDKey::generate(&key.to_public())
            .unwrap()
            .to_string();
        let method = ssi::dids::DIDKey::generate_url(&key.to_public())
            .unwrap()
            .to_string();
        let controller = credence_did::resolve_local(&did).await.unwrap();
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
            "type": ["VerifiableCredential", "AgentCredential"],
            "issuer": did,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": did, "organization": "Acme Corp", "capabilities": ["a.b", "c.d"]},
        });
        let signing = credence_core::EddsaSigning {
            key: &key,
            method: &method,
            controller: controller.clone(),
            purpose: ssi::verification_methods::ProofPurpose::Assertion,
            binding: Some(("nonce-1", "https://verifier.example")),
            created: None,
            expires: None,
        };
        let signed = if sign {
            credence_core::sign_eddsa_rdfc(doc, signing, loader).await
        } else {
            credence_core::sign_ecdsa_rdfc(doc, signing, loader).await
        };
        out.push((signed.unwrap(), controller));
    }
    out
}

/// Mutations of `document`: each string leaf changed (a few, spread over
/// the document, the proof's included), a member removed, and the
/// signature's last character changed.
fn mutations(document: &Value) -> Vec<Value> {
    let mut leaves = Vec::new();
    collect_strings(document, String::new(), &mut leaves);
    let step = (leaves.len() / 10).max(1);
    let mut out: Vec<Value> = leaves
        .iter()
        .step_by(step)
        .map(|pointer| {
            let mut m = document.clone();
            if let Some(Value::String(s)) = m.pointer_mut(pointer) {
                s.push('x');
            }
            m
        })
        .collect();
    let mut removed = document.clone();
    if let Some(subject) = removed
        .get_mut("credentialSubject")
        .and_then(Value::as_object_mut)
    {
        let first = subject.keys().find(|k| *k != "id").cloned();
        first.map(|k| subject.remove(&k));
        out.push(removed);
    }
    out
}

fn collect_strings(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::String(_) if !at.ends_with("/@context") && !at.contains("/@context/") => {
            out.push(at)
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_strings(v, format!("{at}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (k, v) in members {
                collect_strings(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// What ssi says of `document`, at the proof's own `created` time.
async fn oracle(
    document: &Value,
    controller: &Value,
    loader: &ssi::json_ld::ContextLoader,
) -> bool {
    let created = document
        .pointer("/proof/created")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or_else(chrono::Utc::now, |t| {
            t.with_timezone(&chrono::Utc) + chrono::Duration::seconds(1)
        });
    let suite = document
        .pointer("/proof/cryptosuite")
        .and_then(Value::as_str);
    let outcome = match suite.and_then(RdfcSuite::named) {
        Some(RdfcSuite::Eddsa2022) => {
            verify_eddsa_rdfc(document, controller.clone(), loader, created).await
        }
        Some(RdfcSuite::Ecdsa2019) => {
            verify_ecdsa_rdfc(document, controller.clone(), loader, created).await
        }
        None => Err("not an rdfc suite".into()),
    };
    outcome.is_ok()
}

async fn ours(document: &Value, controller: &Value, safe: &SafeMode) -> bool {
    let Some(suite) = document
        .pointer("/proof/cryptosuite")
        .and_then(Value::as_str)
        .and_then(RdfcSuite::named)
    else {
        return false;
    };
    let method = document
        .pointer("/proof/verificationMethod")
        .and_then(Value::as_str)
        .unwrap_or("");
    let purpose = document
        .pointer("/proof/proofPurpose")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Ok(method) = credence_did::authorized_in(controller, method, purpose) else {
        return false;
    };
    verify_rdfc_signature(document, suite, &method, safe)
        .await
        .is_ok()
}

/// Runs safe mode on `document` with its own context URLs accepted;
/// whether its unsecured form's expansion was derived and kept (never when
/// safe mode refused the document).
async fn safe_mode(document: &Value, safe: &SafeMode) -> bool {
    let urls: Vec<&str> = match document.get("@context") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(url)) => vec![url.as_str()],
        _ => vec![],
    };
    let nested: &[&str] = if document.get("verifiableCredential").is_some() {
        &["verifiableCredential"]
    } else {
        &[]
    };
    let passed = safe.statements(document, &urls, nested).await.is_ok();
    let mut unsecured = document.clone();
    if let Some(members) = unsecured.as_object_mut() {
        members.remove("proof");
    }
    let kept = safe.keeps_expansion_of(&unsecured);
    // A derivation is kept only for a document that passed safe mode.
    assert!(passed || !kept, "kept for a refused document: {document:#}");
    kept
}

#[tokio::test]
async fn own_rdfc_check_agrees_with_ssi_on_every_document_and_mutation() {
    let (mut documents, contexts) = match interop() {
        Some(dir) => interop_documents(&dir),
        None => (Vec::new(), HashMap::new()),
    };
    let loader = context_loader_with(contexts);
    documents.extend(credence_documents(&loader).await);
    let safe = SafeMode::new(loader.clone());
    let (mut cases, mut accepted, mut derived) = (0, 0, 0);
    for (document, controller) in &documents {
        for candidate in std::iter::once(document.clone()).chain(mutations(document)) {
            let expected = oracle(&candidate, controller, &loader).await;
            let got = ours(&candidate, controller, &safe).await;
            assert_eq!(
                got, expected,
                "ssi says {expected}, we say {got}: {candidate:#}"
            );
            // Again after safe mode, which derives the unsecured form's
            // expansion from the whole document's.
            let warm = SafeMode::new(loader.clone());
            if safe_mode(&candidate, &warm).await {
                derived += 1;
                let got = ours(&candidate, controller, &warm).await;
                assert_eq!(
                    got, expected,
                    "after safe mode: ssi says {expected}, we say {got}: {candidate:#}"
                );
            }
            cases += 1;
            accepted += usize::from(got);
        }
    }
    eprintln!(
        "rdfc oracle: {} documents, {cases} cases, {accepted} accepted, {derived} checked over a derived expansion",
        documents.len()
    );
    assert!(
        accepted >= 2 && cases - accepted >= 20 && derived >= 20,
        "{accepted} of {cases} accepted, {derived} derived"
    );
}

#[tokio::test]
async fn a_key_of_another_curve_or_a_malformed_signature_is_refused() {
    let loader = context_loader_with(HashMap::new());
    let safe = SafeMode::new(loader.clone());
    let documents = credence_documents(&loader).await;
    let (eddsa, controller) = &documents[0];
    let method = eddsa["proof"]["verificationMethod"].as_str().unwrap();
    let method = credence_did::authorized_in(controller, method, "assertionMethod").unwrap();
    // The Ed25519 key named for ecdsa-rdfc-2019.
    let e = verify_rdfc_signature(eddsa, RdfcSuite::Ecdsa2019, &method, &safe).await;
    assert!(matches!(e, Err(RdfcError::KeyType("P-256"))), "{e:?}");
    // A P-384 key is not one ecdsa-rdfc-2019 (P-256) takes here.
    let b64 = |n: usize| {
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            vec![7u8; n],
        )
    };
    let p384_method = AuthorizedMethod {
        did: "did:example:p384".into(),
        id: "did:example:p384#k".into(),
        method: json!({"id": "did:example:p384#k", "type": "JsonWebKey2020",
            "controller": "did:example:p384",
            "publicKeyJwk": {"kty": "EC", "crv": "P-384", "x": b64(48), "y": b64(48)}}),
    };
    let e = verify_rdfc_signature(eddsa, RdfcSuite::Ecdsa2019, &p384_method, &safe).await;
    assert!(matches!(e, Err(RdfcError::KeyType("P-256"))), "{e:?}");
    // proofValue: not base58btc, wrong length, absent; no proof at all.
    let mut m = eddsa.clone();
    let sig = multibase::decode(m["proof"]["proofValue"].as_str().unwrap())
        .unwrap()
        .1;
    m["proof"]["proofValue"] = json!(multibase::encode(multibase::Base::Base64Url, &sig));
    let e = verify_rdfc_signature(&m, RdfcSuite::Eddsa2022, &method, &safe).await;
    assert!(matches!(e, Err(RdfcError::ProofValue(_))), "{e:?}");
    m["proof"]["proofValue"] = json!(multibase::encode(multibase::Base::Base58Btc, &sig[..63]));
    let e = verify_rdfc_signature(&m, RdfcSuite::Eddsa2022, &method, &safe).await;
    assert!(matches!(e, Err(RdfcError::ProofValue(_))), "{e:?}");
    m["proof"].as_object_mut().unwrap().remove("proofValue");
    let e = verify_rdfc_signature(&m, RdfcSuite::Eddsa2022, &method, &safe).await;
    assert!(matches!(e, Err(RdfcError::ProofValue(_))), "{e:?}");
    m.as_object_mut().unwrap().remove("proof");
    let e = verify_rdfc_signature(&m, RdfcSuite::Eddsa2022, &method, &safe).await;
    assert!(matches!(e, Err(RdfcError::NoProof)), "{e:?}");
    // A changed claim: the signature does not verify.
    let mut m = eddsa.clone();
    m["credentialSubject"]["organization"] = json!("Evil Corp");
    let e = verify_rdfc_signature(&m, RdfcSuite::Eddsa2022, &method, &safe).await;
    assert!(matches!(e, Err(RdfcError::Invalid)), "{e:?}");
    // An undefined term: expansion refuses it before any signature check.
    let mut m = eddsa.clone();
    m["credentialSubject"]["undefinedTerm"] = json!("x");
    let e = verify_rdfc_signature(&m, RdfcSuite::Eddsa2022, &method, &safe).await;
    assert!(matches!(e, Err(RdfcError::Expansion(_))), "{e:?}");
    // The original verifies.
    verify_rdfc_signature(eddsa, RdfcSuite::Eddsa2022, &method, &safe)
        .await
        .unwrap();
}
