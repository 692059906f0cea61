//! OpenID4VP transactions from the agent's side, for tests that build
//! answers by hand.

use super::World;
use base64::Engine;
use credence_core::{AuthorizationRequest, PresentationRequest, PROFILE_CLAIMS};
use credence_wallet::HolderPolicy;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// [`transaction_at`] the world's token service.
pub async fn transaction(w: &World) -> (PresentationRequest, Value) {
    transaction_at(w, &w.verifier_url).await
}

/// A new transaction at the service at `base`: (the request the wallet would sign against, the
/// service's answer).
pub async fn transaction_at(w: &World, base: &str) -> (PresentationRequest, Value) {
    let r = w
        .client
        .post(format!("{base}/openid4vp/requests"))
        .json(&json!({"claims": ["organization", "capabilities"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let claims = jwt_part(created["request"].as_str().unwrap(), 1);
    let request: AuthorizationRequest = serde_json::from_value(claims).unwrap();
    // The agent's (Credence-profile) holder policy matches the client id
    // byte for byte; these tests build answers by hand.
    let policy = HolderPolicy::default().allow_did(&request.client_id, PROFILE_CLAIMS);
    w.wallet.set_holder_policy(&policy).unwrap();
    (request.presentation_request(request.exp.unwrap()), created)
}

/// The decoded JSON of part `i` of a compact JWS.
pub fn jwt_part(jwt: &str, i: usize) -> Value {
    let part = jwt.split('.').nth(i).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The response code in a successful direct_post answer.
pub fn code_of(body: &Value) -> String {
    let uri = body["redirect_uri"].as_str().expect("a redirect_uri");
    uri.split_once("#response_code=").unwrap().1.to_owned()
}
