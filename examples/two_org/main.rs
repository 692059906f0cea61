//! The flagship story: Acme's procurement agent proves to Globex what Globex
//! asks — and nothing more — and receives a scoped token for Globex's API.
//!
//! Run: `cargo run --release --example two_org [-- --out DIR]`, or with
//! `-- --format sd-jwt` the same story with an SD-JWT VC (sd_jwt.rs).

mod sd_jwt;

use chrono::{Duration, Utc};
use clap::Parser;
use credence::did::resolve_document;
use credence::issuer::Issuer;
use credence::model::{
    expand_credential_type, AgentProfile, ClaimsQuery, CredentialQuery, DcqlQuery,
    AGENT_CREDENTIAL_TYPE, CREDENCE_CONTEXT, CREDENCE_CONTEXT_URL, PROFILE_CLAIMS,
};
use credence::resource::validate_access_token;
use credence::verify::{TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, PresentError, Unlock, Wallet};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Two organizations, one agent, one scoped token.
#[derive(Parser)]
#[command(about = "Acme's agent proves selected attributes to Globex and gets a scoped token")]
struct Args {
    /// Also write the artifacts (request, credential, presentation, token,
    /// DID documents, JWKS, contexts) to this directory.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The credential format: `ldp` (a W3C VC 2.0 with a bbs-2023 proof)
    /// or `sd-jwt` (an SD-JWT VC with a KB-JWT).
    #[arg(long, default_value = "ldp", value_parser = ["ldp", "sd-jwt"])]
    format: String,
}

pub(crate) const GLOBEX_VERIFIER: &str = "https://verifier.globex.example";
pub(crate) const GLOBEX_API: &str = "https://api.globex.example";

pub(crate) fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}

pub(crate) fn write(dir: &Path, name: &str, value: &serde_json::Value) -> std::io::Result<()> {
    std::fs::write(dir.join(name), serde_json::to_string_pretty(value)? + "\n")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.format == "sd-jwt" {
        return sd_jwt::run(args.out.as_deref()).await;
    }
    println!("Credence two-organization demo");
    println!("==============================");

    step(
        1,
        "Acme's credential authority creates its BLS12-381 issuer key.",
    );
    let acme = Issuer::generate()?;
    println!("   Acme issuer DID: {}", acme.did());

    step(
        2,
        "Acme's procurement agent creates its encrypted wallet and its own Ed25519 DID.",
    );
    let wallet_dir = tempfile::tempdir()?;
    let passphrase = std::env::var("CREDENCE_PASSPHRASE")
        .unwrap_or_else(|_| "demo passphrase: set CREDENCE_PASSPHRASE".into());
    let t = Instant::now();
    let wallet = Wallet::create(
        wallet_dir.path().join("procurement-agent"),
        &Unlock::passphrase(passphrase),
        KdfParams::default(),
    )?;
    println!("   Agent DID: {}", wallet.did());
    println!(
        "   Wallet: sled database in {}, sealed with XChaCha20-Poly1305 under an Argon2id key ({:.0} ms)",
        wallet.dir().display(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let holder_policy =
        HolderPolicy::default().allow_domain("*.globex.example", &["organization", "capabilities"]);
    wallet.set_holder_policy(&holder_policy)?;
    println!(
        "   Holder policy: Globex (*.globex.example) may see organization and capabilities only."
    );

    step(
        3,
        "Acme issues an AgentCredential (VC 2.0, bbs-2023) to the agent.",
    );
    let profile = AgentProfile::sample();
    let t = Instant::now();
    let credential = acme
        .issue_agent_credential(
            wallet.did(),
            &profile,
            Utc::now() - Duration::minutes(1),
            Utc::now() + Duration::days(30),
        )
        .await?;
    let issue_ms = t.elapsed().as_secs_f64() * 1e3;
    let imported = wallet.import(&credential).await?;
    println!(
        "   Claims: organization, owner, purpose, model name/version, runtime digest, capabilities"
    );
    println!(
        "   Issued in {issue_ms:.1} ms; the wallet verified Acme's signature and stored it as {}.",
        imported.summary.id
    );

    step(
        4,
        "Globex's verifier trusts Acme for AgentCredentials and maps capabilities to scopes.",
    );
    let policy_text = format!(
        r#"[[issuer]]
did = "{}"
name = "Acme Corp"
credential_types = ["AgentCredential"]
# Acme's did:key issuer in this offline demo publishes no status lists.
require_status = false

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{GLOBEX_API}"
ttl_secs = 300
"#,
        acme.did()
    );
    let verifier = Verifier::new(GLOBEX_VERIFIER, TrustPolicy::from_toml(&policy_text)?);
    let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519()?);
    for line in policy_text.lines() {
        println!("   | {line}");
    }

    step(
        5,
        "Globex asks the agent for its organization and for capabilities containing invoices.read only.",
    );
    let requested = ["organization", "capabilities"];
    let query = DcqlQuery {
        credentials: vec![CredentialQuery::ldp_vc(
            "agent",
            vec![
                expand_credential_type("VerifiableCredential"),
                expand_credential_type(AGENT_CREDENTIAL_TYPE),
            ],
            vec![
                ClaimsQuery::subject("organization"),
                ClaimsQuery::subject_with_values("capabilities", &["invoices.read"]),
            ],
        )],
        credential_sets: None,
    };
    let request = verifier.create_request_for(query).await?;
    println!(
        "   client_id = {}, nonce = {}",
        request.client_id, request.nonce
    );

    let greedy = verifier
        .create_request_for(credence_core::agent_credential_query(&[
            "organization",
            "owner",
            "capabilities",
        ]))
        .await
        .expect("a valid query");
    match wallet.plan(&greedy) {
        Err(PresentError::PolicyDenied { claims, .. }) => println!(
            "   (A request that also asks for the owner is refused by the agent's holder policy: {})",
            claims.join(", ")
        ),
        other => return Err(format!("the holder policy let an over-broad request through: {other:?}").into()),
    }

    step(6, "The agent derives a selective-disclosure proof and signs a presentation bound to the nonce and audience.");
    let t = Instant::now();
    let presentation = wallet.present(&request).await?;
    let present_ms = t.elapsed().as_secs_f64() * 1e3;
    let subject = &presentation["verifiableCredential"][0]["credentialSubject"];
    println!(
        "   Disclosed: organization = {}, capabilities = {}",
        subject["organization"], subject["capabilities"]
    );
    // Least disclosure inside a list: only the requested element.
    if subject["capabilities"] != json!(["invoices.read"])
        || presentation.to_string().contains("orders.create")
    {
        return Err("a capability that was not asked for was disclosed".into());
    }
    println!("   capabilities  only [\"invoices.read\"] disclosed; orders.create stays hidden");
    for hidden in PROFILE_CLAIMS.iter().filter(|c| !requested.contains(c)) {
        let absent = subject.get(hidden).is_none();
        println!(
            "   {hidden:<13} {}",
            if absent {
                "hidden (absent from the presentation)"
            } else {
                "DISCLOSED"
            }
        );
        if !absent {
            return Err(format!("{hidden} leaked").into());
        }
    }
    println!("   Presented in {present_ms:.1} ms.");

    step(
        7,
        "Globex verifies every proof, binding and its policy, then mints a scoped token.",
    );
    let t = Instant::now();
    let token = tokens
        .exchange(&verifier, &presentation, GLOBEX_API)
        .await?;
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    println!("   sub = {}", token.claims.sub);
    println!(
        "   aud = {}, scope = \"{}\", expires in {} s, cnf.jkt = {}",
        token.claims.aud,
        token.claims.scope,
        token.claims.exp - token.claims.iat,
        token.claims.cnf.jkt
    );
    println!("   Verified and minted in {verify_ms:.1} ms.");

    step(8, "The agent calls Globex's invoices API.");
    let now = Utc::now().timestamp();
    let key = tokens.token_key();
    match validate_access_token(
        &token.token,
        &key,
        GLOBEX_VERIFIER,
        GLOBEX_API,
        "invoices:read",
        now,
    ) {
        Ok(_) => println!("   GET  /invoices      -> 200 allowed (scope invoices:read)"),
        Err(e) => return Err(format!("read unexpectedly denied: {e}").into()),
    }
    match validate_access_token(
        &token.token,
        &key,
        GLOBEX_VERIFIER,
        GLOBEX_API,
        "invoices:write",
        now,
    ) {
        Ok(_) => return Err("write unexpectedly allowed".into()),
        Err(e) => println!("   POST /invoices      -> 403 denied: {e}"),
    }

    step(9, "A replay of the same presentation is refused.");
    match tokens.exchange(&verifier, &presentation, GLOBEX_API).await {
        Ok(_) => return Err("replay accepted".into()),
        Err(e) => println!("   -> denied: {e}"),
    }

    println!("\nTimings: issue {issue_ms:.1} ms | present {present_ms:.1} ms | verify+mint {verify_ms:.1} ms");

    if let Some(dir) = args.out {
        std::fs::create_dir_all(&dir)?;
        write(&dir, "request.json", &serde_json::to_value(&request)?)?;
        write(&dir, "credential.json", &credential)?;
        write(&dir, "presentation.json", &presentation)?;
        std::fs::write(dir.join("token.jwt"), format!("{}\n", token.token))?;
        write(
            &dir,
            "issuer-did.json",
            &resolve_document(acme.did()).await?,
        )?;
        write(
            &dir,
            "holder-did.json",
            &resolve_document(wallet.did()).await?,
        )?;
        write(&dir, "verifier-jwks.json", &tokens.jwks())?;
        std::fs::write(dir.join("credence-v1.jsonld"), CREDENCE_CONTEXT)?;
        write(
            &dir,
            "contexts.json",
            &json!({ CREDENCE_CONTEXT_URL: "credence-v1.jsonld" }),
        )?;
        println!("Artifacts written to {}", dir.display());
    }
    Ok(())
}
