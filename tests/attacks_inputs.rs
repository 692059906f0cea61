//! Attacks on the rebuilt verifier from the same review as `attacks.rs`:
//! state across replicas, the token service, DID keys, malformed BBS
//! proofs and inputs that cost more than they should. Each test's comment
//! describes the hole as it was found; each now holds. The two
//! `#[ignore]`d ones need state shared between replicas (issue 19).

mod common;

use chrono::{Duration, Utc};
use common::chain::{credential_for, present_as};
use common::holder::Signer;
use common::*;
use credence::resource::{RequestParts, ResourceGuard, TokenError};
use credence::verify::{StepRequest, TokenIssuer};
use serde_json::{json, Value};
use std::sync::Arc;

// ---------------------------------------------------------------- helpers

/// The holder's access token for `API`, minted from a fresh presentation.
async fn token_of(w: &World) -> credence::verify::IssuedToken {
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    w.tokens.exchange(&w.verifier, &vp, API).await.unwrap()
}

// ------------------------------------------------- state across replicas

/// Two replicas of the token service (same key, same identity): a token
/// revoked at one was still active at the other while revocation lived
/// only in one process's memory (ARCHITECTURE: "whatever makes a token
/// single-use, revoked or replay-proof lives in the verifier's state
/// backend, never only in a process's memory"). Both now read the
/// verifier's state.
#[tokio::test]
async fn a_token_revoked_at_one_replica_is_inactive_at_another() {
    let w = world().await;
    let replica = TokenIssuer::new(&w.verifier, w.token_key.clone());
    let token = token_of(&w).await;
    replica.revoke(&token.token).await.unwrap();
    assert!(
        w.tokens.introspect(&token.token).await.unwrap().is_none(),
        "revoked at one replica, active at the other"
    );
}

/// A per-step token is "single use at the resource": two replicas of the
/// same tool server (or one restarted) each accepted it once while the
/// single-use set (and the DPoP replay set) lived in one process's memory.
/// The same captured request (token + DPoP proof) replayed. The replicas
/// now share one state (sled here; Redis across hosts).
#[tokio::test]
async fn a_single_use_step_token_is_used_once_across_resource_replicas() {
    let w = world().await;
    let access = token_of(&w).await;
    let token_url = format!("{VERIFIER_ID}/token");
    let dpop = w
        .wallet
        .dpop_proof("POST", &token_url, &access.token)
        .unwrap();
    let step = w
        .tokens
        .exchange_step(StepRequest {
            subject_token: &access.token,
            dpop: Some(&dpop),
            method: "POST",
            url: &token_url,
            scope: "invoices:read",
            audience: None,
            step: None,
        })
        .await
        .unwrap();
    assert!(step.claims.single_use);
    let url = format!("{API}/invoices");
    let proof = w.wallet.dpop_proof("GET", &url, &step.token).unwrap();
    let authorization = format!("DPoP {}", step.token);
    let parts = RequestParts {
        authorization: Some(&authorization),
        dpop: Some(&proof),
        method: "GET",
        url: &url,
        body: b"",
    };
    let now = Utc::now().timestamp();
    let dir = tempfile::tempdir().unwrap();
    let shared: Arc<dyn credence::model::VerifierState> =
        Arc::new(credence::store::SledState::open(dir.path()).unwrap());
    let a = ResourceGuard::new(VERIFIER_ID, API, w.tokens.token_key()).with_state(shared.clone());
    let b = ResourceGuard::new(VERIFIER_ID, API, w.tokens.token_key()).with_state(shared);
    a.check(parts, "invoices:read", now).await.unwrap();
    assert_eq!(
        a.check(parts, "invoices:read", now).await.unwrap_err(),
        TokenError::DpopReplay
    );
    assert_eq!(
        b.check(parts, "invoices:read", now).await.unwrap_err(),
        TokenError::DpopReplay,
        "the same captured request at another replica"
    );
    // A fresh proof for the same step token: the token itself is used up.
    let fresh = w.wallet.dpop_proof("GET", &url, &step.token).unwrap();
    let again = RequestParts {
        dpop: Some(&fresh),
        ..parts
    };
    assert_eq!(
        b.check(again, "invoices:read", now).await.unwrap_err(),
        TokenError::SingleUseReplay
    );
}

/// A DPoP proof is accepted while its `iat` is within 60 s of the
/// resource's clock, both ways; its replay mark lived exactly until
/// `iat + 60`, so at that second the same captured request was accepted
/// again (found by review). The mark now outlives the window by the
/// clock-skew margin.
#[tokio::test]
async fn a_dpop_proof_replayed_at_the_edge_of_its_window_is_refused() {
    let w = world().await;
    let token = token_of(&w).await;
    let url = format!("{API}/invoices");
    let proof = w.wallet.dpop_proof("GET", &url, &token.token).unwrap();
    let authorization = format!("DPoP {}", token.token);
    let parts = RequestParts {
        authorization: Some(&authorization),
        dpop: Some(&proof),
        method: "GET",
        url: &url,
        body: b"",
    };
    let guard = ResourceGuard::new(VERIFIER_ID, API, w.tokens.token_key());
    let now = Utc::now().timestamp();
    guard.check(parts, "invoices:read", now).await.unwrap();
    for later in [now + 59, now + 60] {
        assert_eq!(
            guard
                .check(parts, "invoices:read", later)
                .await
                .unwrap_err(),
            TokenError::DpopReplay,
            "at +{}",
            later - now
        );
    }
}

// ---------------------------------------------------------- token issuer

/// "Minting by value": a `VerifiedPresentation` is `Clone`, so one
/// verified presentation (one nonce) mints any number of tokens — here
/// two, each with a full lifetime. The token service should mint once per
/// verified presentation.
#[test]
fn one_verified_presentation_mints_one_token() {
    // A compile-time check: `VerifiedPresentation` must not be `Clone`
    // (minting takes it by value). Were it `Clone`, both impls below would
    // apply and the call would be ambiguous: this file would not compile.
    trait AmbiguousIfClone<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfClone<()> for T {}
    struct Marker;
    impl<T: Clone> AmbiguousIfClone<Marker> for T {}
    <credence::verify::VerifiedPresentation as AmbiguousIfClone<_>>::check();
}

// ------------------------------------------------------------- DID keys

/// ssi's did:jwk lists the key under every relationship even for a JWK
/// with `"use": "enc"`, which the did:jwk spec puts under keyAgreement
/// only (../shared/notes: "check the relationship against the JWK's use
/// yourself"). A holder DID whose key is declared for encryption signs the
/// presentation for `authentication`, and the verifier accepts it.
#[tokio::test]
async fn an_encryption_only_did_jwk_signs_a_presentation() {
    let w = world().await;
    let holder = Signer::did_jwk("enc").await;
    let credential = credential_for(&w, &holder.did).await;
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = present_as(
        &holder,
        &credential,
        &request,
        &["capabilities"],
        &[],
        (None, None),
    )
    .await;
    let outcome = w.verifier.verify_presentation(&vp).await;
    assert_eq!(
        outcome.map(|v| v.holder().to_owned()).map_err(|e| e.code()),
        Err("key_not_authorized"),
        "a key its DID declares for encryption authenticated the holder"
    );
}

// ------------------------------------------------------------ BBS proofs

/// zkryptium's `PoKSignature::from_bytes` slices `bytes[0..48]` … without
/// a length check, and the derived proof value's `bbsProof` reaches it
/// unchecked. Anyone (a did:key of her own, a nonce from the open request
/// endpoint) fabricates a credential naming a trusted issuer and its key,
/// with a 10-byte `bbsProof`: the verifier panics (in release builds
/// too: slice bounds are always checked) instead of refusing a bad proof.
#[tokio::test]
async fn a_short_bbs_proof_panics_the_verifier() {
    use credence::bbs2023::DerivedProofValue;
    let w = Arc::new(world().await);
    let mallory = Signer::new();
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
        "type": ["VerifiableCredential", "AgentCredential"],
        "issuer": w.issuer.did(),
        "validFrom": (Utc::now() - Duration::hours(1)).to_rfc3339(),
        "validUntil": (Utc::now() + Duration::hours(5)).to_rfc3339(),
        "credentialSubject": {"id": mallory.did, "capabilities": ["invoices.read"]},
    });
    let loader = credence::model::context_loader();
    let lines = credence::bbs2023::canonicalize_document(&doc, &loader)
        .await
        .unwrap();
    let value = DerivedProofValue {
        bbs_proof: vec![0; 10],
        label_map: [(0, 0)].into_iter().collect(),
        mandatory_indexes: (0..lines.len() as u64).collect(),
        selective_indexes: vec![],
        presentation_header: request.nonce.as_bytes().to_vec(),
    };
    doc["proof"] = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "bbs-2023",
        "verificationMethod": w.issuer.public_key().did_key_url(),
        "proofPurpose": "assertionMethod",
        "proofValue": value.encode().unwrap(),
    });
    let vp = mallory
        .present(vec![doc], &request.nonce, VERIFIER_ID, (None, None))
        .await;
    let v = w.clone();
    let outcome = tokio::spawn(async move { v.verifier.verify_presentation(&vp).await }).await;
    match outcome {
        Err(join) => panic!("the verifier panicked on a malformed BBS proof: {join}"),
        Ok(result) => assert_eq!(result.unwrap_err().code(), "bad_proof"),
    }
}

// ------------------------------------------------------------------ DoS

/// Ten blank nodes that all name each other (a clique, 2 KB of JSON)
/// keep JSON-LD safe mode happy, and RDFC-1.0 canonicalization (ssi's
/// URDNA2015 has no work limit) then permutes every tie: cost grows about
/// tenfold per node (n = 7: 1.5 s, n = 8: ~15 s, n = 9: minutes). The
/// presentation needs no valid signature — it is canonicalized before
/// the signature is checked, and a failed signature does not even consume
/// the nonce, so one open-endpoint nonce serves any number of attempts.
/// A verifier must bound this work (or refuse such graphs) before
/// canonicalizing. Budget here: 5 s for a refusal that normally takes
/// ~60 ms.
#[test]
fn a_blank_node_clique_pins_the_verifier_for_minutes() {
    fn clique(n: usize) -> Value {
        let nodes: Vec<Value> = (0..n)
            .map(|i| {
                let others: Vec<Value> = (0..n)
                    .filter(|j| *j != i)
                    .map(|j| json!({"id": format!("_:n{j}")}))
                    .collect();
                json!({"id": format!("_:n{i}"), "organization": others})
            })
            .collect();
        Value::Array(nodes)
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    // The verifier runs on a thread of its own, so that a test that fails
    // by running out of time does not wait for it.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let w = world().await;
            let mallory = Signer::new();
            let request = agent_request(&w.verifier, &["capabilities"]).await;
            let genuine = w.wallet.present(&request).await.unwrap();
            let credential = genuine["verifiableCredential"][0].clone();
            // Any proof of Mallory's: the signature need not verify.
            let small = mallory
                .present(
                    vec![credential.clone()],
                    &request.nonce,
                    VERIFIER_ID,
                    (None, None),
                )
                .await;
            let vp = json!({
                "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
                "type": ["VerifiablePresentation"],
                "holder": mallory.did,
                "organization": clique(8),
                "verifiableCredential": [credential],
                "proof": small["proof"].clone(),
            });
            ready_tx.send(()).unwrap();
            let started = std::time::Instant::now();
            let outcome = w.verifier.verify_presentation(&vp).await;
            let _ = tx.send((started.elapsed(), outcome.map(|_| ()).map_err(|e| e.code())));
        });
    });
    ready_rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("set-up");
    match rx.recv_timeout(std::time::Duration::from_secs(5)) {
        // Refused before any canonicalization: blank-node identifiers (the
        // only way to make blank nodes refer to one another) are malformed.
        Ok((took, outcome)) => assert_eq!(outcome, Err("malformed"), "after {took:?}"),
        Err(_) => {
            panic!("one 2 KB presentation with a bad signature kept the verifier busy for over 5 s")
        }
    }
}

/// `verify_dpop` computes `(dpop.iat - now).abs()` on the proof's own
/// `iat`: a proof dated `i64::MIN` (by the token's holder — a malicious
/// agent) overflows, a panic wherever overflow checks are on (every
/// debug/test build of the resource server or of the token service's
/// per-step exchange and `/revoke`). Malformed input must be refused.
#[tokio::test]
async fn a_dpop_proof_dated_i64_min_panics_the_resource_guard() {
    let w = world().await;
    let holder = Signer::new();
    let credential = credential_for(&w, &holder.did).await;
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = present_as(
        &holder,
        &credential,
        &request,
        &["capabilities"],
        &[],
        (None, None),
    )
    .await;
    let token = w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    let url = format!("{API}/invoices");
    let proof = credence::model::dpop_proof(&holder.key, "GET", &url, Some(&token.token), i64::MIN)
        .unwrap();
    let authorization = format!("DPoP {}", token.token);
    let guard = ResourceGuard::new(VERIFIER_ID, API, w.tokens.token_key());
    // A panic in the task comes back as a JoinError.
    let outcome = tokio::spawn(async move {
        guard
            .check(
                RequestParts {
                    authorization: Some(&authorization),
                    dpop: Some(&proof),
                    method: "GET",
                    url: &url,
                    body: b"",
                },
                "invoices:read",
                Utc::now().timestamp(),
            )
            .await
    })
    .await;
    match outcome {
        Err(_) => panic!("the resource guard panicked on a DPoP proof's iat"),
        Ok(result) => assert_eq!(result.unwrap_err().code(), "dpop_invalid"),
    }
}
