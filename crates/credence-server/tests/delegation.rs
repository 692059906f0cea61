//! Delegation chains over loopback HTTP: human (Alice) → orchestrator →
//! the sub-agent holding Acme's AgentCredential, exchanged at Globex's
//! token service. Each broken chain is refused with its typed reason; a
//! good one yields a token whose `sub` is Alice and whose `act` nests the
//! agents; revoking the middle link cascades to tokens minted from it.

mod common;

use chrono::{Duration, Utc};
use common::{assert_oauth, world_with, World};
use credence_core::{AccessTokenClaims, DelegationGrant};
use credence_did::{CacheConfig, FetchLimits};
use credence_issuer::Principal;
use credence_store::AuditLog;
use credence_verify::TrustPolicy;
use credence_wallet::{KdfParams, PresentError, Unlock, Wallet};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;

struct Chain {
    w: World,
    alice: Principal,
    orchestrator: Wallet,
    root: Value,
    /// Status index of the orchestrator → sub-agent link.
    middle_index: usize,
    log: Arc<AuditLog>,
    _audit: tempfile::TempDir,
}

fn grant(
    alice: &Principal,
    to: &str,
    caps: &[&str],
    auds: &[String],
    depth: u32,
) -> DelegationGrant {
    let now = Utc::now();
    DelegationGrant {
        delegate: to.to_owned(),
        principal: alice.did().to_owned(),
        capabilities: caps.iter().map(|c| c.to_string()).collect(),
        audiences: auds.to_vec(),
        max_depth: depth,
        purpose: "reconcile March invoices".into(),
        valid_from: now - Duration::minutes(1),
        valid_until: now + Duration::minutes(30),
        status: None,
    }
}

async fn status_slot(w: &World) -> (usize, Value) {
    let body: Value = w
        .client
        .post(format!("{}/admin/status-assignments", w.issuer_origin))
        .bearer_auth(&w.admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        body["index"].as_u64().unwrap() as usize,
        body["credentialStatus"].clone(),
    )
}

/// Alice trusts the orchestrator with invoices and reports (depth 1); the
/// orchestrator hands the sub-agent (the world's wallet) invoices only.
async fn chain() -> Chain {
    let audit_tmp = tempfile::tempdir().unwrap();
    let audit_dir = audit_tmp.path().join("verifier-audit");
    let log = Arc::new(AuditLog::open(&audit_dir, None).unwrap());
    let sink = log.clone();
    let w = world_with(move |v| {
        v.with_status_fetching(
            FetchLimits::default(),
            CacheConfig {
                ttl: std::time::Duration::from_millis(1),
                capacity: 16,
            },
        )
        .with_audit(sink)
    })
    .await;
    let alice = Principal::generate().unwrap();
    let policy = format!(
        "{}\n[[principal]]\ndid = \"{}\"\nname = \"Alice (Acme finance)\"\n\n[delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n",
        common::policy_text(&w.issuer_did, &w.tool_url),
        alice.did()
    );
    w.verifier
        .set_policy(TrustPolicy::from_toml(&policy).unwrap());

    let orchestrator = Wallet::create(
        w.dir.path().join("orchestrator"),
        &Unlock::passphrase("pw"),
        KdfParams::minimal(),
    )
    .unwrap();
    let both = [w.tool_url.clone(), common::OTHER_AUDIENCE.to_owned()];
    let mut root_grant = grant(
        &alice,
        orchestrator.did(),
        &["invoices.read", "reports.read"],
        &both,
        1,
    );
    root_grant.valid_until = Utc::now() + Duration::hours(1);
    root_grant.status = Some(status_slot(&w).await.1);
    let root = alice.delegate(&root_grant).await.unwrap();
    orchestrator
        .set_delegation_chain(std::slice::from_ref(&root))
        .unwrap();

    let (middle_index, status) = status_slot(&w).await;
    let mut sub_grant = grant(
        &alice,
        w.wallet.did(),
        &["invoices.read"],
        std::slice::from_ref(&w.tool_url),
        0,
    );
    sub_grant.status = Some(status);
    let chain = orchestrator.delegate(&sub_grant).await.unwrap();
    w.wallet.set_delegation_chain(&chain).unwrap();
    Chain {
        w,
        alice,
        orchestrator,
        root,
        middle_index,
        _audit: audit_tmp,
        log,
    }
}

fn claims_of(token: &str) -> AccessTokenClaims {
    let (_, payload) = ssi::claims::jws::decode_unverified(token).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

async fn exchange(w: &World) -> (StatusCode, Value) {
    let vp = w.presentation().await;
    w.exchange(&vp, Some(&w.tool_url), None).await
}

/// Replaces the sub-agent's chain with `[root, link]`.
fn hold(c: &Chain, link: Value) {
    c.w.wallet
        .set_delegation_chain(&[c.root.clone(), link])
        .unwrap();
}

#[tokio::test]
async fn a_good_chain_yields_a_token_for_alice_acted_by_the_agents() {
    let c = chain().await;
    let (status, body) = exchange(&c.w).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = claims_of(body["access_token"].as_str().unwrap());
    assert_eq!(claims.sub, c.alice.did());
    assert_eq!(claims.client_id, c.w.wallet.did());
    let act = claims.act.expect("act claim");
    assert_eq!(act.subjects(), vec![c.w.wallet.did(), c.orchestrator.did()]);
    assert_eq!(claims.scope, "invoices:read");

    // The leaf allows the tool only: another audience is refused.
    let vp = c.w.presentation().await;
    let (status, body) = c.w.exchange(&vp, Some(common::OTHER_AUDIENCE), None).await;
    assert_oauth(status, &body, "invalid_target", "audience_not_delegated");

    // Both sides audited the exchange under one correlation id.
    let verifier_log = c.log.entries().unwrap();
    let wallet_log = c.w.wallet.audit_log().entries().unwrap();
    let minted = verifier_log
        .iter()
        .find(|e| e.record.action == "mint_token" && e.record.decision == "allow")
        .unwrap();
    assert_eq!(minted.record.principal.as_deref(), Some(c.alice.did()));
    // Each decision names the whole delegation path, principal first.
    let path = [c.alice.did(), c.orchestrator.did(), c.w.wallet.did()];
    assert_eq!(minted.record.chain, path);
    let verified = verifier_log
        .iter()
        .find(|e| e.record.action == "verify_presentation" && e.record.decision == "allow")
        .unwrap();
    assert_eq!(verified.record.chain, path);
    let presented = wallet_log
        .iter()
        .find(|e| e.record.action == "present" && e.record.correlation == minted.record.correlation)
        .expect("the wallet audited its presentation");
    assert_eq!(
        presented.record.chain, path,
        "the wallet sees the same path"
    );
}

#[tokio::test]
async fn a_child_granted_more_than_its_parent_is_refused() {
    let c = chain().await;
    let parent_chain = c.orchestrator.delegation_chain().unwrap();
    let mut g = grant(
        &c.alice,
        c.w.wallet.did(),
        &["invoices.read", "invoices.write"],
        std::slice::from_ref(&c.w.tool_url),
        0,
    );
    // The wallet's own delegate() refuses to sign it...
    match c.orchestrator.delegate(&g).await {
        Err(PresentError::Delegation(m)) => assert!(m.contains("invoices.write"), "{m}"),
        other => panic!("{other:?}"),
    }
    // ...and the verifier refuses it when signed anyway.
    let link = c
        .orchestrator
        .sign_delegation(&g, parent_chain.last())
        .await
        .unwrap();
    hold(&c, link);
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "delegation_exceeds_parent");

    // Audiences beyond the parent's.
    g.capabilities = vec!["invoices.read".into()];
    g.audiences = vec!["https://elsewhere.example".into()];
    let link = c
        .orchestrator
        .sign_delegation(&g, parent_chain.last())
        .await
        .unwrap();
    hold(&c, link);
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "delegation_exceeds_parent");
}

#[tokio::test]
async fn a_child_outliving_its_parent_is_refused() {
    let c = chain().await;
    let mut g = grant(
        &c.alice,
        c.w.wallet.did(),
        &["invoices.read"],
        std::slice::from_ref(&c.w.tool_url),
        0,
    );
    g.valid_until = Utc::now() + Duration::hours(5);
    let link = c
        .orchestrator
        .sign_delegation(&g, Some(&c.root))
        .await
        .unwrap();
    hold(&c, link);
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "delegation_exceeds_parent");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("outlives"),
        "{body}"
    );
}

#[tokio::test]
async fn a_broken_chain_is_refused() {
    let c = chain().await;
    // Signed by someone the root did not delegate to.
    let stranger = Wallet::create(
        c.w.dir.path().join("stranger"),
        &Unlock::passphrase("pw"),
        KdfParams::minimal(),
    )
    .unwrap();
    let g = grant(
        &c.alice,
        c.w.wallet.did(),
        &["invoices.read"],
        std::slice::from_ref(&c.w.tool_url),
        0,
    );
    let link = stranger.sign_delegation(&g, Some(&c.root)).await.unwrap();
    hold(&c, link);
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "delegation_broken");

    // A link whose parent digest does not match the parent.
    let mut other_root = c.root.clone();
    other_root["proof"]["proofValue"] = Value::String("zNotTheRoot".into());
    let link = c
        .orchestrator
        .sign_delegation(&g, Some(&other_root))
        .await
        .unwrap();
    hold(&c, link);
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "delegation_broken");
}

/// Gives the sub-agent the chain `principal` → orchestrator (allowing
/// `root_depth` further hops) → sub-agent, with `leaf` adjusting the last
/// grant before the orchestrator signs it.
async fn hold_chain(
    c: &Chain,
    principal: &Principal,
    root_depth: u32,
    leaf: impl FnOnce(&mut DelegationGrant),
) -> (Value, Value) {
    let tool = std::slice::from_ref(&c.w.tool_url);
    let mut root_grant = grant(
        principal,
        c.orchestrator.did(),
        &["invoices.read"],
        tool,
        root_depth,
    );
    root_grant.valid_until = Utc::now() + Duration::hours(1);
    let root = principal.delegate(&root_grant).await.unwrap();
    let mut g = grant(principal, c.w.wallet.did(), &["invoices.read"], tool, 0);
    leaf(&mut g);
    let link = c
        .orchestrator
        .sign_delegation(&g, Some(&root))
        .await
        .unwrap();
    c.w.wallet
        .set_delegation_chain(&[root.clone(), link.clone()])
        .unwrap();
    (root, link)
}

#[tokio::test]
async fn depth_beyond_an_ancestors_limit_is_refused() {
    let c = chain().await;
    // Alice allows the orchestrator no further delegation.
    hold_chain(&c, &c.alice, 0, |_| {}).await;
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "delegation_depth_exceeded");
}

#[tokio::test]
async fn an_untrusted_root_is_refused() {
    let c = chain().await;
    let mallory = Principal::generate().unwrap();
    hold_chain(&c, &mallory, 1, |_| {}).await;
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "untrusted_principal");
}

#[tokio::test]
async fn a_tampered_or_expired_link_is_refused() {
    let c = chain().await;
    // Widened after signing: the orchestrator's signature no longer holds.
    let (root, mut link) = hold_chain(&c, &c.alice, 1, |_| {}).await;
    link["credentialSubject"]["purpose"] = Value::String("anything at all".into());
    c.w.wallet.set_delegation_chain(&[root, link]).unwrap();
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "bad_proof");

    hold_chain(&c, &c.alice, 1, |g| {
        g.valid_from = Utc::now() - Duration::hours(2);
        g.valid_until = Utc::now() - Duration::hours(1);
    })
    .await;
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "expired");
}

#[tokio::test]
async fn revoking_the_middle_link_refuses_new_exchanges_and_deactivates_tokens() {
    let c = chain().await;
    let (status, body) = exchange(&c.w).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert!(c.w.tokens.introspect(&token).await.unwrap().is_some());
    let (status, _) =
        c.w.call(
            reqwest::Method::GET,
            &format!("DPoP {token}"),
            Some(&c.w.dpop("GET", &token)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let r = c
        .w
        .client
        .post(format!("{}/admin/status", c.w.issuer_origin))
        .bearer_auth(&c.w.admin)
        .json(&serde_json::json!({"index": c.middle_index, "purpose": "revocation", "set": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    assert!(
        c.w.tokens.introspect(&token).await.unwrap().is_none(),
        "derived token still active"
    );
    let (status, body) =
        c.w.call(
            reqwest::Method::GET,
            &format!("DPoP {token}"),
            Some(&c.w.dpop("GET", &token)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["credence_reason"], "inactive");
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "revoked");
}

#[tokio::test]
async fn the_org_issuer_can_root_a_chain_on_a_humans_behalf() {
    let c = chain().await;
    // Bob has no DID document anyone can fetch; Acme's did:web issuer signs
    // the root for him. Listing Acme as a principal is not enough: a
    // principal delegates in its own name only.
    let bob = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    let as_principal = format!(
        "{}\n[[principal]]\ndid = \"{}\"\nname = \"Acme (on behalf of its staff)\"\n\n[delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n",
        common::policy_text(&c.w.issuer_did, &c.w.tool_url),
        c.w.issuer_did
    );
    c.w.verifier
        .set_policy(TrustPolicy::from_toml(&as_principal).unwrap());
    let r =
        c.w.client
            .post(format!("{}/admin/delegations", c.w.issuer_origin))
            .bearer_auth(&c.w.admin)
            .json(&serde_json::json!({
                "delegate": c.orchestrator.did(),
                "principal": bob,
                "capabilities": ["invoices.read"],
                "audiences": [c.w.tool_url],
                "max_depth": 1,
                "purpose": "quarter close",
                "valid_minutes": 60,
            }))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    let root = body["delegation"].clone();
    let root_index = body["status_index"].as_u64().unwrap() as usize;
    assert_eq!(root["issuer"], c.w.issuer_did.as_str());

    c.orchestrator
        .set_delegation_chain(std::slice::from_ref(&root))
        .unwrap();
    let mut g = grant(
        &c.alice,
        c.w.wallet.did(),
        &["invoices.read"],
        std::slice::from_ref(&c.w.tool_url),
        0,
    );
    g.principal = bob.to_owned();
    let chain = c.orchestrator.delegate(&g).await.unwrap();
    c.w.wallet.set_delegation_chain(&chain).unwrap();

    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "principal_not_signer");

    // The policy trusts Acme to sign for the principals it names.
    let on_behalf = common::policy_text(&c.w.issuer_did, &c.w.tool_url).replace(
        "credential_types = [\"AgentCredential\"]",
        "credential_types = [\"AgentCredential\"]\nsigns_for_principals = true",
    )
        + "\n[delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n";
    c.w.verifier
        .set_policy(TrustPolicy::from_toml(&on_behalf).unwrap());
    let (status, body) = exchange(&c.w).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = claims_of(body["access_token"].as_str().unwrap());
    assert_eq!(claims.sub, bob, "the token speaks for the human");
    let act = claims.act.expect("act claim");
    assert_eq!(act.subjects(), vec![c.w.wallet.did(), c.orchestrator.did()]);

    // The org revokes the root it signed: the next exchange is refused.
    let r =
        c.w.client
            .post(format!("{}/admin/status", c.w.issuer_origin))
            .bearer_auth(&c.w.admin)
            .json(&serde_json::json!({"index": root_index, "purpose": "revocation", "set": true}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, body) = exchange(&c.w).await;
    assert_oauth(status, &body, "invalid_grant", "revoked");

    // The admin API refuses a grant that names no DIDs, grants nothing or
    // lives too long, and anyone without the admin token.
    let agent = c.orchestrator.did();
    for (body, why) in [
        (
            serde_json::json!({"delegate": "bob's laptop", "principal": bob,
            "capabilities": ["x"], "max_depth": 0, "purpose": "p", "valid_minutes": 5}),
            "must be DIDs",
        ),
        (
            serde_json::json!({"delegate": agent, "principal": bob,
            "capabilities": [], "max_depth": 0, "purpose": "p", "valid_minutes": 5}),
            "must not be empty",
        ),
        (
            serde_json::json!({"delegate": agent, "principal": bob,
            "capabilities": ["x"], "max_depth": 0, "purpose": "p", "valid_minutes": 10_081}),
            "valid_minutes",
        ),
    ] {
        let r =
            c.w.client
                .post(format!("{}/admin/delegations", c.w.issuer_origin))
                .bearer_auth(&c.w.admin)
                .json(&body)
                .send()
                .await
                .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(text.contains(why), "{text}");
    }
    let r =
        c.w.client
            .post(format!("{}/admin/delegations", c.w.issuer_origin))
            .bearer_auth("not the admin token")
            .json(&serde_json::json!({"delegate": agent, "principal": bob,
                "capabilities": ["x"], "max_depth": 0, "purpose": "p", "valid_minutes": 5}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
