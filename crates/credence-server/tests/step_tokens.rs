//! Per-step tokens over loopback HTTP: an agent's token exchanged (RFC
//! 8693, DPoP-proven) for a one-scope, single-use token bound to one plan
//! step; replays, step mismatches and over-reaching steps are refused, and
//! the refusals are in the verifier's audit trail.

mod common;

use common::{assert_oauth, world_with, World};
use credence_core::step_digest;
use credence_server::verifier_api::{ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT};
use credence_store::AuditLog;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;

async fn step(
    w: &World,
    token: &str,
    scope: &str,
    digest: Option<&str>,
    dpop: bool,
) -> (StatusCode, Value) {
    let url = format!("{}/token", w.verifier_url);
    let mut form = vec![
        ("grant_type", TOKEN_EXCHANGE_GRANT.to_owned()),
        ("subject_token", token.to_owned()),
        ("subject_token_type", ACCESS_TOKEN_TYPE.to_owned()),
        ("scope", scope.to_owned()),
    ];
    if let Some(d) = digest {
        form.push(("credence_step_digest", d.to_owned()));
    }
    let mut req = w.client.post(&url).form(&form);
    if dpop {
        req = req.header("dpop", w.wallet.dpop_proof("POST", &url, token).unwrap());
    }
    let r = req.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn step_tokens_are_single_use_bound_to_their_step_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(AuditLog::open(dir.path().join("audit"), None).unwrap());
    let w = world_with({
        let log = log.clone();
        move |v| v.with_audit(log)
    })
    .await;
    let token = w.token().await;
    let list_url = format!("{}/invoices", w.tool_url);
    let digest = step_digest("GET", &list_url, b"");

    let (status, body) = step(&w, &token, "invoices:read", Some(&digest), true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let step_token = body["access_token"].as_str().unwrap().to_owned();
    assert!(body["expires_in"].as_i64().unwrap() <= 60);
    let auth = format!("DPoP {step_token}");
    let (status, body) = w
        .call(Method::GET, &auth, Some(&w.dpop("GET", &step_token)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Used once: a second call, even with a fresh proof, is refused.
    let (status, body) = w
        .call(Method::GET, &auth, Some(&w.dpop("GET", &step_token)))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["credence_reason"], "single_use_replay");

    // A token approved for another request does not fit this one.
    let other = step_digest("GET", &format!("{}/invoices/INV-1001", w.tool_url), b"");
    let (_, body) = step(&w, &token, "invoices:read", Some(&other), true).await;
    let mismatched = body["access_token"].as_str().unwrap().to_owned();
    let (status, body) = w
        .call(
            Method::GET,
            &format!("DPoP {mismatched}"),
            Some(&w.dpop("GET", &mismatched)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["credence_reason"], "step_mismatch");

    // A step cannot reach beyond its parent token, nor skip the proof, nor
    // be exchanged again.
    let (status, body) = step(&w, &token, "invoices:write", None, true).await;
    assert_oauth(status, &body, "invalid_scope", "scope_not_granted");
    let (status, body) = step(&w, &token, "invoices:read", None, false).await;
    assert_oauth(status, &body, "invalid_dpop_proof", "subject_token_refused");
    let (status, body) = step(&w, &mismatched, "invoices:read", None, true).await;
    assert_oauth(status, &body, "invalid_grant", "subject_token_refused");
    // Change a signature character well before the padding bits.
    let at = token.len() - 10;
    let swap = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swap}{}", &token[..at], &token[at + 1..]);
    let (status, body) = step(&w, &forged, "invoices:read", None, true).await;
    assert_oauth(status, &body, "invalid_grant", "subject_token_refused");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("signature"),
        "{body}"
    );

    // The over-reaching step is in the audit trail with its reason.
    let entries = log.entries().unwrap();
    let refused = entries
        .iter()
        .find(|e| e.record.action == "exchange_step" && e.record.decision == "deny")
        .expect("refusal audited");
    assert!(refused
        .record
        .reason
        .as_deref()
        .unwrap()
        .starts_with("scope_not_granted"));
    assert_eq!(refused.record.actor, w.wallet.did());
    assert!(refused.record.chain.is_empty(), "no delegation, no path");
    let minted = entries
        .iter()
        .find(|e| e.record.action == "mint_token")
        .unwrap();
    assert_eq!(refused.record.correlation, minted.record.correlation);
}
