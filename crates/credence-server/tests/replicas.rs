//! The token service as three replicas on one real Redis (a
//! `redis-server` on a free loopback port): a request issued by one is
//! answered at another and replayed at a third; one presentation POSTed
//! 50× across them mints one token; revocation, and a credential's
//! revocation, reach tokens minted elsewhere; Redis stopping fails closed
//! (503, no token) and recovery follows its return. Skips loudly without
//! `redis-server` (`.ci/run` installs it).

mod common;
#[path = "replicas/key_rotation.rs"]
mod key_rotation;
#[path = "replicas/ops.rs"]
mod ops;
#[path = "../../credence-store/tests/support/redis_server.rs"]
mod redis_server;

use common::replica::{replica, short_cache};
use common::*;
use credence_core::VerifierState;
use credence_server::verifier_api::{TOKEN_EXCHANGE_GRANT, VP_TOKEN_TYPE};
use credence_server::ServeOptions;
use credence_store::{RedisOptions, RedisState};
use redis_server::RedisServer;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

struct Replicas {
    w: World,
    /// A (the world's own service), B, C.
    urls: Vec<String>,
    _running: Vec<common::replica::Running>,
    redis: RedisServer,
}

fn redis_state(redis: &RedisServer) -> Arc<dyn VerifierState> {
    Arc::new(RedisState::connect(&redis.url(), RedisOptions::default()).unwrap())
}

async fn replicas_with(options: ServeOptions) -> Option<Replicas> {
    let redis = RedisServer::start()?;
    let shared = redis_state(&redis);
    let w = world_with(|v| short_cache(v.with_state(shared.clone()))).await;
    let mut urls = vec![w.verifier_url.clone()];
    let mut stops = Vec::new();
    for _ in 0..2 {
        let (listener, url) = bind().await;
        stops.push(replica(&w, shared.clone(), listener, options.clone()));
        urls.push(url);
    }
    Some(Replicas {
        w,
        urls,
        _running: stops,
        redis,
    })
}

async fn replicas() -> Option<Replicas> {
    replicas_with(ServeOptions::default()).await
}

/// A presentation answering a request issued by the replica at `base`.
async fn presentation_from(w: &World, base: &str) -> Value {
    let r = w
        .client
        .post(format!("{base}/presentation-requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let request = r.json().await.unwrap();
    w.wallet.present(&request).await.unwrap()
}

/// `POST {base}/token` with `vp` for the tool, with `request_id` as its
/// `x-request-id` when given.
async fn post_token(
    w: &World,
    base: &str,
    vp: &Value,
    request_id: Option<&str>,
) -> reqwest::Response {
    let subject = vp.to_string();
    let form = [
        ("grant_type", TOKEN_EXCHANGE_GRANT),
        ("subject_token", subject.as_str()),
        ("subject_token_type", VP_TOKEN_TYPE),
        ("audience", w.tool_url.as_str()),
    ];
    let mut request = w.client.post(format!("{base}/token")).form(&form);
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    request.send().await.unwrap()
}

/// [`post_token`]'s status and JSON body.
async fn exchange_at(w: &World, base: &str, vp: &Value) -> (StatusCode, Value) {
    let r = post_token(w, base, vp, None).await;
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// Whether `token` is active per `{base}/introspect`.
async fn active_at(w: &World, base: &str, token: &str) -> bool {
    let r = w
        .client
        .post(format!("{base}/introspect"))
        .bearer_auth(&w.introspection)
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["active"].as_bool().unwrap()
}

#[tokio::test]
async fn a_request_issued_at_one_replica_is_answered_at_another_and_replayed_at_a_third() {
    let Some(r) = replicas().await else { return };
    let vp = presentation_from(&r.w, &r.urls[0]).await;
    let (status, body) = exchange_at(&r.w, &r.urls[1], &vp).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = exchange_at(&r.w, &r.urls[2], &vp).await;
    assert_oauth(status, &body, "invalid_grant", "replay");
    // The token minted at B is this service's at A and C.
    let token = body_token(
        &exchange_at(&r.w, &r.urls[1], &presentation_from(&r.w, &r.urls[2]).await).await,
    );
    assert!(active_at(&r.w, &r.urls[0], &token).await);
    assert!(active_at(&r.w, &r.urls[2], &token).await);
}

fn body_token((status, body): &(StatusCode, Value)) -> String {
    assert_eq!(*status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn one_presentation_posted_fifty_times_across_replicas_mints_one_token() {
    let Some(r) = replicas().await else { return };
    let vp = Arc::new(presentation_from(&r.w, &r.urls[2]).await);
    let w = Arc::new(r.w);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (w, vp, base) = (w.clone(), vp.clone(), r.urls[i % 3].clone());
            tokio::spawn(async move { exchange_at(&w, &base, &vp).await })
        })
        .collect();
    let (mut minted, mut replays) = (0, 0);
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => minted += 1,
            _ => {
                assert_oauth(status, &body, "invalid_grant", "replay");
                replays += 1;
            }
        }
    }
    assert_eq!((minted, replays), (1, 49));
}

#[tokio::test]
async fn a_token_revoked_at_one_replica_is_inactive_at_the_others() {
    let Some(r) = replicas().await else { return };
    let vp = presentation_from(&r.w, &r.urls[0]).await;
    let token = body_token(&exchange_at(&r.w, &r.urls[0], &vp).await);
    assert!(active_at(&r.w, &r.urls[1], &token).await);
    let revoked =
        r.w.client
            .post(format!("{}/revoke", r.urls[0]))
            .bearer_auth(&r.w.introspection)
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert!(!active_at(&r.w, &r.urls[1], &token).await);
    assert!(!active_at(&r.w, &r.urls[2], &token).await);
}

#[tokio::test]
async fn a_credential_revocation_reaches_a_token_minted_on_another_replica() {
    let Some(r) = replicas().await else { return };
    let vp = presentation_from(&r.w, &r.urls[1]).await;
    let token = body_token(&exchange_at(&r.w, &r.urls[1], &vp).await);
    assert!(active_at(&r.w, &r.urls[2], &token).await);
    r.w.set_status("revocation", true).await;
    // C fetched the status list a moment ago; its cache lives a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(!active_at(&r.w, &r.urls[2], &token).await, "cascaded at C");
    assert!(!active_at(&r.w, &r.urls[0], &token).await, "cascaded at A");
}

#[tokio::test]
async fn redis_stopping_fails_closed_and_service_resumes_when_it_returns() {
    let Some(mut r) = replicas().await else {
        return;
    };
    let vp = presentation_from(&r.w, &r.urls[0]).await;
    r.redis.stop();
    // No token without its single-use record.
    let (status, body) = exchange_at(&r.w, &r.urls[1], &vp).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    let created =
        r.w.client
            .post(format!("{}/presentation-requests", r.urls[2]))
            .send()
            .await
            .unwrap();
    assert_eq!(created.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(created.headers()["retry-after"], "1");
    let ready =
        r.w.client
            .get(format!("{}/readyz", r.urls[0]))
            .send()
            .await
            .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health =
        r.w.client
            .get(format!("{}/healthz", r.urls[0]))
            .send()
            .await
            .unwrap();
    assert_eq!(health.status(), StatusCode::OK, "alive, not ready");

    r.redis.resume();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let ready =
            r.w.client
                .get(format!("{}/readyz", r.urls[1]))
                .send()
                .await
                .unwrap();
        if ready.status() == StatusCode::OK {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no recovery");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // This Redis keeps nothing across a restart: the old request is gone
    // (refused, never accepted), and a new exchange works end to end.
    let (status, body) = exchange_at(&r.w, &r.urls[1], &vp).await;
    assert_oauth(status, &body, "invalid_grant", "nonce_mismatch");
    let fresh = presentation_from(&r.w, &r.urls[2]).await;
    body_token(&exchange_at(&r.w, &r.urls[0], &fresh).await);
}

#[tokio::test]
async fn a_sled_backed_verifier_restarted_keeps_used_nonces_and_revoked_tokens() {
    let w = world_with(|v| v.with_state(Arc::new(credence_core::MemoryState::default()))).await;
    let dir = tempfile::tempdir().unwrap();
    let (listener, url) = bind().await;
    let open = || -> Arc<dyn VerifierState> {
        Arc::new(credence_store::SledState::open(dir.path()).unwrap())
    };
    let stop = replica(&w, open(), listener, ServeOptions::default());
    let used = presentation_from(&w, &url).await;
    let revoked = body_token(&exchange_at(&w, &url, &used).await);
    let kept = body_token(&exchange_at(&w, &url, &presentation_from(&w, &url).await).await);
    let pending = presentation_from(&w, &url).await;
    let r = w
        .client
        .post(format!("{url}/revoke"))
        .bearer_auth(&w.introspection)
        .form(&[("token", revoked.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    stop.stop().await;

    // The same directory, a new process state: sled's lock is released
    // once the old service is gone (open waits for it).
    let (listener, url) = bind().await;
    let _stop = replica(&w, open(), listener, ServeOptions::default());
    let (status, body) = exchange_at(&w, &url, &used).await;
    assert_oauth(status, &body, "invalid_grant", "replay");
    assert!(!active_at(&w, &url, &revoked).await, "still revoked");
    assert!(active_at(&w, &url, &kept).await, "its lineage survived");
    // A request issued before the restart is still answerable.
    body_token(&exchange_at(&w, &url, &pending).await);
}

#[tokio::test]
async fn an_openid4vp_transaction_moves_across_replicas_and_its_code_is_redeemed_once() {
    let Some(r) = replicas().await else { return };
    let w = &r.w;
    let (request, created) = common::oid4vp::transaction_at(w, &r.urls[0]).await;
    // The request object is served by another replica.
    let state = request.state.clone().unwrap();
    let object = w
        .client
        .get(format!("{}/openid4vp/requests/{state}", r.urls[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(object.status(), StatusCode::OK);
    assert!(created["request"].is_string());
    let vp = w.wallet.present(&request).await.unwrap();
    let vp_token = serde_json::json!({"agent": [vp]}).to_string();
    let posted = w
        .client
        .post(format!("{}/openid4vp/response", r.urls[2]))
        .form(&[("state", state.as_str()), ("vp_token", vp_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::OK);
    let code = common::oid4vp::code_of(&posted.json().await.unwrap());
    let redeem = |base: String, proof: String| {
        let (code, tool) = (code.clone(), w.tool_url.clone());
        async move {
            let r = w
                .client
                .post(format!("{base}/token"))
                .header("DPoP", proof)
                .form(&[
                    ("grant_type", TOKEN_EXCHANGE_GRANT),
                    ("subject_token", code.as_str()),
                    (
                        "subject_token_type",
                        credence_server::RESPONSE_CODE_TOKEN_TYPE,
                    ),
                    ("audience", tool.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    // The DPoP proof names the service's token endpoint (its id), wherever
    // the load balancer sends it.
    let token_url = format!("{}/token", w.verifier_url);
    let proof = || w.wallet.token_request_proof(&token_url).unwrap();
    let first = redeem(r.urls[1].clone(), proof()).await;
    body_token(&first);
    let (status, body) = redeem(r.urls[0].clone(), proof()).await;
    assert_oauth(status, &body, "invalid_grant", "invalid_response_code");
}
