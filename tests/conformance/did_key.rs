//! w3c-ccg did:key vectors: each DID of a key type Credence uses
//! (Ed25519, P-256, BLS12-381 G2) resolves, with the `did#fragment`
//! method listed for assertionMethod, to exactly the published key. The
//! other key types are listed with what the resolver does with them.

use crate::support::{ensure, files, read_json, Report};
use credence::did::{authorized_in, resolve_local};
use serde_json::Value;
use std::path::Path;

const KIND: &str = "did:key (w3c-ccg)";

/// DID prefixes of the key types Credence signs or verifies with.
const SUPPORTED: &[(&str, &str)] = &[
    ("did:key:z6Mk", "Ed25519"),
    ("did:key:zDna", "P-256"),
    ("did:key:zUC7", "BLS12-381 G2"),
];

/// The published key of one vector entry (a key pair, a method, or a
/// bare DID document whose first method holds the key).
fn expected_key(entry: &Value) -> &Value {
    for k in ["verificationKeyPair", "verificationMethod"] {
        match entry.get(k) {
            Some(Value::Array(methods)) => return methods.first().unwrap_or(entry),
            Some(v) => return v,
            None => {}
        }
    }
    entry
}

fn jwk_public(v: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for k in ["kty", "crv", "x", "y", "n", "e"] {
        if let Some(x) = v.get(k) {
            out.insert(k.into(), x.clone());
        }
    }
    Value::Object(out)
}

async fn check(did: &str, entry: &Value) -> Result<(), String> {
    let doc = resolve_local(did).await.map_err(|e| e.to_string())?;
    let fragment = did.trim_start_matches("did:key:");
    let url = format!("{did}#{fragment}");
    // X25519 keys (z6LS…) are for key agreement only.
    let purpose = if did.starts_with("did:key:z6LS") {
        "keyAgreement"
    } else {
        "assertionMethod"
    };
    let method = authorized_in(&doc, &url, purpose).map_err(|e| e.to_string())?;
    let want = expected_key(entry);
    if let Some(b58) = want.get("publicKeyBase58").and_then(Value::as_str) {
        let raw = multibase::Base::Base58Btc
            .decode(b58)
            .map_err(|e| e.to_string())?;
        let (_, ours) =
            multibase::decode(method.public_key_multibase().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        // Multikey = 2-byte varint multicodec prefix + the key bytes.
        ensure(ours.len() == raw.len() + 2 && ours.ends_with(&raw), || {
            "the resolved key differs from publicKeyBase58".into()
        })
    } else if let Some(jwk) = want.get("publicKeyJwk") {
        let ours = serde_json::to_value(method.jwk().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        ensure(jwk_public(&ours) == jwk_public(jwk), || {
            format!("the resolved JWK {ours} differs")
        })
    } else {
        Err("the vector has no public key".into())
    }
}

/// Every DID of every did:key vector file.
pub async fn run(root: &Path, report: &mut Report) {
    for path in files(root.join("did-key")) {
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let file = read_json(&path);
        // x25519.json is shaped {"didDocument": {DID: document}}.
        let entries = file
            .get("didDocument")
            .and_then(Value::as_object)
            .or_else(|| file.as_object())
            .cloned()
            .unwrap_or_default();
        for (did, entry) in entries {
            let name = format!("{}: {did}", path.file_name().unwrap().to_string_lossy());
            let outcome = check(&did, &entry).await;
            match (outcome, SUPPORTED.iter().any(|(p, _)| did.starts_with(p))) {
                (Err(e), false) => report.not_run(
                    KIND,
                    name,
                    &format!(
                        "key type outside Credence's set (Ed25519, P-256, BLS12-381 G2) \
                         and not resolved as published by ssi 0.16 as built here: {e}"
                    ),
                ),
                (outcome, _) => report.check(KIND, name, outcome),
            }
        }
    }
}
