//! The two-organization story over the network, on 127.0.0.1: Acme's
//! issuer (did:web document, status lists, admin API), Acme's agent behind
//! its wallet API, Globex's token service (RFC 8693) and Globex's invoices
//! tool that accepts only DPoP-bound tokens with the right scope. One
//! command starts everything, plays the story — including Acme revoking
//! the agent — and stops everything.
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
use credence_server::verifier_api::{SD_JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT, VP_TOKEN_TYPE};
use credence_server::{ApiToken, Introspection, ToolService, VerifierService};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Two organizations over HTTP on 127.0.0.1.
#[derive(Parser)]
#[command(about = "Acme's agent and Globex's services over HTTP on 127.0.0.1, revocation included")]
struct Args {
    /// The credential format: `ldp` (W3C VC 2.0, bbs-2023) or `sd-jwt`
    /// (SD-JWT VC with a KB-JWT).
    #[arg(long, default_value = "ldp", value_parser = ["ldp", "sd-jwt"])]
    format: String,
}

/// The running services, stopped together.
#[derive(Default)]
struct Services(Vec<(&'static str, oneshot::Sender<()>, JoinHandle<()>)>);

impl Services {
    fn start(&mut self, name: &'static str, listener: TcpListener, router: axum::Router) {
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        self.0.push((name, tx, handle));
    }

    async fn stop(self) {
        for (name, tx, handle) in self.0 {
            let _ = tx.send(());
            let _ = handle.await;
            println!("   stopped {name}");
        }
    }
}

async fn bind() -> Result<(TcpListener, String), Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    Ok((listener, origin))
}

fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
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
    wallet.set_holder_policy(
        &HolderPolicy::default().allow_domain("127.0.0.1", &["organization", "capabilities"]),
    )?;
    let agent_did = wallet.did().to_owned();
    let wallet_token = ApiToken::create(&wallet_dir)?;
    let wallet_secret = wallet_token.secret().to_owned();
    let (listener, wallet_url) = bind().await?;
    services.start(
        "Acme agent wallet API",
        listener,
        credence_server::router(wallet, wallet_token),
    );
    println!("   agent {agent_did}\n   wallet API at {wallet_url} (holder policy: organization and capabilities only)");

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
    let openid4vp = credence_server::Openid4vpService::for_origin(&verifier_url, request_key)?;
    let verifier = Arc::new(
        Verifier::new(&verifier_url, TrustPolicy::load(&policy_path)?)
            .with_client_id(&openid4vp.signer.client_id())
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

    // The agent's side of an exchange, all over HTTP.
    let exchange = || async {
        let request: PresentationRequest = http
            .post(format!("{verifier_url}/presentation-requests"))
            .json(&json!({"claims": ["organization", "capabilities"], "format": format}))
            .send()
            .await?
            .json()
            .await?;
        // The wallet's disclosure plan (for W3C VCs; an SD-JWT VC shows
        // its Disclosures in the presentation itself).
        let plan: Value = if sd_jwt {
            json!({"credentials": [{"disclosed": "organization, capabilities (as Disclosures)", "withheld": "every other claim"}]})
        } else {
            http.post(format!("{wallet_url}/v1/presentations/plan"))
                .bearer_auth(&wallet_secret)
                .json(&request)
                .send()
                .await?
                .json()
                .await?
        };
        let vp: Value = http
            .post(format!("{wallet_url}/v1/presentations"))
            .bearer_auth(&wallet_secret)
            .json(&request)
            .send()
            .await?
            .json()
            .await?;
        // A VP is sent as its JSON text; an SD-JWT presentation as is.
        let (subject, token_type) = match &vp {
            Value::String(sd) => (sd.clone(), SD_JWT_TOKEN_TYPE),
            other => (other.to_string(), VP_TOKEN_TYPE),
        };
        let t = Instant::now();
        let (status, body) = json_of(
            http.post(format!("{verifier_url}/token"))
                .form(&[
                    ("grant_type", TOKEN_EXCHANGE_GRANT),
                    ("subject_token", subject.as_str()),
                    ("subject_token_type", token_type),
                    ("audience", tool_url.as_str()),
                ])
                .send()
                .await?,
        )
        .await?;
        Ok::<_, Error>((plan, status, body, t.elapsed()))
    };

    step(6, "The agent asks for a presentation request, answers it through its wallet, and exchanges it for a token.");
    let (plan, status, body, took) = exchange().await?;
    println!(
        "   wallet discloses {} and withholds {}",
        plan["credentials"][0]["disclosed"], plan["credentials"][0]["withheld"]
    );
    if status != 200 {
        return Err(format!("token exchange failed: {body}").into());
    }
    let token = body["access_token"].as_str().unwrap_or_default().to_owned();
    println!(
        "   POST /token → HTTP {status} in {:.1} ms: token_type {}, scope {}, expires_in {} s",
        took.as_secs_f64() * 1e3,
        body["token_type"],
        body["scope"],
        body["expires_in"]
    );

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
    let (_, status, body, _) = exchange().await?;
    println!(
        "   POST /token → HTTP {status}: {} ({})",
        body["error"], body["error_description"]
    );
    watcher.abort();
    if status != 400 || body["credence_reason"] != "revoked" {
        return Err("the revoked agent was not refused".into());
    }
    Ok(())
}
