//! The two-organization story over the network, on 127.0.0.1: Acme's
//! issuer (did:web document, status lists, admin API), Acme's agent behind
//! its wallet API, Globex's token service and Globex's invoices tool that
//! accepts only DPoP-bound tokens with the right scope. Globex asks by
//! OpenID4VP 1.0 with a request object signed by its did:web; the wallet
//! verifies it, prints the verified DID, discloses what its holder policy
//! allows that DID (a forged and an unsigned request get nothing), answers
//! by direct_post, and trades the response code for a token (RFC 8693,
//! DPoP). One command starts everything, plays the story — including Acme
//! revoking the agent — and stops everything.
//!
//! Run: `cargo run --release --example two_org_http [-- --format sd-jwt]`
//! (`--format sd-jwt`: the credential is an SD-JWT VC, presented with a
//! KB-JWT and revoked through Acme's Token Status List).

use chrono::Utc;
use clap::Parser;
use credence::did::{CacheConfig, DidResolver, FetchLimits};
use credence::model::{AgentProfile, PresentationRequest};
use credence::resource::ResourceGuard;
use credence::verify::{TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use credence_server::{ApiToken, Introspection, ToolService, VerifierService};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/services.rs"]
mod services;
use services::{bind, step, Error, Services};

/// Two organizations over HTTP on 127.0.0.1.
#[derive(Parser)]
#[command(about = "Acme's agent and Globex's services over HTTP on 127.0.0.1, revocation included")]
struct Args {
    /// The credential format: `ldp` (W3C VC 2.0, bbs-2023) or `sd-jwt`
    /// (SD-JWT VC with a KB-JWT).
    #[arg(long, default_value = "ldp", value_parser = ["ldp", "sd-jwt"])]
    format: String,
}

async fn json_of(r: reqwest::Response) -> Result<(u16, Value), Error> {
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let sd_jwt = Args::parse().format == "sd-jwt";
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let http = reqwest::Client::new();
    let mut services = Services::default();
    let outcome = run(&dir, &http, &mut services, sd_jwt).await;
    step(11, "Stopping every service.");
    services.stop().await;
    println!(
        "\nDone in {:.1} s; nothing left running.",
        started.elapsed().as_secs_f64()
    );
    outcome
}

/// Prints what the wallet's plan would disclose and withhold.
fn describe_plan(plan: &Value) {
    if let Some(c) = plan["ldp_vc"]["credentials"].get(0) {
        let disclosed: Vec<&str> = c["disclosed"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["claim"].as_str())
            .collect();
        println!(
            "   wallet discloses {} and withholds {}",
            disclosed.join(", "),
            c["withheld"]
        );
    }
    if let Some(q) = plan["sd_jwt"].get(0) {
        println!(
            "   wallet discloses {} (SD-JWT Disclosures) and withholds every other claim",
            q["claims"]
        );
    }
}

/// Two requests that are not Globex's: one claiming Globex's DID but
/// signed by another key, one unsigned (anonymous). The wallet answers
/// neither.
async fn impostors<F, Fut>(
    wallet_post: &F,
    verifier_url: &str,
    globex_did: &str,
) -> Result<(), Error>
where
    F: Fn(&str, Value) -> Fut,
    Fut: std::future::Future<Output = Result<(u16, Value), Error>>,
{
    let now = Utc::now().timestamp();
    let response_uri = format!("{verifier_url}/openid4vp/response");
    let forger =
        credence::verify::RequestSigner::did_web(globex_did, ssi::JWK::generate_ed25519()?)?;
    let mut request = PresentationRequest::for_query(
        &forger.client_id(),
        credence::model::agent_credential_query(&["organization", "capabilities"]),
        now + 60,
    );
    request.state = Some(credence::model::fresh_nonce());
    request.response_uri = Some(response_uri.clone());
    let forged = forger.sign(&request, now, None, json!({}))?;
    let (status, body) = wallet_post("/v1/openid4vp/plan", json!({"request": forged})).await?;
    println!(
        "   a request claiming {globex_did}, signed by another key → HTTP {status} {}",
        body["error"]
    );
    let dcql = serde_json::to_string(&request.dcql_query)?;
    let mut unsigned = reqwest::Url::parse("openid4vp://")?;
    unsigned
        .query_pairs_mut()
        .append_pair("client_id", &format!("redirect_uri:{response_uri}"))
        .append_pair("response_type", "vp_token")
        .append_pair("response_mode", "direct_post")
        .append_pair("response_uri", &response_uri)
        .append_pair("nonce", &credence::model::fresh_nonce())
        .append_pair("dcql_query", &dcql);
    let unsigned = unsigned.to_string();
    let (status, body) = wallet_post("/v1/openid4vp/plan", json!({"request": unsigned})).await?;
    println!(
        "   an unsigned request (anonymous verifier) → HTTP {status} {}",
        body["error"]
    );
    if status != 403 {
        return Err(format!("the anonymous request was not refused: {body}").into());
    }
    Ok(())
}

async fn run(
    dir: &tempfile::TempDir,
    http: &reqwest::Client,
    services: &mut Services,
    sd_jwt: bool,
) -> Result<(), Error> {
    let format = if sd_jwt { "dc+sd-jwt" } else { "ldp_vc" };
    println!("Credence two-organization demo over HTTP (127.0.0.1), credential format {format}");
    println!("====================================================");

    step(
        1,
        "Acme starts its issuer: a did:web identity served at its origin, with status lists.",
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
    println!("   Acme issuer {acme_did} at {acme_origin}/.well-known/did.json");

    step(2, "Acme's procurement agent starts its wallet API (its own did:key; did:web issuers resolved over HTTP).");
    let wallet_dir = dir.path().join("procurement-agent");
    let wallet = Wallet::create(
        &wallet_dir,
        &Unlock::passphrase("agent passphrase"),
        KdfParams::minimal(),
    )?
    .with_resolver(Arc::new(DidResolver::default()));
    let agent_did = wallet.did().to_owned();
    let wallet_token = ApiToken::create(&wallet_dir)?;
    let wallet_secret = wallet_token.secret().to_owned();
    let (listener, wallet_url) = bind().await?;
    services.start(
        "Acme agent wallet API",
        listener,
        credence_server::router(wallet, wallet_token),
    );
    println!("   agent {agent_did}\n   wallet API at {wallet_url} (holder policy: discloses nothing to anyone yet)");

    step(3, "Acme issues the agent an AgentCredential (with revocation and suspension status); the wallet verifies it.");
    let (status, issued) = json_of(
        http.post(format!("{acme_origin}/admin/credentials"))
            .bearer_auth(&admin_secret)
            .json(
                &json!({"subject": agent_did, "profile": AgentProfile::sample(), "valid_days": 30, "format": format}),
            )
            .send()
            .await?,
    )
    .await?;
    if status != 201 {
        return Err(format!("issuing failed: {issued}").into());
    }
    let status_index = issued["status_index"].as_u64().unwrap_or_default();
    let (status, imported) = json_of(
        http.post(format!("{wallet_url}/v1/credentials"))
            .bearer_auth(&wallet_secret)
            .json(&issued["credential"])
            .send()
            .await?,
    )
    .await?;
    println!(
        "   wallet import: HTTP {status}, credential {} (status index {status_index})",
        imported["summary"]["id"].as_str().unwrap_or("?")
    );

    step(
        4,
        "Globex starts its token service with a trust policy naming Acme's did:web.",
    );
    let (vlistener, verifier_url) = bind().await?;
    let (tlistener, tool_url) = bind().await?;
    let policy_path = dir.path().join("globex-policy.toml");
    std::fs::write(
        &policy_path,
        format!(
            "[[issuer]]\ndid = \"{acme_did}\"\nname = \"Acme Corp\"\ncredential_types = [\"AgentCredential\"]\n\
             formats = [\"bbs-2023\", \"dc+sd-jwt\"]\n\n\
             [[constraint]]\ncredential_type = \"AgentCredential\"\nclaim = \"organization\"\nequals = \"Acme Corp\"\n\n\
             [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\n\
             scope = \"invoices:read\"\naudience = \"{tool_url}\"\nttl_secs = 120\n"
        ),
    )?;
    let (key, introspection) =
        credence_server::verifier_dir::load_or_create(&dir.path().join("globex"))?;
    let introspection_secret = introspection.secret().to_owned();
    // A 1-second status-list cache so the revocation shows at once (the default is 30 s).
    let request_key =
        credence_server::verifier_dir::load_or_create_request_key(&dir.path().join("globex"))?;
    // Nonces, replay marks and token records: sled in Globex's directory.
    let state: Arc<dyn credence_core::VerifierState> = Arc::new(credence_store::SledState::open(
        dir.path().join("globex").join("state"),
    )?);
    let openid4vp =
        credence_server::Openid4vpService::for_origin(&verifier_url, request_key, state.clone())?;
    let globex_did = openid4vp.signer.did().to_owned();
    let verifier = Arc::new(
        Verifier::new(&verifier_url, TrustPolicy::load(&policy_path)?)
            .with_client_id(&openid4vp.signer.client_id())
            .with_state(state)
            .with_status_fetching(
                FetchLimits::default(),
                CacheConfig {
                    ttl: Duration::from_secs(1),
                    capacity: 64,
                },
            ),
    );
    let tokens = Arc::new(TokenIssuer::new(&verifier, key.clone()));
    let watcher = credence_server::watch_policy(verifier.clone(), policy_path.clone());
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
    println!(
        "   token service at {verifier_url} (policy {}, reloaded on change)",
        policy_path.display()
    );
    println!("   its DID {globex_did} (request-signing key served at {verifier_url}/.well-known/did.json)");
    // Acme's security team lets Globex — by its DID, which only Globex's
    // key can sign for — receive the two claims it needs, and nobody else.
    let holder_policy = HolderPolicy::default()
        .allow_did(&globex_did, &["organization", "capabilities"])
        .to_toml()?;
    std::fs::write(
        wallet_dir.join(credence::wallet::HOLDER_POLICY_FILE),
        holder_policy,
    )?;
    println!(
        "   Acme's agent's holder policy now names {globex_did}: organization and capabilities"
    );

    step(
        5,
        "Globex starts its invoices tool: DPoP-bound tokens only, scope checked, introspected.",
    );
    services.start(
        "Globex invoices tool",
        tlistener,
        credence_server::tool_router(ToolService {
            guard: ResourceGuard::new(&verifier_url, &tool_url, key.to_public()),
            public_url: tool_url.clone(),
            introspection: Some(Introspection {
                url: format!("{verifier_url}/introspect"),
                secret: introspection_secret,
            }),
            client: reqwest::Client::new(),
        }),
    );
    println!("   tool at {tool_url}/invoices");

    // The agent's side of an exchange, all over HTTP: Globex creates an
    // OpenID4VP transaction; the agent's wallet fetches and verifies the
    // signed request object, says who is asking, answers by direct_post
    // and exchanges the response code for a DPoP-bound token.
    let wallet_post = |path: &str, body: Value| {
        let r = http
            .post(format!("{wallet_url}{path}"))
            .bearer_auth(&wallet_secret)
            .json(&body);
        async move { json_of(r.send().await?).await }
    };
    let exchange = || async {
        let (_, created) = json_of(
            http.post(format!("{verifier_url}/openid4vp/requests"))
                .json(&json!({"claims": ["organization", "capabilities"], "format": format}))
                .send()
                .await?,
        )
        .await?;
        let link = created["authorization_request"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (_, plan) = wallet_post("/v1/openid4vp/plan", json!({"request": link})).await?;
        let t = Instant::now();
        let (status, body) = wallet_post(
            "/v1/openid4vp/respond",
            json!({"request": link, "audience": tool_url}),
        )
        .await?;
        Ok::<_, Error>((link, plan, status, body, t.elapsed()))
    };

    let call = |method: reqwest::Method, token: String, proof: Option<String>| {
        let mut r = http
            .request(method, format!("{tool_url}/invoices"))
            .header("authorization", format!("DPoP {token}"));
        if let Some(p) = proof {
            r = r.header("dpop", p);
        }
        async move { json_of(r.send().await?).await }
    };
    let dpop = |method: &str, token: &str| {
        let body =
            json!({"method": method, "url": format!("{tool_url}/invoices"), "access_token": token});
        let req = http
            .post(format!("{wallet_url}/v1/dpop"))
            .bearer_auth(&wallet_secret)
            .json(&body);
        async move {
            let v: Value = req.send().await?.json().await?;
            Ok::<_, Error>(v["proof"].as_str().unwrap_or_default().to_owned())
        }
    };

    step(6, "Globex asks for a presentation (OpenID4VP 1.0); the agent's wallet verifies who is asking, answers, and gets a token.");
    let (link, plan, status, body, took) = exchange().await?;
    println!("   {}…", &link[..link.len().min(110)]);
    println!(
        "   the request object is signed by {} — the holder policy applies to that DID",
        plan["verifier"]
    );
    describe_plan(&plan["plan"]);
    if status != 200 || body["token_status"] != 200 {
        return Err(format!("the OpenID4VP exchange failed: {body}").into());
    }
    let token = body["token"]["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!(
        "   direct_post → response code → POST /token with DPoP: {:.1} ms; token_type {}, scope {}, expires_in {} s",
        took.as_secs_f64() * 1e3,
        body["token"]["token_type"],
        body["token"]["scope"],
        body["token"]["expires_in"]
    );
    impostors(&wallet_post, &verifier_url, &globex_did).await?;

    step(
        7,
        "The agent calls the tool with the token and a DPoP proof from its wallet.",
    );
    let (status, body) = call(
        reqwest::Method::GET,
        token.clone(),
        Some(dpop("GET", &token).await?),
    )
    .await?;
    println!(
        "   GET /invoices → HTTP {status}: {} invoices",
        body["invoices"].as_array().map_or(0, Vec::len)
    );
    if status != 200 {
        return Err(format!("the agent's read was refused: {body}").into());
    }
    let (status, body) = call(
        reqwest::Method::POST,
        token.clone(),
        Some(dpop("POST", &token).await?),
    )
    .await?;
    println!(
        "   POST /invoices (pay) → HTTP {status}: {}",
        body["error_description"]
    );

    step(8, "Someone who stole the token tries it: without a proof, and with a proof from their own key.");
    let (status, body) = call(reqwest::Method::GET, token.clone(), None).await?;
    println!(
        "   no DPoP proof → HTTP {status}: {}",
        body["credence_reason"]
    );
    let thief = ssi::JWK::generate_ed25519()?;
    let forged = credence::model::dpop_proof(
        &thief,
        "GET",
        &format!("{tool_url}/invoices"),
        Some(&token),
        Utc::now().timestamp(),
    )?;
    let (status, body) = call(reqwest::Method::GET, token.clone(), Some(forged)).await?;
    println!(
        "   thief's proof → HTTP {status}: {}",
        body["credence_reason"]
    );

    step(
        9,
        "Acme revokes the agent's credential (status index set in its revocation list).",
    );
    let (status, _) = json_of(
        http.post(format!("{acme_origin}/admin/status"))
            .bearer_auth(&admin_secret)
            .json(&json!({"index": status_index, "purpose": "revocation", "set": true}))
            .send()
            .await?,
    )
    .await?;
    println!("   POST /admin/status → HTTP {status}");
    tokio::time::sleep(Duration::from_millis(1100)).await;

    step(
        10,
        "The agent tries a new exchange: Globex fetches Acme's status list and refuses.",
    );
    let (_, _, status, body, _) = exchange().await?;
    println!("   direct_post → HTTP {status}: {}", body["message"]);
    watcher.abort();
    let refused_as_revoked = body["message"]
        .as_str()
        .is_some_and(|m| m.contains(r#""credence_reason":"revoked""#));
    if status != 502 || body["error"] != "verifier_refused" || !refused_as_revoked {
        return Err(format!("the revoked agent was not refused: {body}").into());
    }
    Ok(())
}
