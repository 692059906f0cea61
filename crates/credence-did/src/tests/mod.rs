//! Unit tests of resolution, relationships and did:web URLs.

mod did_jwk;
mod did_key;
mod documents;

use crate::*;
use ssi::dids::DIDJWK;
use ssi::JWK;

/// Asserts that `result` is a [`DidError::ResolutionFailed`].
#[track_caller]
pub(crate) fn assert_resolution_failed<T: std::fmt::Debug>(
    result: Result<T, DidError>,
    what: &str,
) {
    match result {
        Err(e @ DidError::ResolutionFailed { .. }) => assert_eq!(e.code(), "resolution_failed"),
        other => panic!("{what}: expected resolution_failed, got {other:?}"),
    }
}

/// Asserts that `result` is a [`DidError::KeyNotAuthorized`].
#[track_caller]
pub(crate) fn assert_not_authorized<T: std::fmt::Debug>(result: Result<T, DidError>, what: &str) {
    match result {
        Err(e @ DidError::KeyNotAuthorized { .. }) => assert_eq!(e.code(), "key_not_authorized"),
        other => panic!("{what}: expected key_not_authorized, got {other:?}"),
    }
}

#[tokio::test]
async fn known_documents_resolve_checked_then_fall_back_to_local() {
    let key = JWK::generate_ed25519().expect("key");
    let did = DIDJWK::generate(&key.to_public()).to_string();
    let web = serde_json::json!({"id": "did:web:acme.example", "verificationMethod": []});
    let mut known = KnownDocuments::one(web.clone());
    assert_eq!(
        known
            .resolve_did("did:web:acme.example")
            .await
            .expect("known"),
        web
    );
    assert!(known.resolve_did(&did).await.is_ok(), "did:jwk computed");
    assert!(known.resolve_did("did:web:other.example").await.is_err());
    // A document filed under another DID than its id is refused.
    known.0.insert("did:web:evil.example".into(), web);
    assert!(matches!(
        known.resolve_did("did:web:evil.example").await,
        Err(DidError::ResolutionFailed { .. })
    ));
}

#[tokio::test]
async fn did_jwk_resolves_to_its_key() {
    let key = JWK::generate_ed25519().expect("key");
    let did = DIDJWK::generate(&key.to_public()).to_string();
    let doc = LocalResolver.resolve_did(&did).await.expect("resolves");
    let method = authorized_in(&doc, &format!("{did}#0"), "assertionMethod").expect("listed");
    assert_eq!(method.jwk().expect("jwk"), key.to_public());
    let err = LocalResolver.resolve_did("did:web:example.com").await;
    assert!(matches!(err, Err(DidError::ResolutionFailed { .. })));
}

#[test]
fn did_web_urls() {
    assert_eq!(
        did_web_url("did:web:acme.example").unwrap(),
        "https://acme.example/.well-known/did.json"
    );
    assert_eq!(
        did_web_url("did:web:acme.example:orgs:issuer").unwrap(),
        "https://acme.example/orgs/issuer/did.json"
    );
    assert_eq!(
        did_web_url("did:web:127.0.0.1%3A7400").unwrap(),
        "http://127.0.0.1:7400/.well-known/did.json"
    );
    assert_eq!(
        did_web_url("did:web:acme.example%3A8443").unwrap(),
        "https://acme.example:8443/.well-known/did.json"
    );
    for bad in [
        "did:web:",
        "did:web:a.example:..",
        "did:web:a%2Fb",
        "did:key:z",
    ] {
        assert!(did_web_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn origins_to_did_web() {
    assert_eq!(
        did_web_for_origin("http://127.0.0.1:7400").as_deref(),
        Some("did:web:127.0.0.1%3A7400")
    );
    assert_eq!(
        did_web_for_origin("https://acme.example/").as_deref(),
        Some("did:web:acme.example")
    );
    assert_eq!(did_web_for_origin("http://acme.example"), None);
    assert_eq!(did_web_for_origin("https://acme.example/x"), None);
    let did = did_web_for_origin("http://127.0.0.1:7400").unwrap();
    assert_eq!(
        did_web_url(&did).unwrap(),
        "http://127.0.0.1:7400/.well-known/did.json"
    );
}

#[test]
fn a_document_for_another_did_is_refused() {
    let doc = serde_json::json!({"id": "did:web:evil.example"});
    assert!(matches!(
        authorized_in(&doc, "did:web:good.example#k", "assertionMethod"),
        Err(DidError::ResolutionFailed { .. })
    ));
}
