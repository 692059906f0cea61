//! The `credence` binary, run as a user would.

use std::path::PathBuf;
use support::credence;

mod support;

#[test]
fn context_prints_the_bundled_vocabulary() {
    let (code, out, _) = credence(&["context"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["@context"]["AgentCredential"].is_string());
}

#[test]
fn policy_check_reports_errors_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[[issuer]]\ndid = \"did:key:zX\"\nname = \"X\"\ncredential_types = [\"AgentCredential\"]\n",
    )
    .unwrap();
    let (code, out, _) = credence(&["policy-check", good.to_str().unwrap()]);
    assert_eq!((code, out.contains("1 trusted issuer")), (0, true));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[issuer]]\ndid = 3\n").unwrap();
    let (code, _, err) = credence(&["policy-check", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("line 2"), "{err}");
    let (code, _, _) = credence(&["policy-check", "/nonexistent.toml"]);
    assert_eq!(code, 2);
}

#[test]
fn verify_credential_accepts_the_w3c_vector_and_rejects_tampering() {
    let vectors = std::env::var_os("CREDENCE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
        });
    if !vectors.join("README.md").is_file() {
        eprintln!(
            "SKIP verify_credential_accepts_the_w3c_vector: no vectors at {}",
            vectors.display()
        );
        return;
    }
    let doc = vectors.join("di-bbs/derivedRevealDocument.json");
    let (code, out, err) = credence(&["verify-credential", doc.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"accepted\":true"));

    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&doc).unwrap()).unwrap();
    v["credentialSubject"]["sailNumber"] = "Mars42".into();
    let dir = tempfile::tempdir().unwrap();
    let tampered = dir.path().join("t.json");
    std::fs::write(&tampered, v.to_string()).unwrap();
    let (code, out, _) = credence(&["verify-credential", tampered.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("\"accepted\":false"));
    let (code, _, _) = credence(&["verify-credential", "/nonexistent.json"]);
    assert_eq!(code, 2);
}
