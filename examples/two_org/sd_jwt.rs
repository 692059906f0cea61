//! The flagship story in SD-JWT VC: Acme issues the agent's
//! AgentCredential as an SD-JWT VC (EdDSA, did:web issuer, every claim and
//! each capability selectively disclosable, a Token Status List entry);
//! the agent presents only what Globex asks, bound by a KB-JWT; Globex
//! verifies every RFC 9901 check and mints the same scoped, DPoP-bound
//! token; a replay and a revoked credential are refused.

use super::{step, write, GLOBEX_API, GLOBEX_VERIFIER};
use chrono::{Duration, Utc};
use credence::bbs2023::BbsKeyPair;
use credence::did::{resolve_document, KnownDocuments};
use credence::issuer::{Issuer, StatusAssignment, StatusRegistry};
use credence::model::{agent_sd_jwt_query, AgentProfile, ExpectedValue};
use credence::resource::validate_access_token;
use credence::sdjwt::SdJwt;
use credence::verify::{OfflineDocuments, TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const ACME: &str = "https://issuer.acme.example";

/// The verifier for `policy`, knowing Acme's DID document and status list
/// token (this demo runs in one process: nothing is fetched).
fn globex(policy: &TrustPolicy, acme: &Issuer, status_token: String, uri: String) -> Verifier {
    let documents = OfflineDocuments {
        dids: KnownDocuments::one(acme.did_document().unwrap_or_default()),
        status_list_tokens: HashMap::from([(uri, status_token)]),
        ..Default::default()
    };
    Verifier::new(GLOBEX_VERIFIER, policy.clone()).offline(documents)
}

/// Runs the SD-JWT VC story; writes its artifacts to `out` when given.
pub async fn run(out: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    println!("Credence two-organization demo (SD-JWT VC)");
    println!("==========================================");

    step(
        1,
        "Acme's credential authority creates its did:web identity with an Ed25519 assertion key.",
    );
    let assertion = ssi::JWK::generate_ed25519()?;
    let acme = Issuer::web(ACME, BbsKeyPair::generate()?, assertion.clone())?;
    let mut registry = StatusRegistry::default();
    println!("   Acme issuer DID: {}", acme.did());

    step(
        2,
        "Acme's procurement agent creates its encrypted wallet and its own Ed25519 DID.",
    );
    let wallet_dir = tempfile::tempdir()?;
    let passphrase = std::env::var("CREDENCE_PASSPHRASE")
        .unwrap_or_else(|_| "demo passphrase: set CREDENCE_PASSPHRASE".into());
    let wallet = Wallet::create(
        wallet_dir.path().join("procurement-agent"),
        &Unlock::passphrase(passphrase),
        KdfParams::default(),
    )?
    .with_resolver(Arc::new(KnownDocuments::one(
        acme.did_document().unwrap_or_default(),
    )));
    wallet.set_holder_policy(
        &HolderPolicy::default()
            .allow_domain("*.globex.example", &["organization", "capabilities"]),
    )?;
    println!("   Agent DID: {}", wallet.did());
    println!(
        "   Holder policy: Globex (*.globex.example) may see organization and capabilities only."
    );

    step(3, "Acme issues an AgentCredential as an SD-JWT VC (dc+sd-jwt) with a Token Status List entry.");
    let status = StatusAssignment {
        origin: ACME.into(),
        index: registry.assign()?,
    };
    let t = Instant::now();
    let credential = acme
        .issue_agent_sd_jwt(
            wallet.did(),
            &AgentProfile::sample(),
            Utc::now() - Duration::minutes(1),
            Utc::now() + Duration::days(30),
            Some(&status),
        )
        .await?;
    let issue_ms = t.elapsed().as_secs_f64() * 1e3;
    let imported = wallet.import_sd_jwt(&credential).await?;
    let disclosures = SdJwt::parse(&credential)?.disclosures.len();
    println!(
        "   {disclosures} Disclosures (each claim, each capability); issued in {issue_ms:.1} ms; verified and stored as {}.",
        imported.summary.id
    );

    step(4, "Globex's verifier trusts Acme for AgentCredentials in dc+sd-jwt and maps capabilities to scopes.");
    let policy_text = format!(
        r#"[[issuer]]
did = "{}"
name = "Acme Corp"
credential_types = ["AgentCredential"]
formats = ["bbs-2023", "dc+sd-jwt"]

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
    let policy = TrustPolicy::from_toml(&policy_text)?;
    let uri = status.token_status_uri();
    let status_before = acme.status_list_token(&registry, 3600)?;
    let verifier = globex(&policy, &acme, status_before.clone(), uri.clone());
    let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519()?);
    for line in policy_text.lines() {
        println!("   | {line}");
    }

    step(
        5,
        "Globex asks for the organization and for capabilities containing invoices.read only.",
    );
    let mut query = agent_sd_jwt_query(&["organization", "capabilities"]);
    query.credentials[0].claims[1].values = Some(vec![ExpectedValue::Text("invoices.read".into())]);
    let request = verifier.create_request_for(query).await?;
    println!(
        "   client_id = {}, nonce = {}",
        request.client_id, request.nonce
    );

    step(
        6,
        "The agent presents only those Disclosures, bound to the nonce and audience by a KB-JWT.",
    );
    let t = Instant::now();
    let presentation = wallet.present_sd_jwt(&request).await?;
    let present_ms = t.elapsed().as_secs_f64() * 1e3;
    let shown = SdJwt::parse(&presentation)?;
    println!(
        "   {} of {disclosures} Disclosures presented; KB-JWT present: {}",
        shown.disclosures.len(),
        shown.key_binding.is_some()
    );
    // organization, the capabilities array, and its invoices.read element.
    let decoded = shown
        .disclosures
        .iter()
        .map(|d| credence::sdjwt::disclosure::Disclosure::decode(d))
        .collect::<Result<Vec<_>, _>>()?;
    let leaked = decoded
        .iter()
        .any(|d| format!("{:?}", d.disclosed).contains("orders.create"));
    if leaked || decoded.len() != 3 {
        return Err("more was disclosed than asked for".into());
    }
    println!("   capabilities  only [\"invoices.read\"] disclosed; orders.create and every other claim stay hidden");

    step(7, "Globex verifies (RFC 9901 §7, KB-JWT, holder, status list, policy) and mints a scoped token.");
    let t = Instant::now();
    let verified = verifier.verify_sd_jwt_presentation(&presentation).await?;
    let disclosed: Value = verified.credentials()[0].disclosed().clone().into();
    let token = tokens.mint(verified, GLOBEX_API).await?;
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    println!("   Disclosed: {disclosed}");
    println!(
        "   sub = {}, aud = {}, scope = \"{}\", cnf.jkt = {}",
        token.claims.sub, token.claims.aud, token.claims.scope, token.claims.cnf.jkt
    );
    println!("   Verified and minted in {verify_ms:.1} ms.");

    step(8, "The agent calls Globex's invoices API.");
    let now = Utc::now().timestamp();
    let key = tokens.token_key();
    validate_access_token(
        &token.token,
        &key,
        GLOBEX_VERIFIER,
        GLOBEX_API,
        "invoices:read",
        now,
    )
    .map_err(|e| format!("read unexpectedly denied: {e}"))?;
    println!("   GET  /invoices      -> 200 allowed (scope invoices:read)");
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

    step(
        9,
        "A replay is refused; after Acme revokes the credential, a fresh presentation is refused.",
    );
    match verifier.verify_sd_jwt_presentation(&presentation).await {
        Ok(_) => return Err("replay accepted".into()),
        Err(e) => println!("   replay  -> denied: {e}"),
    }
    registry.set(status.index, "revocation", true)?;
    let after = globex(
        &policy,
        &acme,
        acme.status_list_token(&registry, 3600)?,
        uri,
    );
    let again = after
        .create_request_for(agent_sd_jwt_query(&["organization"]))
        .await?;
    match after
        .verify_sd_jwt_presentation(&wallet.present_sd_jwt(&again).await?)
        .await
    {
        Ok(_) => return Err("a revoked credential was accepted".into()),
        Err(e) => println!("   revoked -> denied: {e}"),
    }

    println!("\nTimings: issue {issue_ms:.1} ms | present {present_ms:.1} ms | verify+mint {verify_ms:.1} ms");
    if let Some(dir) = out {
        std::fs::create_dir_all(dir)?;
        write(dir, "request.json", &serde_json::to_value(&request)?)?;
        std::fs::write(dir.join("credential.sd-jwt"), &credential)?;
        std::fs::write(dir.join("presentation.sd-jwt"), &presentation)?;
        write(
            dir,
            "issuer-jwk.json",
            &serde_json::to_value(assertion.to_public())?,
        )?;
        write(
            dir,
            "issuer-did.json",
            &acme.did_document().unwrap_or_default(),
        )?;
        write(
            dir,
            "holder-did.json",
            &resolve_document(wallet.did()).await?,
        )?;
        std::fs::write(dir.join("token.jwt"), format!("{}\n", token.token))?;
        write(dir, "verifier-jwks.json", &tokens.jwks())?;
        write(
            dir,
            "status-list.json",
            &json!({"uri": status.token_status_uri(), "index": status.index}),
        )?;
        // The list as it was when the presentation was verified (before the
        // revocation of step 9).
        std::fs::write(dir.join("status-list.jwt"), &status_before)?;
        println!("Artifacts written to {}", dir.display());
    }
    Ok(())
}
