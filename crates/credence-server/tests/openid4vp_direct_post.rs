//! Globex's OpenID4VP endpoints under attack, over loopback HTTP: the
//! direct_post response endpoint (state, vp_token shape, binding to the
//! transaction's nonce and client id, single use), the response code at
//! `/token` (single use, expiry, DPoP by the holder key, proof replay),
//! the request object field by field against OpenID4VP 1.0 / RFC 9101,
//! and the RFC 8414 metadata.

mod common;

use chrono::{DateTime, Utc};
use common::oid4vp::{code_of, jwt_part, transaction};
use common::{assert_oauth, World};
use credence_core::{Clock, PresentationRequest, PROFILE_CLAIMS};
use credence_server::verifier_api::TOKEN_EXCHANGE_GRANT;
use credence_server::RESPONSE_CODE_TOKEN_TYPE;
use credence_wallet::HolderPolicy;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The real clock plus an offset the test can move.
#[derive(Default)]
struct Ahead(AtomicI64);

impl Clock for Ahead {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0.load(Ordering::SeqCst))
    }
}

/// POSTs a direct_post form; (status, JSON body).
async fn direct_post(w: &World, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = w
        .client
        .post(format!("{}/openid4vp/response", w.verifier_url))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

/// `/token` with a response code and an optional DPoP proof.
async fn redeem(w: &World, code: &str, dpop: Option<&str>) -> (StatusCode, Value) {
    let mut r = w.client.post(format!("{}/token", w.verifier_url)).form(&[
        ("grant_type", TOKEN_EXCHANGE_GRANT),
        ("subject_token", code),
        ("subject_token_type", RESPONSE_CODE_TOKEN_TYPE),
        ("audience", &w.tool_url),
    ]);
    if let Some(proof) = dpop {
        r = r.header("DPoP", proof);
    }
    let r = r.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

/// A refused code redemption: this OAuth error, Credence's
/// `subject_token_refused`, and `detail` in the description.
fn refused(status: StatusCode, body: &Value, error: &str, detail: &str) {
    assert_oauth(status, body, error, "subject_token_refused");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(detail), "{body}");
}

fn token_url(w: &World) -> String {
    format!("{}/token", w.verifier_url)
}

/// An honest answer to `request`: `{"agent": [vp]}`.
async fn honest(w: &World, request: &PresentationRequest) -> (Value, String) {
    let vp = w.wallet.present(request).await.unwrap();
    let token = json!({"agent": [vp.clone()]}).to_string();
    (vp, token)
}

#[tokio::test]
async fn direct_post_refuses_what_the_transaction_did_not_ask_for() {
    let w = common::world().await;
    let (request, created) = transaction(&w).await;
    let state = created["state"].as_str().unwrap();
    let (vp, good) = honest(&w, &request).await;

    let (s, b) = direct_post(&w, &[("vp_token", &good)]).await;
    assert_oauth(s, &b, "invalid_grant", "state_mismatch");
    let (s, b) = direct_post(&w, &[("vp_token", &good), ("state", "not-a-state")]).await;
    assert_oauth(s, &b, "invalid_grant", "state_mismatch");
    let (s, b) = direct_post(&w, &[("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_vp_token");

    let unknown = json!({"other": [vp.clone()]}).to_string();
    let (s, b) = direct_post(&w, &[("vp_token", &unknown), ("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "unknown_credential_query");
    let two = json!({"agent": [vp.clone(), vp.clone()]}).to_string();
    let (s, b) = direct_post(&w, &[("vp_token", &two), ("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_vp_token");
    // Duplicate member names: one parser would see the first, another the last.
    let dup = format!(r#"{{"agent":[{vp}],"agent":[{vp}]}}"#);
    let (s, b) = direct_post(&w, &[("vp_token", &dup), ("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_vp_token");
    let bare = json!([vp.clone()]).to_string();
    let (s, b) = direct_post(&w, &[("vp_token", &bare), ("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_vp_token");

    // Presentations bound elsewhere: another client id (the legacy URL
    // one, which Globex also accepts — but not for this transaction), or
    // another nonce.
    let mut for_url = request.clone();
    for_url.client_id = w.verifier_url.clone();
    w.wallet
        .set_holder_policy(&HolderPolicy::default().allow_domain("127.0.0.1", PROFILE_CLAIMS))
        .unwrap();
    let other_domain = json!({"agent": [w.wallet.present(&for_url).await.unwrap()]}).to_string();
    let (s, b) = direct_post(&w, &[("vp_token", &other_domain), ("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "audience_mismatch");
    let mut other_nonce = request.clone();
    other_nonce.nonce = credence_core::fresh_nonce();
    let policy = HolderPolicy::default().allow_did(&request.client_id, PROFILE_CLAIMS);
    w.wallet.set_holder_policy(&policy).unwrap();
    let stale = json!({"agent": [w.wallet.present(&other_nonce).await.unwrap()]}).to_string();
    let (s, b) = direct_post(&w, &[("vp_token", &stale), ("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "nonce_mismatch");

    // None of that used the transaction up; the honest answer works once.
    let (s, b) = direct_post(&w, &[("vp_token", &good), ("state", state)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(code_of(&b).len() >= 43);
    let (s, b) = direct_post(&w, &[("vp_token", &good), ("state", state)]).await;
    assert_oauth(s, &b, "invalid_grant", "replay");
}

#[tokio::test]
async fn a_response_code_is_redeemed_once_by_the_holder_key_only() {
    let w = common::world().await;
    let (request, created) = transaction(&w).await;
    let (_, good) = honest(&w, &request).await;
    let state = created["state"].as_str().unwrap();
    let (_, b) = direct_post(&w, &[("vp_token", &good), ("state", state)]).await;
    let code = code_of(&b);

    let (s, b) = redeem(&w, &code, None).await;
    refused(s, &b, "invalid_dpop_proof", "DPoP proof missing");
    let thief = ssi::JWK::generate_ed25519().unwrap();
    let now = Utc::now().timestamp();
    let foreign = credence_core::dpop_proof(&thief, "POST", &token_url(&w), None, now).unwrap();
    let (s, b) = redeem(&w, &code, Some(&foreign)).await;
    refused(s, &b, "invalid_dpop_proof", "key");
    let wrong_url = w
        .wallet
        .token_request_proof(&format!("{}/other", w.verifier_url))
        .unwrap();
    let (s, b) = redeem(&w, &code, Some(&wrong_url)).await;
    refused(s, &b, "invalid_dpop_proof", "/other, not");
    let proof = w.wallet.token_request_proof(&token_url(&w)).unwrap();
    // Refusals left the code outstanding; the holder's proof redeems it.
    let (s, b) = redeem(&w, &code, Some(&proof)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["token_type"], "DPoP");
    let fresh = w.wallet.token_request_proof(&token_url(&w)).unwrap();
    let (s, b) = redeem(&w, &code, Some(&fresh)).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_response_code");

    // A second transaction's code with the first one's proof: replayed jti.
    let (request, created) = transaction(&w).await;
    let (_, good) = honest(&w, &request).await;
    let state = created["state"].as_str().unwrap();
    let (_, b) = direct_post(&w, &[("vp_token", &good), ("state", state)]).await;
    let (s, b) = redeem(&w, &code_of(&b), Some(&proof)).await;
    refused(s, &b, "invalid_dpop_proof", "replay");
    let (s, b) = redeem(&w, "made-up-code", Some(&fresh)).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_response_code");
}

#[tokio::test]
async fn a_response_code_expires_after_a_minute() {
    let clock = Arc::new(Ahead::default());
    let c = clock.clone();
    let w = common::world_with(move |v| v.with_clock(c)).await;
    let (request, created) = transaction(&w).await;
    let (_, good) = honest(&w, &request).await;
    let state = created["state"].as_str().unwrap();
    let (_, b) = direct_post(&w, &[("vp_token", &good), ("state", state)]).await;
    clock.0.store(61, Ordering::SeqCst);
    let proof = w.wallet.token_request_proof(&token_url(&w)).unwrap();
    let (s, b) = redeem(&w, &code_of(&b), Some(&proof)).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_response_code");
    assert!(
        b["error_description"].as_str().unwrap().contains("expired"),
        "{b}"
    );
}

/// A code verified under one policy and redeemed after the issuer lost
/// its trust (a reload, or a replica with the newer policy) is refused:
/// the verified facts are not minted under a policy that would not have
/// accepted them.
#[tokio::test]
async fn a_response_code_is_refused_once_its_issuer_is_no_longer_trusted() {
    let w = common::world().await;
    let (request, created) = transaction(&w).await;
    let (_, good) = honest(&w, &request).await;
    let state = created["state"].as_str().unwrap();
    let (s, b) = direct_post(&w, &[("vp_token", &good), ("state", state)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut policy = (*w.verifier.policy()).clone();
    policy.issuers.clear();
    w.verifier.set_policy(policy);
    let proof = w.wallet.token_request_proof(&token_url(&w)).unwrap();
    let (s, b) = redeem(&w, &code_of(&b), Some(&proof)).await;
    assert_oauth(s, &b, "invalid_grant", "invalid_response_code");
    let description = b["error_description"].as_str().unwrap();
    assert!(description.contains("no longer trusted"), "{b}");
}

#[tokio::test]
async fn the_request_object_has_every_openid4vp_field() {
    let w = common::world().await;
    let (_, created) = transaction(&w).await;
    let jwt = created["request"].as_str().unwrap();
    let header = jwt_part(jwt, 0);
    let claims = jwt_part(jwt, 1);
    let did = credence_did::did_web_for_origin(&w.verifier_url).unwrap();
    let client_id = format!("decentralized_identifier:{did}");
    // RFC 9101 §10.8 / OpenID4VP §5: typ; §5.9.3: kid a DID URL of client_id's DID.
    assert_eq!(header["typ"], "oauth-authz-req+jwt");
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], format!("{did}#request-key"));
    assert_eq!(claims["client_id"], client_id);
    assert_eq!(created["client_id"], client_id);
    assert_eq!(claims["iss"], client_id);
    assert_eq!(claims["response_type"], "vp_token");
    assert_eq!(claims["response_mode"], "direct_post");
    assert_eq!(
        claims["response_uri"],
        format!("{}/openid4vp/response", w.verifier_url)
    );
    assert_eq!(claims["aud"], "https://self-issued.me/v2");
    assert_eq!(claims["state"], created["state"]);
    assert!(claims["nonce"].as_str().unwrap().len() >= 22);
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!((1..=120).contains(&lifetime), "{lifetime}");
    assert_eq!(claims["dcql_query"]["credentials"][0]["id"], "agent");
    assert_eq!(claims["dcql_query"]["credentials"][0]["format"], "ldp_vc");
    let formats = &claims["client_metadata"]["vp_formats_supported"];
    assert!(formats["ldp_vc"]["cryptosuite_values"]
        .as_array()
        .unwrap()
        .contains(&json!("bbs-2023")));
    assert!(formats["dc+sd-jwt"].is_object());
    assert!(claims.get("redirect_uri").is_none() && claims.get("wallet_nonce").is_none());
    // The URL (§5.10) names client_id and request_uri; the request_uri
    // serves the object with its media type, and echoes a wallet_nonce.
    let url = url::Url::parse(created["authorization_request"].as_str().unwrap()).unwrap();
    assert_eq!(url.scheme(), "openid4vp");
    let params: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], client_id);
    assert_eq!(
        params["request_uri"],
        created["request_uri"].as_str().unwrap()
    );
    let r = w
        .client
        .post(&params["request_uri"])
        .form(&[("wallet_nonce", "w-123")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "application/oauth-authz-req+jwt"
    );
    let fetched = r.text().await.unwrap();
    assert_eq!(jwt_part(&fetched, 1)["wallet_nonce"], "w-123");
    // The signature verifies with the key Globex's did:web lists for
    // authentication, and with no other.
    let doc: Value = w
        .client
        .get(format!("{}/.well-known/did.json", w.verifier_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = header["kid"].as_str().unwrap();
    let method = credence_did::authorized_in(&doc, kid, "authentication").unwrap();
    let key = method.jwk().unwrap();
    let typ = ["oauth-authz-req+jwt"];
    let bad = credence_sdjwt::SdJwtError::BadIssuerSignature;
    credence_sdjwt::jws::verify(jwt, &key, &typ, bad.clone()).unwrap();
    let other = ssi::JWK::generate_ed25519().unwrap().to_public();
    assert!(credence_sdjwt::jws::verify(jwt, &other, &typ, bad).is_err());
    let unknown = format!("{}/openid4vp/requests/unknown", w.verifier_url);
    let s = w.client.get(unknown).send().await.unwrap().status();
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_metadata_has_rfc_8414s_required_and_recommended_fields() {
    let w = common::world().await;
    let m: Value = w
        .client
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            w.verifier_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // REQUIRED (RFC 8414 §2): issuer exactly as clients use it; the token
    // endpoint (the grant used needs it); response_types_supported (no
    // authorization endpoint: empty).
    assert_eq!(m["issuer"], w.verifier_url);
    assert_eq!(m["token_endpoint"], token_url(&w));
    assert_eq!(m["response_types_supported"], json!([]));
    assert!(m.get("authorization_endpoint").is_none());
    // RECOMMENDED: scopes_supported (every scope the policy can grant).
    assert_eq!(
        m["scopes_supported"],
        json!(["invoices:read", "reports:read"])
    );
    // OPTIONAL ones Credence serves.
    assert_eq!(
        m["jwks_uri"],
        format!("{}/.well-known/jwks.json", w.verifier_url)
    );
    assert_eq!(
        m["introspection_endpoint"],
        format!("{}/introspect", w.verifier_url)
    );
    assert_eq!(
        m["revocation_endpoint"],
        format!("{}/revoke", w.verifier_url)
    );
    assert_eq!(
        m["grant_types_supported"],
        json!(["urn:ietf:params:oauth:grant-type:token-exchange"])
    );
    assert_eq!(m["token_endpoint_auth_methods_supported"], json!(["none"]));
    assert_eq!(
        m["dpop_signing_alg_values_supported"],
        json!(["EdDSA", "ES256"])
    );
    let suites = &m["vp_formats_supported"]["ldp_vc"]["cryptosuite_values"];
    for suite in ["bbs-2023", "eddsa-rdfc-2022", "ecdsa-rdfc-2019"] {
        assert!(
            suites.as_array().unwrap().contains(&json!(suite)),
            "{suites}"
        );
    }
    assert!(m["vp_formats_supported"]["dc+sd-jwt"]["kb-jwt_alg_values"].is_array());
    assert_eq!(
        m["credence_openid4vp_request_endpoint"],
        format!("{}/openid4vp/requests", w.verifier_url)
    );
    // Every endpoint named is served.
    for endpoint in ["jwks_uri", "token_endpoint", "introspection_endpoint"] {
        let url = m[endpoint].as_str().unwrap();
        let r = w.client.get(url).send().await.unwrap();
        assert_ne!(r.status(), StatusCode::NOT_FOUND, "{endpoint} {url}");
    }
}
