//! W3C vc-di-bbs (`bbs-2023`) vectors: the canonical form of every
//! published base document; both signed base documents verify with the
//! published key; both derived documents verify through `credence-verify`
//! (resolving the issuer's did:key, checking assertionMethod) and are
//! refused changed, unresolvable or without a proof. The step-by-step
//! reproduction of the base and derive pipelines (HMAC labels, groups,
//! indexes, exact proofValue bytes) is `crates/credence-bbs2023/tests/w3c_vectors.rs`.

use crate::support::{ensure, loader, read_json, Report};
use credence::bbs2023::{canonicalize_document, verify_base, BbsPublicKey};
use credence::did::DidError;
use credence::did::LocalResolver;
use credence::verify::{verify_credential_with, ParseError, VerifyError};
use serde_json::Value;
use ssi::json_ld::ContextLoader;
use std::path::Path;

const KIND: &str = "W3C vc-di-bbs bbs-2023";

fn without_proof(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if let Some(o) = doc.as_object_mut() {
        o.remove("proof");
    }
    doc
}

async fn canon(dir: &Path, loader: &ContextLoader) -> Result<(), String> {
    let signed = read_json(dir.join("addSignedSDBase.json"));
    let ours = canonicalize_document(&without_proof(&signed), loader)
        .await
        .map_err(|e| e.to_string())?;
    let published: Vec<String> =
        serde_json::from_value(read_json(dir.join("addBaseDocCanon.json")))
            .map_err(|e| e.to_string())?;
    ensure(ours == published, || "canonical N-Quads differ".into())
}

async fn base(dir: &Path, key: &BbsPublicKey, loader: &ContextLoader) -> Result<(), String> {
    let signed = read_json(dir.join("addSignedSDBase.json"));
    verify_base(&signed, key, loader)
        .await
        .map_err(|e| e.to_string())?;
    let mut changed = signed.clone();
    changed["issuer"] = Value::String("did:example:not-the-issuer".into());
    ensure(verify_base(&changed, key, loader).await.is_err(), || {
        "a changed base document verified".into()
    })
}

async fn derived(dir: &Path, loader: &ContextLoader) -> Result<(), String> {
    let doc = read_json(dir.join("derivedRevealDocument.json"));
    let verified = verify_credential_with(&doc, loader, &LocalResolver)
        .await
        .map_err(|e| e.to_string())?;
    ensure(
        verified
            .verification_method
            .starts_with("did:key:zUC7DerdEm"),
        || format!("signed by {}", verified.verification_method),
    )?;
    let mut changed = doc.clone();
    changed["issuer"] = Value::String("did:example:not-the-issuer".into());
    ensure(
        verify_credential_with(&changed, loader, &LocalResolver)
            .await
            .is_err(),
        || "a changed derived document verified".into(),
    )?;
    let mut unresolvable = doc.clone();
    unresolvable["proof"]["verificationMethod"] = "did:web:issuer.example#key-1".into();
    ensure(
        matches!(
            verify_credential_with(&unresolvable, loader, &LocalResolver).await,
            Err(VerifyError::Did(DidError::ResolutionFailed { .. }))
        ),
        || "an unresolvable method was not refused with ResolutionFailed".into(),
    )?;
    ensure(
        matches!(
            verify_credential_with(&without_proof(&doc), loader, &LocalResolver).await,
            Err(VerifyError::Parse(ParseError::Malformed(_)))
        ),
        || "a document without proof was not refused as Malformed".into(),
    )
}

/// Runs every vc-di-bbs vector Credence can run.
pub async fn run(root: &Path, report: &mut Report) {
    let dir = root.join("di-bbs");
    let loader = loader(root);
    let material = read_json(dir.join("BBSKeyMaterial.json"));
    let key = hex::decode(material["publicKeyHex"].as_str().unwrap_or(""))
        .map_err(|e| e.to_string())
        .and_then(|b| BbsPublicKey::from_bytes(&b).map_err(|e| e.to_string()));
    for folder in ["", "prc", "HolderBinding", "Pseudonym", "PseudonymHB"] {
        let name = if folder.is_empty() {
            "windsurf"
        } else {
            folder
        };
        report.check(
            KIND,
            format!("{name}: canonical base document"),
            canon(&dir.join(folder), &loader).await,
        );
    }
    for (name, folder) in [("windsurf", ""), ("prc", "prc")] {
        let outcome = match &key {
            Ok(key) => base(&dir.join(folder), key, &loader).await,
            Err(e) => Err(e.clone()),
        };
        report.check(
            KIND,
            format!("{name}: signed base verifies, changed refused"),
            outcome,
        );
        report.check(
            KIND,
            format!("{name}: derived document through credence-verify"),
            derived(&dir.join(folder), &loader).await,
        );
    }
    for folder in ["HolderBinding", "Pseudonym", "PseudonymHB"] {
        report.not_run(
            KIND,
            format!("{folder}: signed base and derived proofs"),
            "the optional bbs-2023 features (holder binding, pseudonyms) need the Blind-BBS \
             and BBS-pseudonym drafts, which credence-bbs2023 does not implement",
        );
    }
}
