//! Safe mode must not refuse what other implementations produce: every
//! JSON-LD credential, presentation and status list that Digital Bazaar's
//! stack made for `../shared/interop` (or `$CREDENCE_INTEROP`) and that its
//! MANIFEST expects valid passes the profile and the compaction round trip
//! with its contexts loaded (whether its proofs verify, and whether the
//! policy accepts it, is the verifier's business, not this test's).

use credence::model::{context_loader_with, CREDENCE_CONTEXT_URL, VC_V2_CONTEXT_URL};
use credence::verify::signed::SafeMode;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

fn interop_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENCE_INTEROP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/interop"));
    if dir.join("MANIFEST.json").is_file() {
        Some(dir)
    } else {
        println!(
            "SKIP safe_mode_interop: no interop fixtures at {} (set CREDENCE_INTEROP)",
            dir.display()
        );
        None
    }
}

fn json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn documents_other_implementations_made_pass_safe_mode() {
    let Some(dir) = interop_dir() else { return };
    let index = json(&dir.join("contexts.json"));
    let mut extra = HashMap::new();
    for (url, file) in index.as_object().unwrap() {
        let text = std::fs::read_to_string(dir.join(file.as_str().unwrap())).unwrap();
        extra.insert(url.clone(), text);
    }
    let mut accepted: Vec<&str> = extra.keys().map(String::as_str).collect();
    accepted.extend([VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL]);
    let safe = SafeMode::new(context_loader_with(extra.clone()));
    let manifest = json(&dir.join("MANIFEST.json"));
    let mut checked = 0;
    for entry in manifest["files"].as_array().unwrap() {
        let kind = entry["kind"].as_str().unwrap_or("");
        let valid = entry["expected"] == "valid";
        if !valid || !["credential", "presentation", "status-list-credential"].contains(&kind) {
            continue;
        }
        let file = entry["file"].as_str().unwrap();
        let document = json(&dir.join(file));
        let nested: &[&str] = if kind == "presentation" {
            &["verifiableCredential"]
        } else {
            &[]
        };
        let outcome = safe.statements(&document, &accepted, nested).await;
        assert!(outcome.is_ok(), "{file}: {outcome:?}");
        if kind == "presentation" {
            for credential in document["verifiableCredential"].as_array().unwrap() {
                let outcome = safe.statements(credential, &accepted, &[]).await;
                assert!(outcome.is_ok(), "{file} (embedded): {outcome:?}");
            }
        }
        checked += 1;
    }
    println!("safe mode: {checked} documents from another implementation pass");
    assert!(checked >= 8, "only {checked} interop documents found");
}
