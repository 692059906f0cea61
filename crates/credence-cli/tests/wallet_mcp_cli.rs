//! `credence wallet mcp` as an agent runtime would use it: the binary
//! launched as a child process and driven over stdio by rmcp's client —
//! initialize, tools/list, `identity` (no key material), a `present` the
//! holder policy refuses, then a `get_token` for Globex's invoices MCP
//! server (a real `credence verifier serve` process as its token service)
//! whose token, with a `dpop_proof` from the wallet, opens that server.

use chrono::{Duration, Utc};
use credence_core::AgentProfile;
use credence_issuer::Issuer;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use serde_json::{json, Value};
use std::path::Path;
use support::{credence_env, serve_verifier};

mod support;

const PASS: &str = "cli test passphrase";

fn wallet(w: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["wallet", "--wallet", w.to_str().unwrap()];
    all.extend_from_slice(args);
    credence_env(&all, &[("CREDENCE_PASSPHRASE", PASS)])
}

fn policy(issuer: &str, mcp: &str) -> String {
    format!(
        r#"[[issuer]]
did = "{issuer}"
name = "Acme"
credential_types = ["AgentCredential"]
require_status = false

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{mcp}"
"#
    )
}

/// The JSON a tool answered, and whether it was a tool error.
fn answer(result: &rmcp::model::CallToolResult) -> (bool, Value) {
    let v = serde_json::to_value(result).unwrap();
    let text = v["content"][0]["text"].as_str().unwrap_or("null");
    (
        v["isError"].as_bool().unwrap_or(false),
        serde_json::from_str(text).unwrap(),
    )
}

fn call(name: &str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name.to_owned()).with_arguments(args.as_object().unwrap().clone())
}

#[tokio::test]
async fn the_wallet_serves_mcp_over_stdio() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path().join("agent");
    let (code, out, err) = wallet(
        &w,
        &[
            "--json",
            "init",
            "--kdf-memory-mib",
            "8",
            "--kdf-passes",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let did = serde_json::from_str::<Value>(&out).unwrap()["did"]
        .as_str()
        .unwrap()
        .to_owned();
    let issuer = Issuer::generate().unwrap();
    let vc = issuer
        .issue_agent_credential(
            &did,
            &AgentProfile::sample(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(24),
        )
        .await
        .unwrap();
    let vc_file = tmp.path().join("vc.json");
    std::fs::write(&vc_file, vc.to_string()).unwrap();
    assert_eq!(wallet(&w, &["import", vc_file.to_str().unwrap()]).0, 0);

    // Globex: the invoices MCP server (in this process) and its token service.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mcp_url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let policy_file = tmp.path().join("policy.toml");
    std::fs::write(&policy_file, policy(issuer.did(), &mcp_url)).unwrap();
    let (_verifier, verifier_url) = serve_verifier(&tmp.path().join("globex"), &policy_file);
    let jwks: Value = reqwest::get(format!("{verifier_url}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key: ssi::JWK = serde_json::from_value(jwks["keys"][0].clone()).unwrap();
    let protection =
        credence_server::invoices_mcp::invoices_protection(&mcp_url, &verifier_url, key);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mcp_server = tokio::spawn(credence_server::invoices_mcp::serve_invoices_mcp(
        listener,
        protection,
        async {
            let _ = stopped.await;
        },
    ));

    // The wallet's MCP server, launched as an agent runtime launches it.
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_credence"));
    command
        .args(["wallet", "--wallet", w.to_str().unwrap(), "mcp"])
        .env("CREDENCE_PASSPHRASE", PASS)
        .env("RUST_LOG", "warn");
    let client = ().serve(TokioChildProcess::new(command).unwrap()).await.unwrap();
    let info = client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "credence-wallet");
    let mut tools: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    tools.sort();
    assert_eq!(
        tools,
        [
            "call_mcp_tool",
            "dpop_proof",
            "get_token",
            "identity",
            "list_credentials",
            "plan_disclosure",
            "present"
        ]
    );

    let (is_error, identity) =
        answer(&client.call_tool(call("identity", json!({}))).await.unwrap());
    assert!(!is_error);
    assert_eq!(identity["did"], did);
    assert!(
        identity["public_jwk"].get("d").is_none(),
        "no private key: {identity}"
    );
    let (_, listed) = answer(
        &client
            .call_tool(call("list_credentials", json!({})))
            .await
            .unwrap(),
    );
    assert_eq!(
        listed["credentials"].as_array().unwrap().len(),
        1,
        "{listed}"
    );

    // A request from Globex: verified, but the holder policy (a new
    // wallet's: nothing) refuses, for the plan and the presentation.
    let (code, link, err) = credence_env(&["verifier", "request", "--server", &verifier_url], &[]);
    assert_eq!(code, 0, "{err}");
    let link = link.trim();
    for tool in ["plan_disclosure", "present"] {
        let (is_error, refused) = answer(
            &client
                .call_tool(call(tool, json!({"request": link})))
                .await
                .unwrap(),
        );
        assert!(is_error, "{tool}: {refused}");
        assert_eq!(refused["refused"], "policy_denied", "{tool}: {refused}");
    }
    // get_token is refused the same way until the holder policy names Globex.
    let (is_error, refused) = answer(
        &client
            .call_tool(call("get_token", json!({"resource": mcp_url})))
            .await
            .unwrap(),
    );
    assert!(is_error, "{refused}");
    assert_eq!(refused["refused"], "policy_denied", "{refused}");
    let globex = credence_did::did_web_for_origin(&verifier_url).unwrap();
    std::fs::write(
        w.join("holder-policy.toml"),
        format!(
            "[[verifier]]\ndid = \"{globex}\"\nclaims = [\"organization\", \"capabilities\"]\n"
        ),
    )
    .unwrap();
    let (is_error, token) = answer(
        &client
            .call_tool(call("get_token", json!({"resource": mcp_url})))
            .await
            .unwrap(),
    );
    assert!(!is_error, "{token}");
    assert_eq!(token["scope"], "invoices:read");
    assert_eq!(token["resource"], mcp_url);
    assert_eq!(token["authorization_server"], verifier_url);
    let access_token = token["access_token"].as_str().unwrap();

    // The token and a proof from dpop_proof open Globex's MCP server.
    let (_, proof) = answer(
        &client
            .call_tool(call(
                "dpop_proof",
                json!({"method": "post", "url": mcp_url, "access_token": access_token}),
            ))
            .await
            .unwrap(),
    );
    assert_eq!(proof["method"], "POST");
    let r = reqwest::Client::new()
        .post(&mcp_url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("authorization", format!("DPoP {access_token}"))
        .header("dpop", proof["dpop"].as_str().unwrap())
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // dpop_proof signs only for this session's tokens, to their resource.
    for (args, code) in [
        (
            json!({"method": "POST", "url": mcp_url, "access_token": "a.forged.token"}),
            "unknown_token",
        ),
        (
            json!({"method": "POST", "url": format!("{verifier_url}/token"), "access_token": access_token}),
            "wrong_url",
        ),
    ] {
        let (is_error, refused) =
            answer(&client.call_tool(call("dpop_proof", args)).await.unwrap());
        assert!(is_error, "{refused}");
        assert_eq!(refused["refused"], code, "{refused}");
    }
    // call_mcp_tool: the whole call through the wallet, no token exposed;
    // pay_invoice needs a scope Acme's credential does not map to.
    let (is_error, listed) = answer(
        &client
            .call_tool(call(
                "call_mcp_tool",
                json!({"resource": mcp_url, "tool": "list_invoices"}),
            ))
            .await
            .unwrap(),
    );
    assert!(!is_error, "{listed}");
    assert_eq!(listed["invoices"].as_array().unwrap().len(), 2, "{listed}");
    let (is_error, refused) = answer(
        &client
            .call_tool(call("call_mcp_tool", json!({"resource": mcp_url, "tool": "pay_invoice", "arguments": {"invoice_id": "INV-1001"}})))
            .await
            .unwrap(),
    );
    assert!(is_error, "{refused}");
    assert_eq!(refused["refused"], "token_refused", "{refused}");

    client.cancel().await.unwrap();
    let _ = stop.send(());
    mcp_server.await.unwrap().unwrap();
}
