//! MCP authorization over loopback, with rmcp's client and server: Globex's
//! invoices MCP server behind the Credence layer, Globex's token service,
//! Acme's issuer and Acme's agent (the wallet as MCP client). A bare 401
//! names the RFC 9728 metadata; the agent discovers the token service,
//! presents over OpenID4VP and gets a DPoP-bound token for the server's
//! canonical URI (RFC 8707 `resource`); `pay_invoice` needs a scope its
//! credentials do not map to, and the step-up is refused. And the inputs
//! an attacker would try: a token for another resource, DPoP missing,
//! foreign, replayed or as Bearer, steered discovery.

mod common;

use common::{serve, World};
use credence_core::{AuditSink, PROFILE_CLAIMS};
use credence_resource::mcp::{metadata_url, ProtectedResourceMetadata};
use credence_server::invoices_mcp::{invoices_mcp_router, invoices_protection, INVOICES_MCP_PATH};
use credence_store::AuditLog;
use credence_wallet::mcp::{
    McpAgent, McpAgentError, McpAuthError, McpAuthEvent, ResourceChallenge,
};
use credence_wallet::HolderPolicy;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

struct McpWorld {
    w: World,
    mcp_url: String,
    audit: Arc<AuditLog>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Globex's policy for the MCP server: `invoices:read` for the
/// `invoices.read` capability (the agent has it), `invoices:write` for
/// `invoices.pay` (it has not).
fn mcp_policy(issuer: &str, mcp_url: &str, tool_url: &str) -> String {
    format!(
        r#"{base}
[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{mcp_url}"

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.pay"
scope = "invoices:write"
audience = "{mcp_url}"
"#,
        base = common::policy_text(issuer, tool_url)
    )
}

async fn mcp_world() -> McpWorld {
    let w = common::world().await;
    let (listener, origin) = common::bind().await;
    let mcp_url = format!("{origin}{INVOICES_MCP_PATH}");
    let policy = mcp_policy(&w.issuer_did, &mcp_url, &w.tool_url);
    w.verifier
        .set_policy(credence_verify::TrustPolicy::from_toml(&policy).unwrap());
    let globex = credence_did::did_web_for_origin(&w.verifier_url).unwrap();
    w.wallet
        .set_holder_policy(
            &HolderPolicy::default()
                .allow_did(&globex, PROFILE_CLAIMS)
                .allow_domain("127.0.0.1", PROFILE_CLAIMS),
        )
        .unwrap();
    let audit = Arc::new(AuditLog::open(w.dir.path().join("mcp-audit"), None).unwrap());
    let protection = invoices_protection(&mcp_url, &w.verifier_url, w.verifier_key().await)
        .audit(audit.clone() as Arc<dyn AuditSink>, &mcp_url);
    let stop = serve(listener, invoices_mcp_router(&protection, Arc::default()));
    McpWorld {
        w,
        mcp_url,
        audit,
        _stop: stop,
    }
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;

fn tool_call(tool: &str) -> String {
    json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name": tool, "arguments": {"invoice_id": "INV-1001"}}}).to_string()
}

/// POSTs `body` to the MCP endpoint with the given headers.
async fn post(m: &McpWorld, body: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request =
        m.w.client
            .post(&m.mcp_url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn challenges(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The agent's token for the MCP server with `scope`, the whole flow.
async fn mcp_token(m: &McpWorld, scope: &str) -> String {
    let (_, token) =
        m.w.wallet
            .authorize_mcp(&m.mcp_url, None, Some(scope))
            .await
            .unwrap();
    token.access_token
}

async fn agent_token(m: &McpWorld) -> credence_wallet::mcp::McpToken {
    m.w.wallet
        .authorize_mcp(&m.mcp_url, None, Some("invoices:read"))
        .await
        .unwrap()
        .1
}

fn reason(r: &reqwest::Response) -> String {
    r.headers()
        .get("credence-reason")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_bare_request_gets_a_401_naming_the_resource_metadata() {
    let m = mcp_world().await;
    let r = post(&m, INITIALIZE, &[]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let values = challenges(&r);
    let expected = metadata_url(&m.mcp_url);
    assert!(expected.ends_with("/.well-known/oauth-protected-resource/mcp"));
    assert_eq!(values.len(), 2, "{values:?}");
    assert!(values[0].starts_with("Bearer "), "{values:?}");
    assert!(
        values[1].starts_with("DPoP algs=\"EdDSA ES256\""),
        "{values:?}"
    );
    for v in &values {
        assert!(
            v.contains(&format!("resource_metadata=\"{expected}\"")),
            "{v}"
        );
        assert!(
            !v.contains("error="),
            "a bare 401 carries no error code: {v}"
        );
    }
    // RFC 9728: the document at that URL, field by field.
    let doc: Value =
        m.w.client
            .get(&expected)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let parsed: ProtectedResourceMetadata = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(parsed.resource, m.mcp_url);
    assert_eq!(parsed.authorization_servers, vec![m.w.verifier_url.clone()]);
    assert_eq!(
        parsed.scopes_supported,
        vec!["invoices:read", "invoices:write"]
    );
    assert_eq!(parsed.bearer_methods_supported, vec!["header"]);
    assert!(parsed.dpop_bound_access_tokens_required);
    assert_eq!(
        parsed.dpop_signing_alg_values_supported,
        vec!["EdDSA", "ES256"]
    );
    assert_eq!(doc["resource_name"], "Globex invoices (MCP)");
    // The root well-known path serves the same document.
    let origin = m.mcp_url.trim_end_matches(INVOICES_MCP_PATH);
    let root: Value =
        m.w.client
            .get(format!("{origin}/.well-known/oauth-protected-resource"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(root, doc);
    // A tool call without a token: the challenge names the tool's scope.
    let r = post(&m, &tool_call("pay_invoice"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(challenges(&r)[0].contains("scope=\"invoices:write\""));
}

#[tokio::test]
async fn the_agent_discovers_authorizes_and_lists_invoices_then_the_step_up_is_refused() {
    let m = mcp_world().await;
    let agent = McpAgent::connect(m.w.wallet.clone(), &m.mcp_url)
        .await
        .unwrap();
    let tools = agent.list_tools().await.unwrap();
    let mut names: Vec<_> = tools.iter().map(|t| t.name.to_string()).collect();
    names.sort();
    assert_eq!(names, vec!["list_invoices", "pay_invoice"]);
    let result = agent
        .call_tool("list_invoices", Default::default())
        .await
        .unwrap();
    let text = serde_json::to_value(&result).unwrap()["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["caller"], m.w.wallet.did());
    assert_eq!(body["invoices"].as_array().unwrap().len(), 2);
    let events = agent.events().await;
    let McpAuthEvent::Challenged {
        status: 401,
        challenge,
    } = &events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(
        challenge.resource_metadata.as_deref(),
        Some(metadata_url(&m.mcp_url).as_str())
    );
    let McpAuthEvent::Discovered(server) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(server.issuer, m.w.verifier_url);
    assert_eq!(server.token_endpoint, format!("{}/token", m.w.verifier_url));
    assert!(
        matches!(&events[2], McpAuthEvent::TokenIssued { scope, .. } if scope == "invoices:read")
    );
    let token = agent.token().await.unwrap();
    assert_eq!(token.resource, m.mcp_url);

    // pay_invoice: 403 insufficient_scope, step-up to invoices:write refused.
    let refused = agent
        .call_tool(
            "pay_invoice",
            json!({"invoice_id": "INV-1001"})
                .as_object()
                .unwrap()
                .clone(),
        )
        .await;
    let Err(McpAgentError::StepUpRefused {
        tool,
        scope,
        code,
        reason,
    }) = refused
    else {
        panic!("{refused:?}")
    };
    assert_eq!(tool, "pay_invoice");
    assert_eq!(scope.as_deref(), Some("invoices:read invoices:write"));
    assert_eq!(code, "token_refused");
    assert!(reason.contains("invalid_scope"), "{reason}");
    let events = agent.events().await;
    assert!(events.iter().any(|e| matches!(e, McpAuthEvent::Challenged { status: 403, challenge } if challenge.scope.as_deref() == Some("invoices:write") && challenge.error.as_deref() == Some("insufficient_scope"))), "{events:?}");
    // The read token still works after the refused step-up.
    agent
        .call_tool("list_invoices", Default::default())
        .await
        .unwrap();
    agent.close().await;

    // The audit trail: each tool call with its decision.
    let entries = m.audit.entries().unwrap();
    let calls: Vec<_> = entries
        .iter()
        .filter(|e| e.record.action == "mcp_tool_call")
        .map(|e| {
            (
                e.record.decision.clone(),
                e.record.reason.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        calls
            .iter()
            .any(|(d, r)| d == "allow" && r == "tools/call list_invoices"),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(
            |(d, r)| d == "deny" && r.starts_with("tools/call pay_invoice: insufficient_scope")
        ),
        "{calls:?}"
    );
    assert!(entries.iter().all(|e| e.record.actor == m.mcp_url));
}

#[tokio::test]
async fn tokens_for_another_resource_and_bad_dpop_are_refused() {
    let m = mcp_world().await;
    // A valid token, DPoP and all, but minted for the other tool.
    let other = m.w.token().await;
    let proof = m.w.wallet.dpop_proof("POST", &m.mcp_url, &other).unwrap();
    let r = post(
        &m,
        INITIALIZE,
        &[
            ("authorization", &format!("DPoP {other}")),
            ("dpop", &proof),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(reason(&r), "wrong_audience");
    assert!(challenges(&r)[0].contains("error=\"invalid_token\""));

    let token = mcp_token(&m, "invoices:read").await;
    let auth = format!("DPoP {token}");
    // No DPoP proof.
    let r = post(&m, INITIALIZE, &[("authorization", &auth)]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(reason(&r), "dpop_missing");
    assert!(challenges(&r)[1].contains("error=\"invalid_dpop_proof\""));
    // A proof by another key (a thief who has the token, not the key).
    let thief = ssi::JWK::generate_ed25519().unwrap();
    let now = chrono::Utc::now().timestamp();
    let stolen = credence_core::dpop_proof(&thief, "POST", &m.mcp_url, Some(&token), now).unwrap();
    let r = post(
        &m,
        INITIALIZE,
        &[("authorization", &auth), ("dpop", &stolen)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(reason(&r), "dpop_key_mismatch");
    // The token as a Bearer token.
    let proof = m.w.wallet.dpop_proof("POST", &m.mcp_url, &token).unwrap();
    let r = post(
        &m,
        INITIALIZE,
        &[
            ("authorization", &format!("Bearer {token}")),
            ("dpop", &proof),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(reason(&r), "dpop_missing");
    // A proof for another URL.
    let elsewhere =
        m.w.wallet
            .dpop_proof("POST", &format!("{}/other", m.mcp_url), &token)
            .unwrap();
    let r = post(
        &m,
        INITIALIZE,
        &[("authorization", &auth), ("dpop", &elsewhere)],
    )
    .await;
    assert_eq!(reason(&r), "dpop_invalid");
    // The right proof works once; replayed, it is refused.
    let proof = m.w.wallet.dpop_proof("POST", &m.mcp_url, &token).unwrap();
    let r = post(
        &m,
        INITIALIZE,
        &[("authorization", &auth), ("dpop", &proof)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = post(
        &m,
        INITIALIZE,
        &[("authorization", &auth), ("dpop", &proof)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(reason(&r), "dpop_replay");
    // With the read token, pay_invoice is 403 insufficient_scope naming
    // the scope it needs; a tool no scope offers is refused too.
    for (tool, scope) in [
        ("pay_invoice", Some("invoices:write")),
        ("drop_tables", None),
    ] {
        let proof = m.w.wallet.dpop_proof("POST", &m.mcp_url, &token).unwrap();
        let r = post(
            &m,
            &tool_call(tool),
            &[("authorization", &auth), ("dpop", &proof)],
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{tool}");
        let c = ResourceChallenge::parse(&challenges(&r).join(", ")).unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), scope);
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some(metadata_url(&m.mcp_url).as_str())
        );
    }
    // Methods beyond the session's plumbing need a scope the protection
    // names: resources/read, tasks/get and made-up methods are refused.
    for method in ["resources/read", "tasks/get", "prompts/get", "x/anything"] {
        let proof = m.w.wallet.dpop_proof("POST", &m.mcp_url, &token).unwrap();
        let body = json!({"jsonrpc":"2.0","id":3,"method": method,"params":{}}).to_string();
        let r = post(&m, &body, &[("authorization", &auth), ("dpop", &proof)]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{method}");
    }
    // Without a token, an unoffered tool is a 401 like any other: the
    // challenge does not tell which tools exist.
    let r = post(&m, &tool_call("drop_tables"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A megabyte of method name goes into the audit log as 64 characters.
    let long = "A".repeat(100_000);
    let body = json!({"jsonrpc":"2.0","id":4,"method": long}).to_string();
    assert_eq!(
        post(&m, &body, &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let entries = m.audit.entries().unwrap();
    let last = entries.last().unwrap().record.reason.clone().unwrap();
    assert!(
        last.len() < 300 && last.starts_with(&"A".repeat(64)),
        "{last}"
    );
    // A batch (MCP has none) and a call naming two tools are refused before any token check.
    let r = post(&m, &format!("[{INITIALIZE}]"), &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let two = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_invoices","name":"pay_invoice"}}"#;
    let r = post(&m, two, &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_token_endpoint_checks_the_resource_indicator() {
    let m = mcp_world().await;
    let vp = m.w.presentation().await;
    let form = |vp: &Value, extra: Vec<(&'static str, String)>| {
        let mut f = vec![
            ("grant_type", credence_core::TOKEN_EXCHANGE_GRANT.to_owned()),
            ("subject_token", vp.to_string()),
            (
                "subject_token_type",
                credence_server::verifier_api::VP_TOKEN_TYPE.to_owned(),
            ),
        ];
        f.extend(extra);
        f
    };
    for (extra, reason) in [
        (
            vec![("resource", "https://unknown.example/mcp".to_owned())],
            "unknown_audience",
        ),
        (
            vec![("resource", format!("{}#frag", m.mcp_url))],
            "invalid_target",
        ),
        (vec![("resource", "not a uri".to_owned())], "invalid_target"),
        (
            vec![
                ("resource", m.mcp_url.clone()),
                ("audience", m.w.tool_url.clone()),
            ],
            "invalid_target",
        ),
    ] {
        let r =
            m.w.client
                .post(format!("{}/token", m.w.verifier_url))
                .form(&form(&vp, extra))
                .send()
                .await
                .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        common::assert_oauth(status, &body, "invalid_target", reason);
    }
    // The resource becomes the token's aud (a fresh presentation: the
    // refusals above used the first one's nonce up, or never reached it).
    let fresh = m.w.presentation().await;
    let r =
        m.w.client
            .post(format!("{}/token", m.w.verifier_url))
            .form(&form(&fresh, vec![("resource", m.mcp_url.clone())]))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let (_, payload) =
        ssi::claims::jws::decode_unverified(body["access_token"].as_str().unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims["aud"], m.mcp_url);
    assert_eq!(claims["scope"], "invoices:read");
}

#[tokio::test]
async fn discovery_cannot_be_steered_to_another_servers_metadata() {
    let m = mcp_world().await;
    // A challenge pointing at metadata on another origin.
    let elsewhere = ResourceChallenge {
        scheme: "Bearer".into(),
        resource_metadata: Some(format!(
            "{}/.well-known/oauth-authorization-server",
            m.w.verifier_url
        )),
        ..Default::default()
    };
    let e =
        m.w.wallet
            .discover_mcp_auth(&m.mcp_url, Some(&elsewhere))
            .await
            .unwrap_err();
    assert!(
        matches!(e, McpAuthError::Discovery(ref why) if why.contains("is not on")),
        "{e}"
    );
    // Metadata (on the same origin) that speaks for another resource: the
    // invoices server's document asked for as if it were /admin's.
    let origin = m.mcp_url.trim_end_matches(INVOICES_MCP_PATH);
    let steered = ResourceChallenge {
        scheme: "Bearer".into(),
        resource_metadata: Some(metadata_url(&m.mcp_url)),
        ..Default::default()
    };
    let e =
        m.w.wallet
            .discover_mcp_auth(&format!("{origin}/admin"), Some(&steered))
            .await
            .unwrap_err();
    assert!(
        matches!(e, McpAuthError::Discovery(ref why) if why.contains("is for")),
        "{e}"
    );
    // Without a challenge, the well-known URL of the resource is used.
    let server =
        m.w.wallet
            .discover_mcp_auth(&m.mcp_url, None)
            .await
            .unwrap();
    assert_eq!(server.resource_metadata, metadata_url(&m.mcp_url));
    // A holder policy that does not name Globex: nothing is disclosed,
    // the agent reports the refusal.
    m.w.wallet
        .set_holder_policy(&HolderPolicy::default())
        .unwrap();
    let refused = McpAgent::connect(m.w.wallet.clone(), &m.mcp_url).await;
    assert!(
        matches!(refused, Err(McpAgentError::Refused { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn no_step_up_for_a_tool_no_scope_offers_and_clear_errors_for_dead_ends() {
    let m = mcp_world().await;
    let agent = McpAgent::connect(m.w.wallet.clone(), &m.mcp_url)
        .await
        .unwrap();
    let issued = |events: &[McpAuthEvent]| {
        events
            .iter()
            .filter(|e| matches!(e, McpAuthEvent::TokenIssued { .. }))
            .count()
    };
    let before = issued(&agent.events().await);
    let refused = agent.call_tool("drop_tables", Default::default()).await;
    let Err(McpAgentError::StepUpRefused { code, .. }) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(code, "insufficient_scope");
    assert_eq!(
        issued(&agent.events().await),
        before,
        "no new presentation for a 403 that names nothing new"
    );
    agent.close().await;
    // A token goes only to the resource it is for.
    let token = agent_token(&m).await;
    let elsewhere = format!("{}/other-mcp", m.w.tool_url);
    let e = McpAgent::connect_with_token(m.w.wallet.clone(), &elsewhere, token)
        .await
        .unwrap_err();
    assert!(
        matches!(e, McpAgentError::Connect { ref reason, .. } if reason.contains("the token is for")),
        "{e}"
    );
    // A server with no RFC 9728 metadata (the plain tool): a fetch error.
    let e =
        m.w.wallet
            .discover_mcp_auth(&format!("{}/invoices", m.w.tool_url), None)
            .await
            .unwrap_err();
    assert!(
        matches!(
            e,
            McpAuthError::Fetch {
                what: "protected-resource metadata",
                ..
            }
        ),
        "{e}"
    );
    // Nothing listening: a connect error naming the URL.
    let (listener, origin) = common::bind().await;
    drop(listener);
    let dead = format!("{origin}/mcp");
    let e = McpAgent::connect(m.w.wallet.clone(), &dead)
        .await
        .unwrap_err();
    assert!(
        matches!(e, McpAgentError::Connect { ref url, .. } if *url == dead),
        "{e}"
    );
}

#[tokio::test]
async fn a_session_is_usable_only_with_the_key_that_opened_it() {
    let m = mcp_world().await;
    // Another Acme agent, with a credential and a token of its own.
    let other = credence_wallet::Wallet::create(
        m.w.dir.path().join("other-agent"),
        &credence_wallet::Unlock::passphrase("other pw"),
        credence_wallet::KdfParams::minimal(),
    )
    .unwrap()
    .with_resolver(Arc::new(credence_did::DidResolver::default()));
    let issued: Value = m
        .w
        .client
        .post(format!("{}/admin/credentials", m.w.issuer_origin))
        .bearer_auth(&m.w.admin)
        .json(&json!({"subject": other.did(), "profile": credence_core::AgentProfile::sample()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    other.import(&issued["credential"]).await.unwrap();
    let globex = credence_did::did_web_for_origin(&m.w.verifier_url).unwrap();
    other
        .set_holder_policy(&HolderPolicy::default().allow_did(&globex, PROFILE_CLAIMS))
        .unwrap();
    let (_, other_token) = other
        .authorize_mcp(&m.mcp_url, None, Some("invoices:read"))
        .await
        .unwrap();

    // The agent opens a session.
    let token = mcp_token(&m, "invoices:read").await;
    let proof = m.w.wallet.dpop_proof("POST", &m.mcp_url, &token).unwrap();
    let auth = format!("DPoP {token}");
    let r = post(
        &m,
        INITIALIZE,
        &[("authorization", &auth), ("dpop", &proof)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let session = r
        .headers()
        .get("mcp-session-id")
        .expect("a legacy session")
        .to_str()
        .unwrap()
        .to_owned();
    // The other agent, valid token and proof, presents that session id.
    let list = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
    let proof = other
        .dpop_proof("POST", &m.mcp_url, &other_token.access_token)
        .unwrap();
    let other_auth = format!("DPoP {}", other_token.access_token);
    let r = post(
        &m,
        list,
        &[
            ("authorization", &other_auth),
            ("dpop", &proof),
            ("mcp-session-id", &session),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["credence_reason"], "foreign_session");
    // The owner still uses it.
    let proof = m.w.wallet.dpop_proof("POST", &m.mcp_url, &token).unwrap();
    let r = post(
        &m,
        list,
        &[
            ("authorization", &auth),
            ("dpop", &proof),
            ("mcp-session-id", &session),
        ],
    )
    .await;
    assert_ne!(r.status(), StatusCode::FORBIDDEN);
    assert_ne!(r.status(), StatusCode::UNAUTHORIZED);
}
