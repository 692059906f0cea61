//! Every rejection the verifier makes, fed real bad input, matched on the
//! typed error.

mod common;

use chrono::{Duration, Utc};
use common::*;
use credence::did::DidError;
use credence::issuer::Issuer;
use credence::model::{ClaimPath, PresentationRequest};
use credence::resource::{validate_access_token, TokenError};
use credence::verify::{
    BindingError, ConstraintError, MintError, ParseError, ProofTarget, TokenIssuer, TrustError,
    ValidityError, Verifier, VerifyError,
};
use credence::wallet::PresentError;
use serde_json::Value;
use std::sync::Arc;

async fn present(w: &World, claims: &[&str]) -> (PresentationRequest, Value) {
    let request = agent_request(&w.verifier, claims).await;
    let vp = w.wallet.present(&request).await.unwrap();
    (request, vp)
}

async fn reject(w: &World, vp: &Value) -> VerifyError {
    w.verifier.verify_presentation(vp).await.unwrap_err()
}

fn derived(vp: &Value) -> Value {
    vp["verifiableCredential"][0].clone()
}

#[tokio::test]
async fn tampered_disclosed_claim_breaks_the_credential_proof() {
    let w = world().await;
    let resigned = edited_and_resigned(&w, &["organization", "capabilities"], |cred| {
        cred["credentialSubject"]["organization"] = "Globex Corp".into();
    })
    .await;
    assert!(matches!(
        reject(&w, &resigned).await,
        VerifyError::BadProof {
            target: ProofTarget::Credential,
            ..
        }
    ));
}

#[tokio::test]
async fn tampered_embedded_credential_breaks_the_presentation_proof() {
    let w = world().await;
    let (_, mut vp) = present(&w, &["capabilities"]).await;
    vp["verifiableCredential"][0]["credentialSubject"]["capabilities"] =
        serde_json::json!(["invoices.read", "invoices.write"]);
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::BadProof {
            target: ProofTarget::Presentation,
            ..
        }
    ));
}

#[tokio::test]
async fn wrong_nonce_is_rejected() {
    let w = world().await;
    // A nonce this verifier never issued.
    let other = Verifier::new(VERIFIER_ID, policy_for(w.issuer.did()));
    let foreign = other
        .create_request_for(credence_core::agent_credential_query(&["capabilities"]))
        .await
        .expect("a valid query");
    let vp = w.wallet.present(&foreign).await.unwrap();
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Binding(BindingError::NonceMismatch(_))
    ));

    // The right challenge, but the BBS proof bound to another header.
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let (_, base) = w.wallet.credentials().unwrap().remove(0);
    let loader = credence::model::context_loader();
    let stale = credence::bbs2023::derive(
        &base,
        &["/credentialSubject/capabilities".into()],
        b"some-older-nonce",
        &loader,
    )
    .await
    .unwrap();
    let vp = w
        .wallet
        .sign_presentation(stale, &request.nonce, VERIFIER_ID)
        .await
        .unwrap();
    assert!(
        matches!(reject(&w, &vp).await, VerifyError::Binding(BindingError::NonceMismatch(m)) if m.contains("header"))
    );
}

#[tokio::test]
async fn replayed_nonce_is_rejected() {
    let w = world().await;
    let (_, vp) = present(&w, &["capabilities"]).await;
    w.verifier.verify_presentation(&vp).await.unwrap();
    assert_eq!(
        reject(&w, &vp).await,
        VerifyError::Binding(BindingError::Replay)
    );
}

/// A clock the test can move forward.
struct MovableClock(std::sync::Mutex<chrono::DateTime<Utc>>);

impl credence::model::Clock for MovableClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn expired_request_is_rejected() {
    let mut w = world().await;
    let clock = Arc::new(MovableClock(std::sync::Mutex::new(Utc::now())));
    w.verifier = Verifier::new(VERIFIER_ID, policy_for(w.issuer.did())).with_clock(clock.clone());
    let (_, vp) = present(&w, &["capabilities"]).await;
    // Requests live 120 s and are remembered a minute past that.
    *clock.0.lock().unwrap() += Duration::seconds(150);
    assert_eq!(
        reject(&w, &vp).await,
        VerifyError::Binding(BindingError::NonceExpired)
    );
    // Then forgotten (the state keeps nothing forever): an unknown nonce.
    *clock.0.lock().unwrap() += Duration::minutes(10);
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Binding(BindingError::NonceMismatch(_))
    ));
}

#[tokio::test]
async fn wrong_audience_is_rejected() {
    let w = world().await;
    let mut request = agent_request(&w.verifier, &["capabilities"]).await;
    request.client_id = "https://evil.example".into();
    // The agent's holder policy refuses a verifier it does not know…
    assert!(matches!(
        w.wallet.present(&request).await,
        Err(PresentError::PolicyDenied { verifier, .. }) if verifier == "https://evil.example"
    ));
    // …and if it were talked into allowing it, Globex still refuses the result.
    let policy = w
        .wallet
        .holder_policy()
        .unwrap()
        .allow_domain("evil.example", &["capabilities"]);
    w.wallet.set_holder_policy(&policy).unwrap();
    let vp = w.wallet.present(&request).await.unwrap();
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Binding(BindingError::DomainMismatch { found, .. }) if found == "https://evil.example"
    ));
}

async fn world_with_validity(from: chrono::DateTime<Utc>, until: chrono::DateTime<Utc>) -> World {
    let w = world().await;
    let dir = w.dir.path().join("agent2");
    // The agent acts while the credential is still valid (its wallet refuses
    // expired ones), and presents it to a verifier whose clock is now.
    let midpoint = from + (until - from) / 2;
    let wallet = new_wallet(&dir).with_clock(std::sync::Arc::new(credence::model::FixedClock(
        midpoint.min(Utc::now()),
    )));
    let credential = w
        .issuer
        .issue_agent_credential(wallet.did(), &profile(), from, until)
        .await
        .unwrap();
    wallet.import(&credential).await.unwrap();
    World { wallet, ..w }
}

#[tokio::test]
async fn expired_credential_is_rejected() {
    let now = Utc::now();
    let w = world_with_validity(now - Duration::days(2), now - Duration::days(1)).await;
    let (_, vp) = present(&w, &["capabilities"]).await;
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Validity(ValidityError::Expired(_))
    ));
}

#[tokio::test]
async fn credential_not_yet_valid_is_rejected() {
    let now = Utc::now();
    let w = world_with_validity(now + Duration::days(1), now + Duration::days(2)).await;
    let (_, vp) = present(&w, &["capabilities"]).await;
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Validity(ValidityError::NotYetValid(_))
    ));
}

#[tokio::test]
async fn untrusted_issuer_is_rejected() {
    let w = world().await;
    let rogue = Issuer::generate().unwrap();
    let wallet = new_wallet(w.dir.path().join("agent3"));
    let credential = rogue
        .issue_agent_credential(
            wallet.did(),
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(1),
        )
        .await
        .unwrap();
    wallet.import(&credential).await.unwrap();
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = wallet.present(&request).await.unwrap();
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Trust(TrustError::UntrustedIssuer { issuer, .. }) if issuer == rogue.did()
    ));
}

#[tokio::test]
async fn presentation_signed_by_another_key_than_the_subjects_is_rejected() {
    let w = world().await;
    let (request, vp) = present(&w, &["capabilities"]).await;
    let thief = new_wallet(w.dir.path().join("thief"));
    // The thief wraps the agent's derived credential in its own VP.
    let stolen = thief
        .sign_presentation(derived(&vp), &request.nonce, VERIFIER_ID)
        .await
        .unwrap();
    assert!(matches!(
        reject(&w, &stolen).await,
        VerifyError::Binding(BindingError::HolderMismatch(_))
    ));

    // Or claims to be the agent as holder while signing with its own key.
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    let mut forged = thief
        .sign_presentation(derived(&vp), &request.nonce, VERIFIER_ID)
        .await
        .unwrap();
    forged["holder"] = w.wallet.did().into();
    assert!(matches!(
        reject(&w, &forged).await,
        VerifyError::Binding(BindingError::HolderMismatch(_))
    ));
}

#[tokio::test]
async fn key_used_for_the_wrong_purpose_is_rejected() {
    let w = world().await;
    let (_, mut vp) = present(&w, &["capabilities"]).await;
    vp["proof"]["proofPurpose"] = "assertionMethod".into();
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Did(DidError::KeyNotAuthorized { .. })
    ));

    // The issuer's key used for authentication instead of assertion.
    let resigned = edited_and_resigned(&w, &["capabilities"], |cred| {
        cred["proof"]["proofPurpose"] = "authentication".into();
    })
    .await;
    assert!(matches!(
        reject(&w, &resigned).await,
        VerifyError::Did(DidError::KeyNotAuthorized { purpose, .. }) if purpose == "assertionMethod"
    ));
}

#[tokio::test]
async fn request_for_a_claim_the_credential_lacks() {
    let w = world().await;
    // The wallet's policy does not cover it; once it does, the wallet still
    // cannot satisfy it…
    let request = agent_request(&w.verifier, &["organization", "clearanceLevel"]).await;
    assert!(matches!(
        w.wallet.present(&request).await,
        Err(PresentError::PolicyDenied { claims, .. }) if claims == ["credentialSubject.clearanceLevel"]
    ));
    let policy = w
        .wallet
        .holder_policy()
        .unwrap()
        .allow_domain("*.globex.example", &["clearanceLevel"]);
    w.wallet.set_holder_policy(&policy).unwrap();
    assert!(matches!(
        w.wallet.present(&request).await,
        Err(PresentError::MissingClaim(c)) if c == "credentialSubject.clearanceLevel"
    ));
    // …and a presentation that leaves a requested claim out is refused.
    let request = agent_request(&w.verifier, &["organization", "capabilities"]).await;
    let mut partial = request.clone();
    partial.dcql_query.credentials[0]
        .claims
        .retain(|c| c.path == ClaimPath::subject("organization"));
    let vp = w.wallet.present(&partial).await.unwrap();
    assert_eq!(
        reject(&w, &vp).await,
        VerifyError::Constraint(ConstraintError::MissingClaim(
            "credentialSubject.capabilities".into()
        ))
    );
}

#[tokio::test]
async fn verified_claim_without_a_mapping_rule_gets_no_token() {
    let w = world().await;
    let (_, vp) = present(&w, &["organization", "capabilities"]).await;
    let verified = w.verifier.verify_presentation(&vp).await.unwrap();
    assert_eq!(
        w.tokens
            .mint(verified, "https://payroll.globex.example")
            .await
            .unwrap_err(),
        VerifyError::Mint(MintError::NoScopeMapped(
            "https://payroll.globex.example".into()
        ))
    );
    // An agent whose capabilities map to nothing gets no token at all.
    let wallet = new_wallet(w.dir.path().join("intern"));
    let mut p = profile();
    p.capabilities = vec!["coffee.order".into()];
    let c = w
        .issuer
        .issue_agent_credential(
            wallet.did(),
            &p,
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(1),
        )
        .await
        .unwrap();
    wallet.import(&c).await.unwrap();
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = wallet.present(&request).await.unwrap();
    assert!(matches!(
        w.tokens.exchange(&w.verifier, &vp, API).await,
        Err(VerifyError::Mint(MintError::NoScopeMapped(_)))
    ));
}

#[tokio::test]
async fn inline_contexts_and_malformed_input_are_rejected() {
    let w = world().await;
    assert!(matches!(
        reject(&w, &serde_json::json!([1, 2])).await,
        VerifyError::Parse(ParseError::Malformed(_))
    ));
    assert!(matches!(reject(&w, &serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiablePresentation"})).await, VerifyError::Parse(ParseError::Malformed(_))));
    // Swap term meanings with an inline context: same RDF, different JSON reading.
    let resigned = edited_and_resigned(&w, &["organization", "capabilities"], |cred| {
        cred["@context"] = serde_json::json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://ns.credence.dev/v1",
            {"scopeHint": "https://example.org/x"}
        ]);
    })
    .await;
    assert!(matches!(
        reject(&w, &resigned).await,
        VerifyError::Parse(ParseError::UnsupportedContext(_))
    ));
}

#[tokio::test]
async fn tokens_are_refused_outside_their_audience_lifetime_and_key() {
    let w = world().await;
    let (_, vp) = present(&w, &["capabilities"]).await;
    let token = w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    let key = w.tokens.token_key();
    let now = Utc::now().timestamp();
    assert!(matches!(
        validate_access_token(
            &token.token,
            &key,
            VERIFIER_ID,
            "https://other.example",
            "invoices:read",
            now
        ),
        Err(TokenError::WrongAudience { .. })
    ));
    assert_eq!(
        validate_access_token(
            &token.token,
            &key,
            VERIFIER_ID,
            API,
            "invoices:read",
            token.claims.exp
        ),
        Err(TokenError::Expired)
    );
    assert!(matches!(
        validate_access_token(
            &token.token,
            &key,
            "https://other-verifier",
            API,
            "invoices:read",
            now
        ),
        Err(TokenError::WrongIssuer(_))
    ));
    let stranger = ssi::JWK::generate_ed25519().unwrap().to_public();
    assert_eq!(
        validate_access_token(
            &token.token,
            &stranger,
            VERIFIER_ID,
            API,
            "invoices:read",
            now
        ),
        Err(TokenError::BadSignature)
    );
    let mut parts: Vec<&str> = token.token.split('.').collect();
    let forged_payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        serde_json::to_vec(&serde_json::json!({"scope": "invoices:write"})).unwrap(),
    );
    parts[1] = &forged_payload;
    assert_eq!(
        validate_access_token(
            &parts.join("."),
            &key,
            VERIFIER_ID,
            API,
            "invoices:read",
            now
        ),
        Err(TokenError::BadSignature)
    );
    assert!(matches!(
        validate_access_token("not-a-jwt", &key, VERIFIER_ID, API, "invoices:read", now),
        Err(TokenError::Malformed(_))
    ));
}

#[tokio::test]
async fn credential_of_another_type_is_rejected() {
    let w = world().await;
    let wallet = new_wallet(w.dir.path().join("typed"));
    let doc = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
        "type": ["VerifiableCredential"],
        "issuer": w.issuer.did(),
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-12-01T00:00:00Z",
        "credentialSubject": {"id": wallet.did(), "capabilities": ["invoices.read"]},
    });
    let pointers = [
        "/issuer",
        "/validFrom",
        "/validUntil",
        "/credentialSubject/id",
    ]
    .map(String::from);
    let credential = w.issuer.issue_document(&doc, &pointers).await.unwrap();
    wallet.import(&credential).await.unwrap();
    let loosely_answered = |request: &credence::model::PresentationRequest| {
        let mut loose = request.clone();
        loose.dcql_query.credentials[0].meta.type_values = vec![vec![
            "https://www.w3.org/2018/credentials#VerifiableCredential".into(),
        ]];
        loose
    };
    // The issuer is trusted for AgentCredentials only.
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = wallet.present(&loosely_answered(&request)).await.unwrap();
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Trust(TrustError::UntrustedIssuer { credential_type, .. })
            if credential_type.ends_with("VerifiableCredential")
    ));
    // Trusted for any credential, it still does not answer a request for
    // an AgentCredential.
    let mut policy = policy_for(w.issuer.did());
    policy.issuers[0]
        .credential_types
        .push("VerifiableCredential".into());
    w.verifier.set_policy(policy);
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = wallet.present(&loosely_answered(&request)).await.unwrap();
    assert!(matches!(
        reject(&w, &vp).await,
        VerifyError::Constraint(ConstraintError::WrongCredentialType(_))
    ));
}

#[tokio::test]
async fn token_with_another_type_header_is_refused() {
    let w = world().await;
    let (_, vp) = present(&w, &["capabilities"]).await;
    let token = w.tokens.exchange(&w.verifier, &vp, API).await.unwrap();
    let header = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"alg":"EdDSA","typ":"JWT"}"#,
    );
    let rest = token.token.split_once('.').unwrap().1;
    assert!(matches!(
        validate_access_token(
            &format!("{header}.{rest}"),
            &w.tokens.token_key(),
            VERIFIER_ID,
            API,
            "invoices:read",
            Utc::now().timestamp()
        ),
        Err(TokenError::WrongType(_))
    ));
}

#[tokio::test]
async fn a_proof_naming_another_dids_key_is_refused_before_resolving_it() {
    let w = world().await;
    // A trusted issuer's name, a key of some other (fetchable) DID: had the
    // verifier resolved it first, this would be a resolution failure.
    let resigned = edited_and_resigned(&w, &["capabilities"], |cred| {
        cred["proof"]["verificationMethod"] = "did:web:acme.invalid#key-1".into();
    })
    .await;
    assert!(matches!(
        reject(&w, &resigned).await,
        VerifyError::BadProof { target: ProofTarget::Credential, reason } if reason.contains("not by the issuer")
    ));
}

#[tokio::test]
async fn a_verifier_holding_only_a_public_signing_key_fails_to_mint_and_audits_it() {
    let w = world().await;
    let log_dir = tempfile::tempdir().unwrap();
    let log = Arc::new(credence::store::AuditLog::open(log_dir.path(), None).unwrap());
    // Misconfigured: the token key's private part is missing.
    let public_only = ssi::JWK::generate_ed25519().unwrap().to_public();
    let verifier = Verifier::new(VERIFIER_ID, policy_for(w.issuer.did())).with_audit(log.clone());
    let tokens = TokenIssuer::new(&verifier, public_only);
    let request = verifier
        .create_request_for(credence_core::agent_credential_query(&["capabilities"]))
        .await
        .expect("a valid query");
    let vp = w.wallet.present(&request).await.unwrap();
    let err = tokens.exchange(&verifier, &vp, API).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::Mint(MintError::Signing(_))),
        "{err:?}"
    );
    assert_eq!(err.code(), "minting_failed");
    let entries = log.entries().unwrap();
    let refused = entries
        .iter()
        .find(|e| e.record.action == "mint_token")
        .expect("the failed mint is audited");
    assert_eq!(refused.record.decision, "deny");
    assert!(refused
        .record
        .reason
        .as_deref()
        .unwrap()
        .starts_with("minting_failed"));
}
