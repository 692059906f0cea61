//! SD-JWT VCs across the services on loopback: Acme's issuer issues an
//! AgentCredential as an SD-JWT VC over its admin API and serves its
//! Token Status List; the agent's wallet imports it (verified) and
//! presents it with a KB-JWT to Globex's token
//! service, which verifies it (fetching the status list token over HTTP)
//! and mints the same DPoP-bound token as for a Data Integrity
//! presentation; revoking over the admin API makes the next exchange fail.

mod common;

use common::{assert_oauth, world_with};
use credence_core::AgentProfile;
use credence_core::PresentationRequest;
use credence_server::verifier_api::{SD_JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A request shaped like the service's, that it never issued.
fn req_for_other(verifier: &str) -> PresentationRequest {
    PresentationRequest::for_query(
        verifier,
        credence_core::agent_sd_jwt_query(&["capabilities"]),
        chrono::Utc::now().timestamp() + 60,
    )
}

/// Globex trusts Acme for SD-JWT VCs too.
fn with_sd_jwt(policy: &std::path::Path) {
    let text = std::fs::read_to_string(policy).unwrap().replacen(
        "credential_types = [\"AgentCredential\"]",
        "credential_types = [\"AgentCredential\"]\nformats = [\"bbs-2023\", \"dc+sd-jwt\"]",
        1,
    );
    std::fs::write(policy, text).unwrap();
}

#[tokio::test]
async fn an_sd_jwt_vc_is_issued_presented_exchanged_and_revoked() {
    // A 1-second status cache, so introspection sees the revocation at once.
    let w = world_with(|v| {
        v.with_status_fetching(
            credence_did::FetchLimits::default(),
            credence_did::CacheConfig {
                ttl: std::time::Duration::from_secs(1),
                capacity: 64,
            },
        )
    })
    .await;
    with_sd_jwt(&w.policy_path);
    w.verifier
        .set_policy(credence_verify::TrustPolicy::load(&w.policy_path).unwrap());
    let agent_did = w.wallet.did().to_owned();
    let issued: Value = w
        .client
        .post(format!("{}/admin/credentials", w.issuer_origin))
        .bearer_auth(&w.admin)
        .json(&json!({"subject": agent_did, "profile": AgentProfile::sample(), "format": "dc+sd-jwt"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(issued["format"], "dc+sd-jwt", "{issued}");
    let text = issued["credential"].as_str().unwrap();
    let index = issued["status_index"].as_u64().unwrap();
    let imported = w.wallet.import_sd_jwt(text).await.unwrap();
    assert_eq!(imported.summary.issuer, w.issuer_did);
    let wallet = w.wallet.clone();
    let present = |request: PresentationRequest| {
        let wallet = wallet.clone();
        async move { wallet.present_sd_jwt(&request).await.unwrap() }
    };
    let exchange = |presentation: String| {
        let client = w.client.clone();
        let url = format!("{}/token", w.verifier_url);
        let tool = w.tool_url.clone();
        async move {
            let form = [
                ("grant_type", TOKEN_EXCHANGE_GRANT),
                ("subject_token", presentation.as_str()),
                ("subject_token_type", SD_JWT_TOKEN_TYPE),
                ("audience", tool.as_str()),
            ];
            let r = client.post(url).form(&form).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let request = |client: reqwest::Client, url: String| async move {
        let r = client
            .post(format!("{url}/presentation-requests"))
            .json(&json!({"claims": ["organization", "capabilities"], "format": "dc+sd-jwt"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let request: PresentationRequest = r.json().await.unwrap();
        assert_eq!(request.dcql_query.credentials[0].format, "dc+sd-jwt");
        request
    };

    let req = request(w.client.clone(), w.verifier_url.clone()).await;
    let (status, body) = exchange(present(req).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "DPoP", "{body}");
    assert!(
        body["scope"].as_str().unwrap().contains("invoices:read"),
        "{body}"
    );
    let token = body["access_token"].as_str().unwrap();
    let claims = credence_core::decode_access_token(token, &w.tokens.token_key()).unwrap();
    assert_eq!(claims.sub, agent_did);
    assert_eq!(claims.cnf.jkt, w.wallet.public_jwk().thumbprint().unwrap());

    // The tool accepts it (introspection re-checks the Token Status List).
    let (status, body) = w
        .call(
            reqwest::Method::GET,
            &format!("DPoP {token}"),
            Some(&w.dpop("GET", token)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = token.to_owned();

    // Revoked over the admin API: the status list token says so.
    let r = w
        .client
        .post(format!("{}/admin/status", w.issuer_origin))
        .bearer_auth(&w.admin)
        .json(&json!({"index": index, "purpose": "revocation", "set": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token = w
        .client
        .get(format!("{}/status/token", w.issuer_origin))
        .send()
        .await
        .unwrap();
    assert_eq!(
        token.headers()["content-type"],
        "application/statuslist+jwt"
    );
    // The token minted from it is no longer active at the tool.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, body) = w
        .call(
            reqwest::Method::GET,
            &format!("DPoP {access}"),
            Some(&w.dpop("GET", &access)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // A fresh verifier refuses a new presentation.
    let fresh = credence_verify::Verifier::new(
        &w.verifier_url,
        credence_verify::TrustPolicy::load(&w.policy_path).unwrap(),
    );
    let req = fresh
        .create_request_for(credence_core::agent_sd_jwt_query(&["capabilities"]))
        .await
        .unwrap();
    let got = fresh.verify_sd_jwt_presentation(&present(req).await).await;
    assert!(
        matches!(
            got,
            Err(credence_verify::VerifyError::Status(
                credence_verify::StatusError::Revoked { .. }
            ))
        ),
        "{got:?}"
    );
    // A presentation for a request this service never made is refused.
    let mut forged = req_for_other(&w.verifier_url);
    forged.nonce = "not-a-nonce".into();
    let (status, body) = exchange(present(forged).await).await;
    assert_oauth(status, &body, "invalid_grant", "nonce_mismatch");
}

#[tokio::test]
async fn an_es256_sd_jwt_vc_is_issued_imported_and_exchanged() {
    let w = world_with(|v| v).await;
    with_sd_jwt(&w.policy_path);
    w.verifier
        .set_policy(credence_verify::TrustPolicy::load(&w.policy_path).unwrap());
    let issued: Value = w
        .client
        .post(format!("{}/admin/credentials", w.issuer_origin))
        .bearer_auth(&w.admin)
        .json(
            &json!({"subject": w.wallet.did(), "profile": AgentProfile::sample(),
            "format": "dc+sd-jwt", "alg": "ES256"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = issued["credential"].as_str().unwrap();
    let header = ssi::claims::jws::decode_unverified(text.split('~').next().unwrap())
        .unwrap()
        .0;
    assert_eq!(header.algorithm, ssi::jwk::Algorithm::ES256);
    assert!(header.key_id.unwrap().ends_with("#es256"));
    w.wallet.import_sd_jwt(text).await.unwrap();
    let request = w
        .verifier
        .create_request_for(credence_core::agent_sd_jwt_query(&[
            "organization",
            "capabilities",
        ]))
        .await
        .unwrap();
    let presentation = w.wallet.present_sd_jwt(&request).await.unwrap();
    let verified = w
        .verifier
        .verify_sd_jwt_presentation(&presentation)
        .await
        .unwrap();
    assert_eq!(verified.holder(), w.wallet.did());
    // An unknown alg is refused by the admin API.
    let r = w
        .client
        .post(format!("{}/admin/credentials", w.issuer_origin))
        .bearer_auth(&w.admin)
        .json(
            &json!({"subject": w.wallet.did(), "profile": AgentProfile::sample(),
            "format": "dc+sd-jwt", "alg": "RS256"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
