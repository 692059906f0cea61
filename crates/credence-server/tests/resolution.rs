//! did:web resolution and status-list failures, each over real HTTP on
//! loopback: an issuer origin whose server is slow, oversized, serves a
//! document for another DID, is down, or serves a status list that is
//! forged, tampered or missing. The verifier must refuse with the typed
//! reason and never accept.

mod common;

use axum::routing::get;
use axum::{Json, Router};
use chrono::{Duration, Utc};
use common::{bind, serve, KnownFirst};
use credence_bbs2023::BbsKeyPair;
use credence_core::{AgentProfile, PROFILE_CLAIMS};
use credence_did::DidError;
use credence_did::{CacheConfig, DidResolver, FetchLimits};
use credence_issuer::{Authority, Issuer, StatusRegistry};
use credence_verify::{StatusError, TrustError, TrustPolicy, Verifier, VerifyError};
use credence_wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, PartialEq)]
enum Did {
    Normal,
    Slow,
    Oversized,
    WrongId,
}

#[derive(Clone, Copy, PartialEq)]
enum List {
    Normal,
    Tampered,
    ForeignSigner,
    Expired,
    Gone,
}

struct Case {
    _dir: tempfile::TempDir,
    verifier: Verifier,
    wallet: Wallet,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Case {
    async fn verify(&self) -> Result<(), VerifyError> {
        let request = self
            .verifier
            .create_request_for(credence_core::agent_credential_query(&[
                "organization",
                "capabilities",
            ]))
            .await
            .expect("a valid query");
        let vp = self.wallet.present(&request).await.unwrap();
        self.verifier.verify_presentation(&vp).await.map(|_| ())
    }
}

fn limits() -> FetchLimits {
    FetchLimits {
        connect_timeout: std::time::Duration::from_millis(500),
        timeout: std::time::Duration::from_millis(700),
        max_bytes: 64 * 1024,
    }
}

async fn case(did: Did, list: List) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let (listener, origin) = bind().await;
    let authority = Authority::create(
        dir.path().join("issuer"),
        &Unlock::passphrase("pw"),
        KdfParams::minimal(),
        &origin,
    )
    .unwrap();
    let issuer_did = authority.issuer().did().to_owned();
    let doc = authority.issuer().did_document().unwrap();

    let wallet = Wallet::create(
        dir.path().join("agent"),
        &Unlock::passphrase("pw"),
        KdfParams::minimal(),
    )
    .unwrap()
    .with_resolver(Arc::new(KnownFirst(HashMap::from([(
        issuer_did.clone(),
        doc.clone(),
    )]))));
    wallet
        .set_holder_policy(&HolderPolicy::default().allow_domain("127.0.0.1", PROFILE_CLAIMS))
        .unwrap();
    let now = Utc::now();
    let (credential, _) = authority
        .issue(
            wallet.did(),
            &AgentProfile::sample(),
            now - Duration::hours(1),
            now + Duration::hours(1),
        )
        .await
        .unwrap();
    wallet.import(&credential).await.unwrap();

    let served_doc = match did {
        Did::WrongId => {
            let mut d = doc.clone();
            d["id"] = json!("did:web:evil.example");
            d
        }
        Did::Oversized => json!({"id": issuer_did, "padding": "x".repeat(200 * 1024)}),
        _ => doc.clone(),
    };
    let mut revocation = authority.status_list("revocation").await.unwrap();
    let suspension = authority.status_list("suspension").await.unwrap();
    match list {
        List::Tampered => {
            // Claim a different list under the issuer's signature.
            let mut other = StatusRegistry::default();
            let i = other.assign().unwrap();
            other.set(i, "revocation", true).unwrap();
            revocation["credentialSubject"]["encodedList"] =
                other.encoded_list("revocation").unwrap();
        }
        List::ForeignSigner => {
            // Same origin, same DID string, someone else's keys.
            let impostor = Issuer::web(
                &origin,
                BbsKeyPair::generate().unwrap(),
                ssi::JWK::generate_ed25519().unwrap(),
            )
            .unwrap();
            revocation = StatusRegistry::default()
                .credential(&impostor, "revocation", Duration::hours(1), 30_000)
                .await
                .unwrap();
        }
        List::Expired => {
            // Genuinely signed by the issuer, but its validity is over: a
            // stale list replayed to hide a later revocation.
            revocation = StatusRegistry::default()
                .credential(authority.issuer(), "revocation", Duration::zero(), 30_000)
                .await
                .unwrap();
        }
        _ => {}
    }
    let mut router = Router::new().route(
        "/.well-known/did.json",
        get(move || {
            let doc = served_doc.clone();
            async move {
                if did == Did::Slow {
                    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                }
                Json(doc)
            }
        }),
    );
    if list != List::Gone {
        router = router
            .route(
                "/status/revocation",
                get(move || async move { Json(revocation.clone()) }),
            )
            .route(
                "/status/suspension",
                get(move || async move { Json(suspension.clone()) }),
            );
    }
    let stop = serve(listener, router);
    let policy =
        TrustPolicy::from_toml(&common::policy_text(&issuer_did, "https://tool.example")).unwrap();
    let verifier = Verifier::new("http://127.0.0.1:9", policy)
        .with_resolver(Arc::new(DidResolver::new(limits(), CacheConfig::default())))
        .with_status_fetching(limits(), CacheConfig::default());
    Case {
        _dir: dir,
        verifier,
        wallet,
        stop: Some(stop),
    }
}

fn resolution_reason(e: VerifyError) -> String {
    match e {
        VerifyError::Did(DidError::ResolutionFailed { reason, .. }) => reason,
        other => panic!("expected ResolutionFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_served_issuer_with_a_valid_status_list_is_accepted() {
    case(Did::Normal, List::Normal)
        .await
        .verify()
        .await
        .unwrap();
}

#[tokio::test]
async fn did_web_that_is_slow_oversized_or_for_another_did_is_refused() {
    let reason = resolution_reason(
        case(Did::Slow, List::Normal)
            .await
            .verify()
            .await
            .unwrap_err(),
    );
    assert!(reason.contains("timed out"), "{reason}");
    let reason = resolution_reason(
        case(Did::Oversized, List::Normal)
            .await
            .verify()
            .await
            .unwrap_err(),
    );
    assert!(reason.contains("larger than"), "{reason}");
    let reason = resolution_reason(
        case(Did::WrongId, List::Normal)
            .await
            .verify()
            .await
            .unwrap_err(),
    );
    assert!(reason.contains("did:web:evil.example"), "{reason}");
}

#[tokio::test]
async fn did_web_that_is_unreachable_is_refused() {
    let mut c = case(Did::Normal, List::Normal).await;
    drop(c.stop.take());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let reason = resolution_reason(c.verify().await.unwrap_err());
    assert!(reason.contains("unreachable"), "{reason}");
}

#[tokio::test]
async fn forged_tampered_expired_or_missing_status_lists_fail_closed() {
    for list in [List::Tampered, List::ForeignSigner] {
        match case(Did::Normal, list).await.verify().await.unwrap_err() {
            VerifyError::Status(StatusError::ListInvalid { reason, .. }) => {
                assert!(reason.contains("bad signature"), "{reason}")
            }
            other => panic!("expected StatusListInvalid, got {other:?}"),
        }
    }
    match case(Did::Normal, List::Expired)
        .await
        .verify()
        .await
        .unwrap_err()
    {
        VerifyError::Status(StatusError::ListInvalid { reason, .. }) => {
            assert!(reason.contains("validUntil"), "{reason}")
        }
        other => panic!("expected StatusListInvalid, got {other:?}"),
    }
    match case(Did::Normal, List::Gone)
        .await
        .verify()
        .await
        .unwrap_err()
    {
        VerifyError::Status(StatusError::Unavailable { reason, .. }) => {
            assert!(reason.contains("404"), "{reason}")
        }
        other => panic!("expected StatusUnavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn an_untrusted_issuer_is_refused_before_anything_is_fetched() {
    let c = case(Did::Slow, List::Normal).await;
    c.verifier.set_policy(
        TrustPolicy::from_toml(&common::policy_text(
            "did:web:someone-else.example",
            "https://tool.example",
        ))
        .unwrap(),
    );
    let started = std::time::Instant::now();
    assert!(matches!(
        c.verify().await,
        Err(VerifyError::Trust(TrustError::UntrustedIssuer { .. }))
    ));
    // The slow did:web server was never contacted.
    assert!(started.elapsed() < std::time::Duration::from_millis(600));
}
