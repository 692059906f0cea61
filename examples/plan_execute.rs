//! Plan-then-Execute with a delegation chain, per-step tokens and the audit
//! trail: Alice (a human at Acme) delegates to a planner agent, which
//! delegates a narrower part to an executor sub-agent. The executor gets a
//! token at Globex whose `sub` is Alice and whose `act` names both agents,
//! then runs each planned step with its own single-use, step-bound token.
//! A step beyond what Alice delegated is refused, a replayed step token is
//! refused, and every decision is in Globex's hash-chained audit log.
//!
//! Run: `cargo run --release --example plan_execute`

use chrono::{Duration, Utc};
use credence::issuer::{Issuer, Principal};
use credence::model::{step_digest, AgentProfile, DelegationGrant};
use credence::resource::{RequestParts, ResourceGuard};
use credence::store::{export_audit, verify_audit, AuditLog};
use credence::verify::{StepRequest, TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use std::sync::Arc;

const VERIFIER: &str = "https://verifier.globex.example";
const API: &str = "https://api.globex.example";

fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("Credence plan-then-execute demo");
    println!("===============================");
    let dir = tempfile::tempdir()?;
    let unlock = Unlock::passphrase("demo passphrase");

    step(
        1,
        "Acme issues its executor agent an AgentCredential; Alice and two agents get their DIDs.",
    );
    let acme = Issuer::generate()?;
    let alice = Principal::generate()?;
    let planner = Wallet::create(dir.path().join("planner"), &unlock, KdfParams::minimal())?;
    let executor = Wallet::create(dir.path().join("executor"), &unlock, KdfParams::minimal())?;
    executor.set_holder_policy(
        &HolderPolicy::default()
            .allow_domain("*.globex.example", &["organization", "capabilities"]),
    )?;
    let credential = acme
        .issue_agent_credential(
            executor.did(),
            &AgentProfile::sample(),
            Utc::now() - Duration::minutes(1),
            Utc::now() + Duration::days(1),
        )
        .await?;
    executor.import(&credential).await?;
    println!("   Alice (principal): {}", alice.did());
    println!("   planner agent:     {}", planner.did());
    println!("   executor agent:    {}", executor.did());

    step(
        2,
        "Alice delegates to the planner; the planner delegates a narrower part to the executor.",
    );
    let now = Utc::now();
    let to_planner = DelegationGrant {
        delegate: planner.did().into(),
        principal: alice.did().into(),
        capabilities: vec!["invoices.read".into(), "orders.create".into()],
        audiences: vec![API.into()],
        max_depth: 1,
        purpose: "reconcile March invoices".into(),
        valid_from: now - Duration::minutes(1),
        valid_until: now + Duration::hours(1),
        status: None,
    };
    let root = alice.delegate(&to_planner).await?;
    planner.set_delegation_chain(std::slice::from_ref(&root))?;
    let to_executor = DelegationGrant {
        delegate: executor.did().into(),
        capabilities: vec!["invoices.read".into()],
        max_depth: 0,
        valid_until: now + Duration::minutes(30),
        ..to_planner.clone()
    };
    let chain = planner.delegate(&to_executor).await?;
    executor.set_delegation_chain(&chain)?;
    println!(
        "   Alice → planner:    invoices.read, orders.create at {API}, 1 h, may delegate once"
    );
    println!("   planner → executor: invoices.read only, 30 min, may not delegate");

    step(
        3,
        "Globex's verifier trusts Acme's issuer and Alice as a principal, and audits everything.",
    );
    let policy = format!(
        r#"[[issuer]]
did = "{}"
name = "Acme Corp"
credential_types = ["AgentCredential"]
# Acme's did:key issuer in this demo publishes no status lists.
require_status = false

[[principal]]
did = "{}"
name = "Alice (Acme finance)"

[delegation]                      # what the chain's capabilities narrow
credential_type = "AgentCredential"
claim = "capabilities"

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{API}"

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "orders.create"
scope = "orders:write"
audience = "{API}"
"#,
        acme.did(),
        alice.did()
    );
    let audit_dir = dir.path().join("globex-audit");
    let key = ssi::JWK::generate_ed25519()?;
    let log = Arc::new(AuditLog::open(
        &audit_dir,
        Some(credence::store::CheckpointKey::new(key.clone())?),
    )?);
    let verifier =
        Verifier::new(VERIFIER, TrustPolicy::from_toml(&policy)?).with_audit(log.clone());
    let tokens = TokenIssuer::new(&verifier, key.clone());
    let guard = ResourceGuard::new(VERIFIER, API, key.to_public()).with_audit(log.clone(), API);

    step(
        4,
        "The executor presents its credential and chain; Globex mints its session token.",
    );
    let request = verifier
        .create_request_for(credence_core::agent_credential_query(&[
            "organization",
            "capabilities",
        ]))
        .await
        .expect("a valid query");
    let vp = executor.present(&request).await?;
    let verified = verifier.verify_presentation(&vp).await?;
    let session = tokens.mint(verified, API).await?;
    println!("   sub   = {}  (Alice)", session.claims.sub);
    println!("   act   = {}", serde_json::to_string(&session.claims.act)?);
    println!(
        "   scope = {:?} (orders.create was not delegated to the executor)",
        session.claims.scope
    );

    step(
        5,
        "The planner splits the task into steps; the executor runs each with its own token.",
    );
    let plan = [
        ("GET", format!("{API}/invoices"), "invoices:read"),
        ("GET", format!("{API}/invoices/INV-1001"), "invoices:read"),
        ("POST", format!("{API}/orders"), "orders:write"),
    ];
    let token_url = format!("{VERIFIER}/token");
    let mut first_step_token = None;
    for (i, (method, url, scope)) in plan.iter().enumerate() {
        let digest = step_digest(method, url, b"");
        let proof = executor.dpop_proof("POST", &token_url, &session.token)?;
        let exchanged = tokens
            .exchange_step(StepRequest {
                subject_token: &session.token,
                dpop: Some(&proof),
                method: "POST",
                url: &token_url,
                scope,
                audience: Some(API),
                step: Some(&digest),
            })
            .await;
        let token = match exchanged {
            Ok(t) => t,
            Err(e) => {
                println!(
                    "   step {}: {method} {url} → step token REFUSED ({}: {e})",
                    i + 1,
                    e.code()
                );
                continue;
            }
        };
        let call_proof = executor.dpop_proof(method, url, &token.token)?;
        let authorization = format!("DPoP {}", token.token);
        let parts = RequestParts {
            authorization: Some(&authorization),
            dpop: Some(&call_proof),
            method,
            url,
            body: b"",
        };
        let outcome = guard.check(parts, scope, Utc::now().timestamp()).await;
        println!(
            "   step {}: {method} {url} with a {} s single-use token for {scope} → {}",
            i + 1,
            token.claims.exp - token.claims.iat,
            match &outcome {
                Ok(_) => "allowed".to_owned(),
                Err(e) => format!("refused ({})", e.code()),
            }
        );
        first_step_token.get_or_insert((token.token, url.clone()));
    }

    step(
        6,
        "A prompt-injected executor replays step 1's token for another request.",
    );
    if let Some((token, _)) = &first_step_token {
        let url = format!("{API}/invoices/INV-1002");
        let proof = executor.dpop_proof("GET", &url, token)?;
        let authorization = format!("DPoP {token}");
        let parts = RequestParts {
            authorization: Some(&authorization),
            dpop: Some(&proof),
            method: "GET",
            url: &url,
            body: b"",
        };
        match guard
            .check(parts, "invoices:read", Utc::now().timestamp())
            .await
        {
            Ok(_) => println!("   unexpectedly allowed"),
            Err(e) => println!("   GET {url} → refused ({}: {e})", e.code()),
        }
    }

    step(
        7,
        "Globex's audit trail (credence audit export --jsonl), then its integrity check.",
    );
    drop(guard);
    drop(tokens);
    drop(verifier);
    log.checkpoint()?;
    drop(log);
    let mut out = Vec::new();
    export_audit(&audit_dir, &mut out)?;
    let out = String::from_utf8(out)?;
    // Each entry as a SIEM receives it, e.g. the first one:
    println!("   {}", out.lines().next().unwrap_or_default());
    // Then all of them, DIDs shown by name; `chain` is the delegation path.
    let names: [(&str, &str); 4] = [
        (alice.did(), "Alice"),
        (planner.did(), "planner"),
        (executor.did(), "executor"),
        (API, "Globex API"),
    ];
    let name = |v: &serde_json::Value| {
        let did = v.as_str().unwrap_or("-");
        names
            .iter()
            .find(|(d, _)| *d == did)
            .map_or(did, |(_, n)| n)
            .to_owned()
    };
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if v.get("checkpoint").is_some() {
            println!("   checkpoint: {}", v["checkpoint"]);
            continue;
        }
        let chain: Vec<String> = v["chain"]
            .as_array()
            .map(|c| c.iter().map(name).collect())
            .unwrap_or_default();
        println!(
            "   #{} {:<19} {:<5} actor={:<10} chain={} reason={}",
            v["seq"],
            v["action"].as_str().unwrap_or(""),
            v["decision"].as_str().unwrap_or(""),
            name(&v["actor"]),
            chain.join("→"),
            v["reason"].as_str().unwrap_or("-")
        );
    }
    let report = verify_audit(&audit_dir, None)?;
    println!(
        "   intact: {} entries, {} signed checkpoint(s), signer {}",
        report.entries,
        report.checkpoints,
        report.signer.unwrap_or_default()
    );
    println!("\nDone.");
    Ok(())
}
