//! credence-verify accepts the published W3C vc-di-bbs derived documents
//! (resolving the issuer's did:key and checking assertionMethod), and
//! refuses them when their key cannot be resolved.

use credence::verify::{verify_credential_with, LocalResolver, VerifyError};
use std::collections::HashMap;
use std::path::PathBuf;

fn vectors() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENCE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"));
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP w3c_derived: vectors not found at {} (set CREDENCE_VECTORS)",
            dir.display()
        );
        None
    }
}

fn read(path: PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn published_derived_documents_are_accepted() {
    let Some(root) = vectors() else { return };
    let ctx = root.join("jsonld-contexts");
    let urls = read(ctx.join("urls.json"));
    let extra: HashMap<String, String> = urls
        .as_object()
        .unwrap()
        .iter()
        .map(|(u, f)| {
            (
                u.clone(),
                std::fs::read_to_string(ctx.join(f.as_str().unwrap())).unwrap(),
            )
        })
        .collect();
    let loader = credence::model::context_loader_with(extra);
    let mut accepted = 0;
    for folder in ["", "prc"] {
        let doc = read(
            root.join("di-bbs")
                .join(folder)
                .join("derivedRevealDocument.json"),
        );
        let verified = verify_credential_with(&doc, &loader, &LocalResolver)
            .await
            .unwrap();
        assert!(verified
            .verification_method
            .starts_with("did:key:zUC7DerdEm"));
        accepted += 1;

        let mut unresolvable = doc.clone();
        unresolvable["proof"]["verificationMethod"] = "did:web:issuer.example#key-1".into();
        assert!(matches!(
            verify_credential_with(&unresolvable, &loader, &LocalResolver).await,
            Err(VerifyError::ResolutionFailed { .. })
        ));
        let mut no_proof = doc.clone();
        no_proof.as_object_mut().unwrap().remove("proof");
        assert!(matches!(
            verify_credential_with(&no_proof, &loader, &LocalResolver).await,
            Err(VerifyError::Malformed(_))
        ));
    }
    println!("W3C vc-di-bbs derived documents accepted: {accepted}/2");
}
