//! OpenID4VP 1.0 from the agent's wallet, over loopback HTTP: the wallet
//! fetches Globex's signed request object, verifies it against Globex's
//! did:web (served by the token service), applies its holder policy to
//! that verified DID, answers by direct_post and exchanges the response
//! code for a DPoP-bound token. And the requests it must refuse: signed by
//! a key that is not the DID's, unsigned (anonymous), answered elsewhere
//! than the verifier's origin, expired, with a forged URL client id.

mod common;

use common::World;
use credence_core::{
    agent_credential_query, did_client_id, DcqlQuery, PresentationRequest, PROFILE_CLAIMS,
};
use credence_verify::RequestSigner;
use credence_wallet::openid4vp::{Openid4vpError, TokenResponse, TokenTarget};
use credence_wallet::{HolderPolicy, PresentError, VerifierIdentity};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Globex's token service's DID (a did:web of its loopback origin).
fn globex_did(w: &World) -> String {
    credence_did::did_web_for_origin(&w.verifier_url).unwrap()
}

/// Globex's request key, as the token service loaded it.
fn globex_key(w: &World) -> ssi::JWK {
    credence_server::verifier_dir::load_or_create_request_key(&w.dir.path().join("globex")).unwrap()
}

/// The wallet discloses the profile claims to Globex's verified DID only.
fn trust_globex(w: &World) {
    w.wallet
        .set_holder_policy(&HolderPolicy::default().allow_did(&globex_did(w), PROFILE_CLAIMS))
        .unwrap();
}

/// A new OpenID4VP transaction at Globex: its `openid4vp://` URL and body.
async fn transaction(w: &World, body: Value) -> (String, Value) {
    let r = w
        .client
        .post(format!("{}/openid4vp/requests", w.verifier_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    (
        created["authorization_request"]
            .as_str()
            .unwrap()
            .to_owned(),
        created,
    )
}

/// A request like Globex's, signed by `signer`, answered at `response_uri`.
fn signed_request(signer: &RequestSigner, response_uri: &str, exp_in: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut request = PresentationRequest::for_query(
        &signer.client_id(),
        agent_credential_query(&["organization"]),
        now + exp_in,
    );
    request.state = Some(credence_core::fresh_nonce());
    request.response_uri = Some(response_uri.to_owned());
    let jwt = signer.sign(&request, now - 1, None, json!({})).unwrap();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &signer.client_id())
        .append_pair("request", &jwt)
        .finish();
    format!("openid4vp://?{query}")
}

/// The agent's wallet exchanges `code` at `endpoint` for a tool token.
async fn exchange(w: &World, endpoint: &str, code: &str) -> TokenResponse {
    w.wallet
        .exchange_response_code(endpoint, code, TokenTarget::Resource(&w.tool_url), None)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_wallet_verifies_globex_answers_and_gets_a_token() {
    let w = common::world().await;
    trust_globex(&w);
    let (url, created) = transaction(&w, json!({"claims": ["organization", "capabilities"]})).await;
    let request = w.wallet.open_openid4vp(&url).await.unwrap();
    assert_eq!(
        request.verifier,
        VerifierIdentity::VerifiedDid(globex_did(&w))
    );
    assert_eq!(request.request.client_id, did_client_id(&globex_did(&w)));
    assert_eq!(request.request.state.as_deref(), created["state"].as_str());
    let plan = w.wallet.plan_openid4vp(&request).unwrap();
    assert_eq!(plan.verifier, format!("{} (verified)", globex_did(&w)));
    assert_eq!(plan.ldp_vc.as_ref().unwrap().credentials.len(), 1);
    let answer = w.wallet.respond_openid4vp(&request).await.unwrap();
    assert_eq!(answer.presented.len(), 1);
    let code = answer.response_code.expect("a response code");
    let endpoint = w
        .wallet
        .discover_token_endpoint(&request.request.response_uri)
        .await
        .unwrap();
    assert_eq!(endpoint, format!("{}/token", w.verifier_url));
    let token = exchange(&w, &endpoint, &code).await;
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.body["token_type"], "DPoP");
    let access = token.body["access_token"].as_str().unwrap();
    let (status, body) = w
        .call(
            reqwest::Method::GET,
            &format!("DPoP {access}"),
            Some(&w.dpop("GET", access)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The code is single use.
    let again = exchange(&w, &endpoint, &code).await;
    assert_eq!(again.status, 400, "{}", again.body);
    assert_eq!(again.body["credence_reason"], "invalid_response_code");
}

#[tokio::test]
async fn request_uri_method_post_echoes_the_wallet_nonce() {
    let w = common::world().await;
    trust_globex(&w);
    let (url, _) = transaction(&w, json!({"claims": ["organization", "capabilities"]})).await;
    let request = w
        .wallet
        .open_openid4vp(&format!("{url}&request_uri_method=post"))
        .await
        .unwrap();
    assert!(request.request.wallet_nonce.is_some());
    let answer = w.wallet.respond_openid4vp(&request).await.unwrap();
    assert!(answer.response_code.is_some());
}

#[tokio::test]
async fn a_request_for_globex_signed_by_another_key_is_refused() {
    let w = common::world().await;
    trust_globex(&w);
    let did = globex_did(&w);
    // Globex's DID and kid, an attacker's key.
    let forger = RequestSigner::did_web(&did, ssi::JWK::generate_ed25519().unwrap()).unwrap();
    let url = signed_request(
        &forger,
        &format!("{}/openid4vp/response", w.verifier_url),
        60,
    );
    let err = w.wallet.open_openid4vp(&url).await.unwrap_err();
    assert!(matches!(err, Openid4vpError::BadSignature(_)), "{err}");
    // The attacker's own did:key, claiming Globex's client id in the URL.
    let own = RequestSigner::did_key(ssi::JWK::generate_ed25519().unwrap()).unwrap();
    let url = signed_request(&own, "https://attacker.example/r", 60).replace(
        &urlencoded(&own.client_id()),
        &urlencoded(&did_client_id(&did)),
    );
    let err = w.wallet.open_openid4vp(&url).await.unwrap_err();
    assert!(matches!(err, Openid4vpError::Kid { .. }), "{err}");
    // Its own identity verifies, and gets nothing.
    let url = signed_request(&own, "https://attacker.example/r", 60);
    let request = w.wallet.open_openid4vp(&url).await.unwrap();
    assert_eq!(
        request.verifier,
        VerifierIdentity::VerifiedDid(own.did().to_owned())
    );
    let err = w.wallet.plan_openid4vp(&request).unwrap_err();
    assert!(
        matches!(
            err,
            Openid4vpError::Present(PresentError::PolicyDenied { .. })
        ),
        "{err}"
    );
}

fn urlencoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_response_uri_off_the_verifiers_origin_is_refused() {
    let w = common::world().await;
    trust_globex(&w);
    let signer = RequestSigner::did_web(&globex_did(&w), globex_key(&w)).unwrap();
    // Signed by Globex's real key, but the answer would go elsewhere.
    let elsewhere = w.tool_url.clone() + "/openid4vp/response";
    let err = w
        .wallet
        .open_openid4vp(&signed_request(&signer, &elsewhere, 60))
        .await
        .unwrap_err();
    assert!(matches!(err, Openid4vpError::ResponseUri { .. }), "{err}");
    // The same, expired.
    let home = format!("{}/openid4vp/response", w.verifier_url);
    let err = w
        .wallet
        .open_openid4vp(&signed_request(&signer, &home, -5))
        .await
        .unwrap_err();
    assert!(matches!(err, Openid4vpError::Expired(_)), "{err}");
    // And at home it verifies.
    let ok = w
        .wallet
        .open_openid4vp(&signed_request(&signer, &home, 60))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
}

/// An unsigned request from `response_uri` for `claims`.
fn unsigned(response_uri: &str, claims: &[&str]) -> String {
    let dcql: DcqlQuery = agent_credential_query(claims);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &format!("redirect_uri:{response_uri}"))
        .append_pair("response_type", "vp_token")
        .append_pair("response_mode", "direct_post")
        .append_pair("response_uri", response_uri)
        .append_pair("nonce", "n-0123456789abcdef")
        .append_pair("state", "s-0123456789abcdef")
        .append_pair("dcql_query", &serde_json::to_string(&dcql).unwrap())
        .finish();
    format!("openid4vp://?{query}")
}

#[tokio::test]
async fn an_unsigned_request_gets_only_anonymous_disclosures() {
    let w = common::world().await;
    // Trusts Globex's DID and the loopback domain — neither is anonymous.
    w.wallet
        .set_holder_policy(
            &HolderPolicy::default()
                .allow_did(&globex_did(&w), PROFILE_CLAIMS)
                .allow_domain("127.0.0.1", PROFILE_CLAIMS),
        )
        .unwrap();
    let rp = format!("{}/openid4vp/response", w.verifier_url);
    let request = w
        .wallet
        .open_openid4vp(&unsigned(&rp, &["organization"]))
        .await
        .unwrap();
    assert_eq!(request.verifier, VerifierIdentity::Anonymous);
    let err = w.wallet.plan_openid4vp(&request).unwrap_err();
    assert!(
        matches!(err, Openid4vpError::Present(PresentError::PolicyDenied { ref verifier, .. }) if verifier == "anonymous"),
        "{err}"
    );
    // An anonymous rule lets exactly its claims go.
    w.wallet
        .set_holder_policy(&HolderPolicy::default().allow_anonymous(&["organization"]))
        .unwrap();
    let plan = w.wallet.plan_openid4vp(&request).unwrap();
    assert_eq!(plan.verifier, "anonymous");
    let both = w
        .wallet
        .open_openid4vp(&unsigned(&rp, &["organization", "capabilities"]))
        .await
        .unwrap();
    let err = w.wallet.plan_openid4vp(&both).unwrap_err();
    assert!(
        matches!(err, Openid4vpError::Present(PresentError::PolicyDenied { ref claims, .. }) if claims == &["credentialSubject.capabilities"]),
        "{err}"
    );
    // Unsigned requests must answer where the client id says, and a DID
    // verifier's request must be signed.
    let elsewhere =
        unsigned(&rp, &["organization"]).replace("response_uri=http", "response_uri=https");
    let err = w.wallet.open_openid4vp(&elsewhere).await.unwrap_err();
    assert!(matches!(err, Openid4vpError::ResponseUri { .. }), "{err}");
    let as_did = unsigned(&rp, &["organization"]).replace(
        &urlencoded(&format!("redirect_uri:{rp}")),
        &urlencoded(&did_client_id(&globex_did(&w))),
    );
    let err = w.wallet.open_openid4vp(&as_did).await.unwrap_err();
    assert!(matches!(err, Openid4vpError::NotSigned(_)), "{err}");
}

#[tokio::test]
async fn an_sd_jwt_vc_answers_by_direct_post_too() {
    let w = common::world().await;
    trust_globex(&w);
    let text = std::fs::read_to_string(&w.policy_path).unwrap().replacen(
        "credential_types = [\"AgentCredential\"]",
        "credential_types = [\"AgentCredential\"]\nformats = [\"bbs-2023\", \"dc+sd-jwt\"]",
        1,
    );
    std::fs::write(&w.policy_path, text).unwrap();
    w.verifier
        .set_policy(credence_verify::TrustPolicy::load(&w.policy_path).unwrap());
    let issued = issue(&w, w.wallet.did(), "dc+sd-jwt").await;
    w.wallet
        .import_sd_jwt(issued["credential"].as_str().unwrap())
        .await
        .unwrap();
    let body = json!({"claims": ["organization", "capabilities"], "format": "dc+sd-jwt"});
    let (url, _) = transaction(&w, body).await;
    let request = w.wallet.open_openid4vp(&url).await.unwrap();
    let plan = w.wallet.plan_openid4vp(&request).unwrap();
    assert!(plan.ldp_vc.is_none());
    assert_eq!(plan.sd_jwt.len(), 1);
    let answer = w.wallet.respond_openid4vp(&request).await.unwrap();
    let endpoint = format!("{}/token", w.verifier_url);
    let token = exchange(&w, &endpoint, &answer.response_code.unwrap()).await;
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.body["scope"], "invoices:read");
}

/// Acme issues `subject` an AgentCredential in `format` over its admin API.
async fn issue(w: &World, subject: &str, format: &str) -> Value {
    let body = json!({"subject": subject, "profile": credence_core::AgentProfile::sample(), "format": format});
    let r = w
        .client
        .post(format!("{}/admin/credentials", w.issuer_origin))
        .bearer_auth(&w.admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

/// A second agent wallet, holding its own Acme credential, served by the
/// wallet API on loopback: (base URL, bearer secret, stop).
async fn wallet_api(w: &World) -> (String, String, tokio::sync::oneshot::Sender<()>) {
    let dir = w.dir.path().join("api-agent");
    let wallet = credence_wallet::Wallet::create(
        &dir,
        &credence_wallet::Unlock::passphrase("api agent pw"),
        credence_wallet::KdfParams::minimal(),
    )
    .unwrap()
    .with_resolver(std::sync::Arc::new(common::KnownFirst(Default::default())));
    let issued = issue(w, wallet.did(), "ldp_vc").await;
    wallet.import(&issued["credential"]).await.unwrap();
    wallet
        .set_holder_policy(&HolderPolicy::default().allow_did(&globex_did(w), PROFILE_CLAIMS))
        .unwrap();
    let token = credence_server::ApiToken::create(&dir).unwrap();
    let secret = token.secret().to_owned();
    let (listener, base) = common::bind().await;
    let stop = common::serve(listener, credence_server::wallet_api::router(wallet, token));
    (base, secret, stop)
}

#[tokio::test]
async fn the_wallet_api_plans_and_responds_to_openid4vp_requests() {
    let w = common::world().await;
    let (api, secret, _stop) = wallet_api(&w).await;
    let post = |path: &str, body: Value| {
        w.client
            .post(format!("{api}{path}"))
            .bearer_auth(&secret)
            .json(&body)
            .send()
    };
    let (url, _) = transaction(&w, json!({"claims": ["organization", "capabilities"]})).await;
    let r = post("/v1/openid4vp/plan", json!({"request": url}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let plan: Value = r.json().await.unwrap();
    assert_eq!(plan["verifier"], format!("{} (verified)", globex_did(&w)));
    assert_eq!(
        plan["plan"]["ldp_vc"]["credentials"][0]["query_id"],
        "agent"
    );
    let r = post(
        "/v1/openid4vp/respond",
        json!({"request": url, "audience": w.tool_url}),
    )
    .await
    .unwrap();
    let status = r.status();
    let out: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["token_status"], 200, "{out}");
    assert_eq!(out["token"]["token_type"], "DPoP", "{out}");
    // Refusals are typed: an unsigned request is anonymous and gets nothing.
    let rp = format!("{}/openid4vp/response", w.verifier_url);
    let r = post(
        "/v1/openid4vp/plan",
        json!({"request": unsigned(&rp, &["organization"])}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "policy_denied");
    // A forged signature is refused before any policy is looked at.
    let forger =
        RequestSigner::did_web(&globex_did(&w), ssi::JWK::generate_ed25519().unwrap()).unwrap();
    let forged = signed_request(&forger, &rp, 60);
    let r = post("/v1/openid4vp/respond", json!({"request": forged}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "bad_request_signature"
    );
    let r = post("/v1/openid4vp/plan", json!({"request": "nonsense"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_refused_request_is_declined_to_the_verifier_and_audited() {
    let w = common::world().await;
    // The holder policy names nobody: Globex's verified request is refused.
    w.wallet
        .set_holder_policy(&HolderPolicy::default())
        .unwrap();
    let (url, _) = transaction(&w, json!({"claims": ["organization"]})).await;
    let request = w.wallet.open_openid4vp(&url).await.unwrap();
    let err = w.wallet.respond_openid4vp(&request).await.unwrap_err();
    assert!(
        matches!(
            err,
            Openid4vpError::Present(PresentError::PolicyDenied { .. })
        ),
        "{err}"
    );
    let entries = w.wallet.audit_log().entries().unwrap();
    let decline = entries
        .iter()
        .find(|e| e.record.action == "decline")
        .expect("a decline record");
    assert!(
        decline
            .record
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("access_denied (HTTP 200)"),
        "{:?}",
        decline.record
    );
    // Nothing was presented.
    assert!(!entries.iter().any(|e| e.record.action == "present"));
}
