//! The two-organization story over MCP, on 127.0.0.1: Globex's invoices
//! MCP server (rmcp, tools `list_invoices` and `pay_invoice`) behind
//! Credence's MCP layer, Globex's Credence token service as its
//! authorization server, Acme's issuer, and Acme's agent — acting for
//! Alice, who delegated invoice reading to it — as the MCP client. The
//! agent starts from a bare 401: the challenge names the server's RFC 9728
//! metadata, that names the token service; the agent answers its signed
//! OpenID4VP request under its holder policy and gets a DPoP-bound token
//! for the MCP server (RFC 8707 `resource`). `list_invoices` works,
//! `pay_invoice` is refused with `insufficient_scope` and the step-up is
//! refused, a stolen token gets nothing, and the server's audit trail shows
//! every tool call with its delegation chain. Everything stops at the end.
//!
//! Run: `cargo run --release --example two_org_mcp [-- --hold SECS]`
//! (`--hold`: after the story, keep Globex's services up for SECS seconds
//! and release the agent's wallet, so another MCP client — e.g. the
//! official TypeScript SDK through `credence wallet mcp`, see docs/mcp.md —
//! can authorize and call the tools.)

use chrono::{Duration as Days, Utc};
use credence::did::DidResolver;
use credence::issuer::Principal;
use credence::model::{AgentProfile, AuditSink, DelegationGrant};
use credence::resource::mcp::metadata_url;
use credence::store::AuditLog;
use credence::verify::{TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::mcp::{
    CallToolResult, McpAgent, McpAgentError, McpAuthEvent, ResourceChallenge,
};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use credence_server::invoices_mcp::{invoices_mcp_router, invoices_protection, INVOICES_MCP_PATH};
use credence_server::{ApiToken, VerifierService};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

#[path = "support/services.rs"]
mod services;
use services::{bind, step, Error, Services};

/// Acme's agent and Globex's MCP server on 127.0.0.1.
#[derive(clap::Parser)]
#[command(about = "Acme's agent calls Globex's MCP tools with a Credence token, on 127.0.0.1")]
struct Args {
    /// After the story, keep Globex's services running this many seconds
    /// (at most 3600) with the agent's wallet released, for another MCP client.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    hold: Option<u64>,
}

/// The passphrase of the demo agent's wallet (a throwaway wallet).
const AGENT_PASSPHRASE: &str = "agent passphrase";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let hold = <Args as clap::Parser>::parse().hold;
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let mut services = Services::default();
    let outcome = run(&dir, &mut services, hold).await;
    step(10, "Stopping every service.");
    services.stop().await;
    println!(
        "\nDone in {:.1} s; nothing left running.",
        started.elapsed().as_secs_f64()
    );
    outcome
}

/// Globex's trust policy: Acme's agents, acting for Alice, may read
/// invoices over MCP; paying needs a capability Acme never granted.
fn globex_policy(acme: &str, alice: &str, mcp: &str) -> String {
    format!(
        "[[issuer]]\ndid = \"{acme}\"\nname = \"Acme Corp\"\ncredential_types = [\"AgentCredential\"]\n\n\
         [[constraint]]\ncredential_type = \"AgentCredential\"\nclaim = \"organization\"\nequals = \"Acme Corp\"\n\n\
         [[principal]]\ndid = \"{alice}\"\nname = \"Alice (Acme finance)\"\n\n\
         [delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n\n\
         [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\n\
         scope = \"invoices:read\"\naudience = \"{mcp}\"\nttl_secs = 120\n\n\
         [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.pay\"\n\
         scope = \"invoices:write\"\naudience = \"{mcp}\"\nttl_secs = 60\n"
    )
}

async fn run(
    dir: &tempfile::TempDir,
    services: &mut Services,
    hold: Option<u64>,
) -> Result<(), Error> {
    let http = reqwest::Client::new();
    println!("Credence two-organization demo over MCP (127.0.0.1)");
    println!("===================================================");

    step(
        1,
        "Acme starts its issuer (did:web) and issues its procurement agent an AgentCredential.",
    );
    let (listener, acme_origin) = bind().await?;
    let acme_dir = dir.path().join("acme-issuer");
    let authority = credence::issuer::Authority::create(
        &acme_dir,
        &Unlock::passphrase("acme issuer passphrase"),
        KdfParams::minimal(),
        &acme_origin,
    )?;
    let acme_did = authority.issuer().did().to_owned();
    let admin = ApiToken::create(&acme_dir)?;
    let admin_secret = admin.secret().to_owned();
    services.start(
        "Acme issuer",
        listener,
        credence_server::issuer_router(authority, admin),
    );
    let wallet_dir = dir.path().join("procurement-agent");
    let wallet = Wallet::create(
        &wallet_dir,
        &Unlock::passphrase("agent passphrase"),
        KdfParams::minimal(),
    )?
    .with_resolver(Arc::new(DidResolver::default()));
    let issued: Value = http
        .post(format!("{acme_origin}/admin/credentials"))
        .bearer_auth(&admin_secret)
        .json(
            &json!({"subject": wallet.did(), "profile": AgentProfile::sample(), "valid_days": 30}),
        )
        .send()
        .await?
        .json()
        .await?;
    wallet.import(&issued["credential"]).await?;
    println!("   issuer {acme_did}\n   agent  {} holds an AgentCredential (capabilities: invoices.read, orders.create)", wallet.did());

    step(
        2,
        "Alice (Acme finance) delegates invoice reading at Globex's MCP server to the agent.",
    );
    let (mcp_listener, mcp_origin) = bind().await?;
    let mcp_url = format!("{mcp_origin}{INVOICES_MCP_PATH}");
    let alice = Principal::generate()?;
    let now = Utc::now();
    let root = alice
        .delegate(&DelegationGrant {
            delegate: wallet.did().to_owned(),
            principal: alice.did().to_owned(),
            capabilities: vec!["invoices.read".into()],
            audiences: vec![mcp_url.clone()],
            max_depth: 0,
            purpose: "reconcile March invoices".into(),
            valid_from: now - Days::minutes(1),
            valid_until: now + Days::hours(1),
            status: None,
        })
        .await?;
    wallet.set_delegation_chain(std::slice::from_ref(&root))?;
    println!(
        "   Alice {} → agent: invoices.read, for {mcp_url}",
        alice.did()
    );

    step(
        3,
        "Globex starts its Credence token service (the MCP server's authorization server).",
    );
    let (vlistener, verifier_url) = bind().await?;
    let policy = TrustPolicy::from_toml(&globex_policy(&acme_did, alice.did(), &mcp_url))?;
    let globex_dir = dir.path().join("globex");
    let (key, introspection) = credence_server::verifier_dir::load_or_create(&globex_dir)?;
    let request_key = credence_server::verifier_dir::load_or_create_request_key(&globex_dir)?;
    // Nonces, replay marks and token records: sled in Globex's directory.
    let state: Arc<dyn credence_core::VerifierState> =
        Arc::new(credence_store::SledState::open(globex_dir.join("state"))?);
    let openid4vp =
        credence_server::Openid4vpService::for_origin(&verifier_url, request_key, state.clone())?;
    let globex_did = openid4vp.signer.did().to_owned();
    let verifier = Arc::new(
        Verifier::new(&verifier_url, policy)
            .with_client_id(&openid4vp.signer.client_id())
            .with_state(state),
    );
    let tokens = Arc::new(TokenIssuer::new(&verifier, key.clone()));
    services.start(
        "Globex token service",
        vlistener,
        credence_server::verifier_router(VerifierService {
            verifier,
            tokens,
            default_claims: vec!["organization".into(), "capabilities".into()],
            introspection,
            openid4vp,
        }),
    );
    println!("   token service {verifier_url}, DID {globex_did}");
    wallet.set_holder_policy(
        &HolderPolicy::default().allow_did(&globex_did, &["organization", "capabilities"]),
    )?;
    println!("   Acme's holder policy: organization and capabilities to {globex_did} only");

    step(
        4,
        "Globex starts its invoices MCP server (rmcp) behind the Credence layer.",
    );
    let audit = Arc::new(AuditLog::open(dir.path().join("globex-mcp-audit"), None)?);
    let protection = invoices_protection(&mcp_url, &verifier_url, key.to_public())
        .audit(audit.clone() as Arc<dyn AuditSink>, "globex-invoices-mcp");
    services.start(
        "Globex invoices MCP server",
        mcp_listener,
        invoices_mcp_router(&protection, Arc::default()),
    );
    println!("   {mcp_url}: list_invoices needs invoices:read, pay_invoice invoices:write");

    step(
        5,
        "A bare MCP initialize, no token: the server's challenge.",
    );
    let bare = http
        .post(&mcp_url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"0"}}}"#)
        .send()
        .await?;
    println!("   HTTP {}", bare.status());
    for value in bare.headers().get_all("www-authenticate") {
        println!("   WWW-Authenticate: {}", value.to_str()?);
    }
    let field: Vec<&str> = bare
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let challenge = ResourceChallenge::parse(&field.join(", ")).ok_or("no challenge")?;
    let metadata = challenge.resource_metadata.ok_or("no resource_metadata")?;
    println!("   resource_metadata → {metadata}");
    assert_eq!(metadata, metadata_url(&mcp_url));
    let document: Value = http.get(&metadata).send().await?.json().await?;
    println!("   RFC 9728: {}", serde_json::to_string(&document)?);

    step(6, "Acme's agent connects as an MCP client: discovery, OpenID4VP, token exchange, all from that 401.");
    let wallet = Arc::new(wallet);
    let agent = McpAgent::connect(wallet.clone(), &mcp_url).await?;
    for event in agent.events().await {
        match event {
            McpAuthEvent::Challenged { status, challenge } => println!(
                "   {status} challenge: scope {:?}, metadata {}",
                challenge.scope.unwrap_or_default(),
                challenge.resource_metadata.unwrap_or_default()
            ),
            McpAuthEvent::Discovered(s) => println!(
                "   authorization server {} (token endpoint {})",
                s.issuer, s.token_endpoint
            ),
            McpAuthEvent::TokenIssued {
                scope,
                disclosed_to,
            } => {
                println!("   disclosed organization + capabilities to {disclosed_to}; token scope {scope:?}")
            }
            McpAuthEvent::Refused { code, reason, .. } => println!("   refused ({code}): {reason}"),
        }
    }
    let tools = agent.list_tools().await?;
    let names: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
    println!("   tools/list: {}", names.join(", "));
    let listed = agent.call_tool("list_invoices", Default::default()).await?;
    println!("   list_invoices → {}", first_text(&listed));

    step(7, "The agent tries pay_invoice: 403 insufficient_scope, and the step-up to invoices:write is refused.");
    let args = json!({"invoice_id": "INV-1001"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    match agent.call_tool("pay_invoice", args).await {
        Err(McpAgentError::StepUpRefused {
            scope,
            code,
            reason,
            ..
        }) => {
            println!(
                "   step-up for {:?} refused ({code}): {reason}",
                scope.unwrap_or_default()
            )
        }
        other => return Err(format!("pay_invoice should have been refused: {other:?}").into()),
    }
    println!(
        "   list_invoices still works with the read token: {}",
        first_text(&agent.call_tool("list_invoices", Default::default()).await?)
    );
    let token = agent.token().await.ok_or("no token")?;
    agent.close().await;

    step(
        8,
        "A thief copies the token from a log: without the agent's key it opens nothing.",
    );
    let thief = ssi::JWK::generate_ed25519()?;
    let proof = credence::model::dpop_proof(
        &thief,
        "POST",
        &mcp_url,
        Some(&token.access_token),
        Utc::now().timestamp(),
    )?;
    for (label, dpop) in [
        ("with the thief's own DPoP proof", Some(proof)),
        ("as a bare token", None),
    ] {
        let mut request = http
            .post(&mcp_url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("authorization", format!("DPoP {}", token.access_token))
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#);
        if let Some(p) = dpop {
            request = request.header("dpop", p);
        }
        let r = request.send().await?;
        let reason = r
            .headers()
            .get("credence-reason")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        println!("   {label}: HTTP {} ({reason})", r.status());
    }

    step(9, "Globex's audit trail of the MCP server: every tool call, its decision and delegation chain.");
    for entry in audit.entries()? {
        let r = &entry.record;
        if r.action != "mcp_tool_call" && r.decision == "allow" {
            continue;
        }
        let chain = if r.chain.is_empty() {
            "-".to_owned()
        } else {
            r.chain.join(" → ")
        };
        println!(
            "   #{:<2} {:<13} {:<5} {}\n       chain {chain}",
            entry.seq,
            r.action,
            r.decision,
            r.reason.as_deref().unwrap_or("")
        );
    }
    if let Some(secs) = hold {
        // The wallet's store is locked while this process holds it.
        drop(wallet);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        println!("\nHolding Globex's services for {secs} s (Ctrl-C ends early). Another MCP client can now run:");
        println!("   MCP server      {mcp_url}");
        println!("   agent's wallet  CREDENCE_PASSPHRASE='{AGENT_PASSPHRASE}' credence wallet --wallet {} mcp", wallet_dir.display());
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    Ok(())
}

fn first_text(result: &CallToolResult) -> String {
    serde_json::to_value(result)
        .ok()
        .and_then(|v| v["content"][0]["text"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
