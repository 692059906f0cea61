//! The token service and the DPoP-protected tool over real HTTP on
//! loopback: the happy path, revocation and suspension through the
//! issuer's status lists, replay, audience/scope narrowing, token misuse
//! at the tool, DPoP misuse, introspection/revocation, body limits and
//! policy reloads.

mod common;

use common::{assert_oauth, world, world_with, OTHER_AUDIENCE};
use credence_server::verifier_api::TOKEN_EXCHANGE_GRANT;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn exchange_grants_a_dpop_bound_token_the_tool_accepts() {
    let w = world().await;
    let vp = w.presentation().await;
    let (status, body) = w.exchange(&vp, Some(&w.tool_url), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(body["scope"], "invoices:read");
    assert!(body["expires_in"].as_i64().unwrap() <= 120);
    let token = body["access_token"].as_str().unwrap();

    let (status, body) = w
        .call(
            Method::GET,
            &format!("DPoP {token}"),
            Some(&w.dpop("GET", token)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["invoices"].as_array().unwrap().len(), 2);

    // The JWKS publishes the key the token verifies with.
    let jwks: Value = w
        .client
        .get(format!("{}/.well-known/jwks.json", w.verifier_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key: ssi::JWK = serde_json::from_value(jwks["keys"][0].clone()).unwrap();
    assert!(credence_resource::validate_access_token(
        token,
        &key,
        &w.verifier_url,
        &w.tool_url,
        "invoices:read",
        chrono::Utc::now().timestamp()
    )
    .is_ok());
}

#[tokio::test]
async fn revoked_and_suspended_credentials_are_refused() {
    let w = world().await;
    w.set_status("suspension", true).await;
    let (status, body) = w
        .exchange(&w.presentation().await, Some(&w.tool_url), None)
        .await;
    assert_oauth(status, &body, "invalid_grant", "suspended");

    // Lifting the suspension works once the verifier's list cache expires;
    // a fresh verifier sees it at once.
    w.set_status("suspension", false).await;
    let fresh = world_with(|v| v).await;
    let ok = fresh
        .exchange(&fresh.presentation().await, Some(&fresh.tool_url), None)
        .await;
    assert_eq!(ok.0, StatusCode::OK, "{}", ok.1);

    let again = common::world().await;
    again.set_status("revocation", true).await;
    let (status, body) = again
        .exchange(&again.presentation().await, Some(&again.tool_url), None)
        .await;
    assert_oauth(status, &body, "invalid_grant", "revoked");
}

#[tokio::test]
async fn a_replayed_presentation_is_refused() {
    let w = world().await;
    let vp = w.presentation().await;
    assert_eq!(
        w.exchange(&vp, Some(&w.tool_url), None).await.0,
        StatusCode::OK
    );
    let (status, body) = w.exchange(&vp, Some(&w.tool_url), None).await;
    assert_oauth(status, &body, "invalid_grant", "replay");
}

#[tokio::test]
async fn audience_and_scope_can_only_narrow() {
    let w = world().await;
    let (status, body) = w
        .exchange(
            &w.presentation().await,
            Some("https://unknown.example"),
            None,
        )
        .await;
    assert_oauth(status, &body, "invalid_target", "unknown_audience");
    let (status, body) = w
        .exchange(
            &w.presentation().await,
            Some(&w.tool_url),
            Some("invoices:write"),
        )
        .await;
    assert_oauth(status, &body, "invalid_scope", "scope_not_granted");
    // With two audiences in the policy, one must be named.
    let (status, body) = w.exchange(&w.presentation().await, None, None).await;
    assert_oauth(status, &body, "invalid_request", "invalid_request");
    let (status, body) = w
        .exchange(
            &w.presentation().await,
            Some(OTHER_AUDIENCE),
            Some("reports:read"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "reports:read");
}

#[tokio::test]
async fn tokens_for_another_audience_or_scope_or_expired_are_refused_by_the_tool() {
    let w = world().await;
    // Minted for the reports audience, presented to the invoices tool.
    let (_, body) = w
        .exchange(&w.presentation().await, Some(OTHER_AUDIENCE), None)
        .await;
    let other = body["access_token"].as_str().unwrap().to_owned();
    let (status, body) = w
        .call(
            Method::GET,
            &format!("DPoP {other}"),
            Some(&w.dpop("GET", &other)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["credence_reason"], "wrong_audience");

    // invoices:read does not allow paying.
    let token = w.token().await;
    let (status, body) = w
        .call(
            Method::POST,
            &format!("DPoP {token}"),
            Some(&w.dpop("POST", &token)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "insufficient_scope");

    // A token past its lifetime (the policy is switched to 1-second tokens).
    let short =
        common::policy_text(&w.issuer_did, &w.tool_url).replace("ttl_secs = 120", "ttl_secs = 1");
    w.verifier
        .set_policy(credence_verify::TrustPolicy::from_toml(&short).unwrap());
    let old = w.token().await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body) = w
        .call(
            Method::GET,
            &format!("DPoP {old}"),
            Some(&w.dpop("GET", &old)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["credence_reason"], "expired");
}

#[tokio::test]
async fn dpop_proofs_are_required_and_checked() {
    let w = world().await;
    let token = w.token().await;
    let auth = format!("DPoP {token}");

    // Missing: no DPoP header, or the token sent as a plain bearer token.
    let (status, body) = w.call(Method::GET, &auth, None).await;
    assert_eq!(
        (status, body["credence_reason"].clone()),
        (StatusCode::UNAUTHORIZED, "dpop_missing".into())
    );
    let (status, body) = w
        .call(
            Method::GET,
            &format!("Bearer {token}"),
            Some(&w.dpop("GET", &token)),
        )
        .await;
    assert_eq!(
        (status, body["credence_reason"].clone()),
        (StatusCode::UNAUTHORIZED, "dpop_missing".into())
    );

    // For another method, or another URL.
    let (status, body) = w
        .call(Method::GET, &auth, Some(&w.dpop("POST", &token)))
        .await;
    assert_eq!(
        (status, body["credence_reason"].clone()),
        (StatusCode::UNAUTHORIZED, "dpop_invalid".into())
    );
    let elsewhere = w
        .wallet
        .dpop_proof("GET", "http://127.0.0.1:1/invoices", &token)
        .unwrap();
    let (status, body) = w.call(Method::GET, &auth, Some(&elsewhere)).await;
    assert_eq!(
        (status, body["credence_reason"].clone()),
        (StatusCode::UNAUTHORIZED, "dpop_invalid".into())
    );

    // Signed by another key.
    let thief = ssi::JWK::generate_ed25519().unwrap();
    let stolen = credence_core::dpop_proof(
        &thief,
        "GET",
        &format!("{}/invoices", w.tool_url),
        Some(&token),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let (status, body) = w.call(Method::GET, &auth, Some(&stolen)).await;
    assert_eq!(
        (status, body["credence_reason"].clone()),
        (StatusCode::UNAUTHORIZED, "dpop_key_mismatch".into())
    );

    // Replayed.
    let proof = w.dpop("GET", &token);
    assert_eq!(
        w.call(Method::GET, &auth, Some(&proof)).await.0,
        StatusCode::OK
    );
    let (status, body) = w.call(Method::GET, &auth, Some(&proof)).await;
    assert_eq!(
        (status, body["credence_reason"].clone()),
        (StatusCode::UNAUTHORIZED, "dpop_replay".into())
    );
}

#[tokio::test]
async fn introspection_and_revocation_of_tokens() {
    let w = world().await;
    let token = w.token().await;
    let introspect = |secret: &str| {
        w.client
            .post(format!("{}/introspect", w.verifier_url))
            .bearer_auth(secret)
            .form(&[("token", token.as_str())])
            .send()
    };
    let r = introspect("wrong").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = introspect(&w.introspection)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["active"], true);
    assert_eq!(body["scope"], "invoices:read");
    assert_eq!(body["sub"], w.wallet.did());

    // RFC 7009 §2.1: revocation authenticates the client. Anonymous, or
    // with another key's DPoP proof: refused, and the token stays active.
    let revoke_url = format!("{}/revoke", w.verifier_url);
    let revoke = |dpop: Option<String>, bearer: Option<&str>| {
        let mut r = w
            .client
            .post(&revoke_url)
            .form(&[("token", token.as_str())]);
        if let Some(p) = dpop {
            r = r.header("dpop", p);
        }
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        r.send()
    };
    let r = revoke(None, None).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let stranger = ssi::JWK::generate_ed25519().unwrap();
    let foreign = credence_core::dpop_proof(
        &stranger,
        "POST",
        &revoke_url,
        Some(&token),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let r = revoke(Some(foreign), None).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = revoke(None, Some("wrong")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = introspect(&w.introspection)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["active"], true, "refused revocations changed nothing");

    // The holder revokes its own token with a DPoP proof of its key.
    let own = w.wallet.dpop_proof("POST", &revoke_url, &token).unwrap();
    let r = revoke(Some(own), None).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = introspect(&w.introspection)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["active"], false);
    // The tool asks the verifier and refuses the revoked token.
    let (status, body) = w
        .call(
            Method::GET,
            &format!("DPoP {token}"),
            Some(&w.dpop("GET", &token)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["credence_reason"], "inactive");

    // A resource server revokes with its secret.
    let second = w.token().await;
    let r = w
        .client
        .post(&revoke_url)
        .bearer_auth(&w.introspection)
        .form(&[("token", second.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(w.tokens.introspect(&second).await.unwrap().is_none());
}

#[tokio::test]
async fn malformed_and_oversized_requests_get_oauth_errors() {
    let w = world().await;
    let post = |body: Vec<(&'static str, String)>| {
        w.client
            .post(format!("{}/token", w.verifier_url))
            .form(&body)
            .send()
    };
    let r = post(vec![("grant_type", "password".into())]).await.unwrap();
    let status = r.status();
    assert_oauth(
        status,
        &r.json().await.unwrap(),
        "unsupported_grant_type",
        "unsupported_grant_type",
    );
    let r = post(vec![
        (
            "grant_type",
            credence_server::verifier_api::TOKEN_EXCHANGE_GRANT.into(),
        ),
        (
            "subject_token_type",
            credence_server::verifier_api::VP_TOKEN_TYPE.into(),
        ),
        ("subject_token", "{not json".into()),
    ])
    .await
    .unwrap();
    let status = r.status();
    assert_oauth(
        status,
        &r.json().await.unwrap(),
        "invalid_request",
        "invalid_request",
    );
    let huge = "x".repeat(credence_server::verifier_api::MAX_BODY_BYTES + 1);
    let r = post(vec![
        (
            "grant_type",
            credence_server::verifier_api::TOKEN_EXCHANGE_GRANT.into(),
        ),
        ("subject_token", huge),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.json::<Value>().await.unwrap()["credence_reason"],
        "too_large"
    );
    let r = w
        .client
        .post(format!("{}/presentation-requests", w.verifier_url))
        .body(vec![
            b' ';
            credence_server::verifier_api::MAX_BODY_BYTES + 10
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn policy_changes_apply_without_restart_and_bad_files_are_ignored() {
    let w = world().await;
    let watcher = credence_server::watch_policy(w.verifier.clone(), w.policy_path.clone());
    assert_eq!(
        w.exchange(&w.presentation().await, Some(&w.tool_url), None)
            .await
            .0,
        StatusCode::OK
    );

    // A broken file: reported, the policy in force stays.
    std::fs::write(&w.policy_path, "[[issuer]]\ndid = 3\n").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        w.exchange(&w.presentation().await, Some(&w.tool_url), None)
            .await
            .0,
        StatusCode::OK
    );

    // A valid file that no longer trusts Acme: refused from now on.
    let stranger = common::policy_text("did:web:stranger.example", &w.tool_url);
    std::fs::write(&w.policy_path, stranger).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (status, body) = w
        .exchange(&w.presentation().await, Some(&w.tool_url), None)
        .await;
    assert_oauth(status, &body, "invalid_grant", "untrusted_issuer");
    watcher.abort();
}

#[tokio::test]
async fn a_dcql_query_can_be_requested_and_a_malformed_one_is_refused() {
    let w = world().await;
    let query = |id: &str| {
        serde_json::json!({"id": id, "format": "ldp_vc",
            "meta": {"type_values": [["https://www.w3.org/2018/credentials#VerifiableCredential"]]},
            "claims": [{"path": ["credentialSubject", "capabilities"], "values": ["invoices.read"]}]})
    };
    let post = |body: Value| {
        w.client
            .post(format!("{}/presentation-requests", w.verifier_url))
            .json(&body)
            .send()
    };
    let r = post(serde_json::json!({"dcql_query": {"credentials": [query("agent"), query("audit")],
        "credential_sets": [{"options": [["agent"]]}, {"options": [["audit"]], "required": false}]}}))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let request: Value = r.json().await.unwrap();
    assert_eq!(request["dcql_query"]["credentials"][1]["id"], "audit");
    assert_eq!(
        request["dcql_query"]["credential_sets"][1]["required"],
        false
    );
    let r =
        post(serde_json::json!({"dcql_query": {"credentials": [query("agent"), query("agent")]}}))
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("not unique"),
        "{body}"
    );
}

#[tokio::test]
async fn the_token_service_publishes_rfc_8414_metadata_that_names_its_endpoints() {
    let w = world().await;
    let r = w
        .client
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            w.verifier_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let meta: Value = r.json().await.unwrap();
    assert_eq!(meta["issuer"], w.verifier_url);
    assert_eq!(meta["grant_types_supported"], json!([TOKEN_EXCHANGE_GRANT]));
    assert_eq!(
        meta["vp_formats_supported"]["ldp_vc"]["cryptosuite_values"][0],
        "bbs-2023"
    );
    assert!(
        meta["vp_formats_supported"]["dc+sd-jwt"].is_object(),
        "{meta}"
    );
    // The tokens' issuer is the metadata's issuer.
    let token = w.token().await;
    let claims = credence_core::decode_access_token(&token, &w.tokens.token_key()).unwrap();
    assert_eq!(claims.iss, meta["issuer"].as_str().unwrap());
    // Every endpoint it names is served (none is a 404).
    for key in [
        "token_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
    ] {
        let url = meta[key].as_str().unwrap();
        let r = w.client.post(url).form(&[("x", "y")]).send().await.unwrap();
        assert_ne!(r.status(), StatusCode::NOT_FOUND, "{key} {url}");
    }
    let jwks: Value = w
        .client
        .get(meta["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks, w.tokens.jwks());
}
