//! A driver for profiling the verifier's hot path with an external
//! profiler (docs/performance.md):
//!
//!     cargo run --release --example profile_verify -- prepare /tmp/pv 300
//!     perf record -g target/release/examples/profile_verify verify /tmp/pv
//!
//! `prepare` issues an AgentCredential into a wallet and writes N
//! presentations with their requests and the verifier policy; `verify`
//! only verifies them and mints a token each, so a profile of it holds
//! nothing but the verifier's work.

/// The allocator the service runs on (see the workspace Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use credence::issuer::Issuer;
use credence::model::{AgentProfile, PresentationRequest};
use credence::verify::{TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;

const VERIFIER: &str = "https://verifier.globex.example";
const API: &str = "https://api.globex.example";
const CLAIMS: &[&str] = &["organization", "capabilities"];

type Error = Box<dyn std::error::Error>;

async fn prepare(dir: &Path, n: usize) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let issuer = Issuer::generate()?;
    let wallet_dir = tempfile::tempdir()?;
    let wallet = Wallet::create(
        wallet_dir.path().join("agent"),
        &Unlock::passphrase("p"),
        KdfParams::minimal(),
    )?;
    wallet.set_holder_policy(&HolderPolicy::default().allow_domain("*.globex.example", CLAIMS))?;
    let now = chrono::Utc::now();
    let credential = issuer
        .issue_agent_credential(
            wallet.did(),
            &AgentProfile::sample(),
            now - chrono::Duration::minutes(1),
            now + chrono::Duration::days(1),
        )
        .await?;
    wallet.import(&credential).await?;
    let policy = format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"Acme\"\ncredential_types = [\"AgentCredential\"]\nrequire_status = false\n\n[[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\nscope = \"invoices:read\"\naudience = \"{API}\"\nttl_secs = 300\n",
        issuer.did()
    );
    std::fs::write(dir.join("policy.toml"), &policy)?;
    let verifier = Verifier::new(VERIFIER, TrustPolicy::from_toml(&policy)?);
    let mut cases = vec![];
    for i in 0..n {
        let request = verifier
            .create_request_for(credence_core::agent_credential_query(CLAIMS))
            .await
            .expect("a valid query");
        let vp = wallet.present(&request).await?;
        cases.push(json!({"request": request, "presentation": vp}));
        if (i + 1) % 50 == 0 {
            eprintln!("prepared {}/{n}", i + 1);
        }
    }
    std::fs::write(dir.join("cases.json"), serde_json::to_vec(&cases)?)?;
    Ok(())
}

async fn verify(dir: &Path) -> Result<(), Error> {
    let policy = TrustPolicy::from_toml(&std::fs::read_to_string(dir.join("policy.toml"))?)?;
    let cases: Vec<Value> = serde_json::from_slice(&std::fs::read(dir.join("cases.json"))?)?;
    let verifier = Verifier::new(VERIFIER, policy);
    let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519()?);
    for case in &cases {
        let request: PresentationRequest = serde_json::from_value(case["request"].clone())?;
        verifier.register_request(request).await?;
    }
    let t = Instant::now();
    for case in &cases {
        tokens
            .exchange(&verifier, &case["presentation"], API)
            .await?;
    }
    let each = t.elapsed().as_secs_f64() * 1e3 / cases.len().max(1) as f64;
    println!(
        "verified and minted {} presentations, {each:.2} ms each",
        cases.len()
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("prepare"), Some(dir)) => {
            let n = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(300);
            prepare(Path::new(dir), n).await
        }
        (Some("verify"), Some(dir)) => verify(Path::new(dir)).await,
        _ => Err("usage: profile_verify prepare DIR [N] | verify DIR".into()),
    }
}
