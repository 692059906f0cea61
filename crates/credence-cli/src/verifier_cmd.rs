//! `credence verifier serve` (the token service) and `credence verify`
//! (offline verification of a presentation against a request and policy).

use crate::common::{err, finish, init_logging, read_json, CliError};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use credence_core::{context_loader_with, FixedClock, PresentationRequest};
use credence_server::{verifier_dir, VerifierService};
use credence_verify::{OfflineDocuments, TokenIssuer, TrustPolicy, VerifiedPresentation, Verifier};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// `credence verifier …`.
#[derive(Args)]
#[command(after_help = crate::EXIT_CODES)]
pub struct VerifierArgs {
    #[command(subcommand)]
    command: VerifierCommand,
}

#[derive(Subcommand)]
enum VerifierCommand {
    /// Run the token service: POST /presentation-requests, POST /token
    /// (RFC 8693), GET /.well-known/jwks.json, POST /introspect (RFC 7662,
    /// bearer secret in DIR/api-token), POST /revoke (RFC 7009). The policy
    /// file is reloaded on SIGHUP and when it changes.
    ///
    /// Example: credence verifier serve --policy policy.toml --dir ./globex --listen 127.0.0.1:7402
    Serve {
        /// The trust policy (TOML, see docs/policy.md).
        #[arg(long)]
        policy: PathBuf,
        /// Directory for the token signing key and introspection secret
        /// (created on first use).
        #[arg(long, env = "CREDENCE_VERIFIER")]
        dir: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7402")]
        listen: SocketAddr,
        /// The verifier's identifier (token `iss`, presentation `domain`)
        /// [default: http://LISTEN].
        #[arg(long)]
        id: Option<String>,
        /// Claims requested when a client names none (comma-separated).
        #[arg(
            long,
            default_value = "organization,capabilities",
            value_delimiter = ','
        )]
        claims: Vec<String>,
        /// Listen on a non-loopback address (put a TLS proxy in front).
        #[arg(long)]
        allow_remote: bool,
    },
    /// Load-test POST /token on loopback (see `credence verifier bench --help`).
    Bench(crate::bench::BenchArgs),
}

async fn execute(args: VerifierArgs) -> Result<(), CliError> {
    match args.command {
        VerifierCommand::Serve {
            policy,
            dir,
            listen,
            id,
            claims,
            allow_remote,
        } => {
            if !listen.ip().is_loopback() && !allow_remote {
                return Err(err(2, format!("{listen} is not a loopback address; the service has no TLS (use --allow-remote behind a TLS proxy)")));
            }
            let trust = TrustPolicy::load(&policy).map_err(|e| err(2, e))?;
            let (key, introspection) = verifier_dir::load_or_create(&dir)?;
            init_logging();
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| err(4, format!("cannot listen on {listen}: {e}")))?;
            let addr = listener.local_addr().map_err(|e| err(4, e))?;
            let id = id.unwrap_or_else(|| format!("http://{addr}"));
            // Every decision goes to DIR/audit, checkpoints signed by the
            // token key (`credence audit verify DIR`).
            let audit = credence_store::AuditLog::open(
                dir.join(credence_store::AUDIT_DIR),
                Some(credence_store::CheckpointKey::new(key.clone())?),
            )?;
            let verifier = Arc::new(Verifier::new(&id, trust).with_audit(Arc::new(audit)));
            let tokens = Arc::new(TokenIssuer::new(&verifier, key));
            let watcher = credence_server::watch_policy(verifier.clone(), policy.clone());
            eprintln!(
                "Verifier {id} on http://{addr} (policy {}, reloaded on SIGHUP or change); Ctrl-C stops.",
                policy.display()
            );
            println!(
                "{}",
                json!({"listening": format!("http://{addr}"), "id": id, "pid": std::process::id()})
            );
            let service = VerifierService {
                verifier,
                tokens,
                default_claims: claims,
                introspection,
            };
            let served = credence_server::serve_verifier(listener, service, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
            watcher.abort();
            served.map_err(|e| err(4, e))?;
        }
        VerifierCommand::Bench(b) => crate::bench::run(b).await?,
    }
    Ok(())
}

/// Runs a verifier command and maps its outcome to an exit code.
pub async fn run(args: VerifierArgs) -> ExitCode {
    finish(execute(args).await)
}

/// `credence verify` options.
#[derive(Args)]
pub struct VerifyArgs {
    /// The presentation (a VC 2.0 VP JSON); - for stdin.
    file: PathBuf,
    /// The presentation request it answers (its nonce and client_id).
    #[arg(long)]
    request: PathBuf,
    /// The trust policy.
    #[arg(long)]
    policy: PathBuf,
    /// Verify as of this time (RFC 3339) instead of now.
    #[arg(long)]
    now: Option<String>,
    /// Extra JSON-LD contexts as URL=FILE (never fetched from the network).
    #[arg(long = "context", value_name = "URL=FILE")]
    contexts: Vec<String>,
    /// Verify offline with the DID documents and status lists in FILE
    /// (`{"dids": {DID: document}, "status_lists": {URL: list}}`, the
    /// format of vectors/cases/*/documents.json): nothing is fetched; a
    /// DID other than did:key/did:jwk must be in FILE.
    #[arg(long, value_name = "FILE")]
    documents: Option<PathBuf>,
}

/// What the verified presentation would earn, per audience, under the
/// policy snapshot it was verified with.
fn grants(v: &VerifiedPresentation) -> Value {
    let policy = v.policy();
    let mut out = Map::new();
    for audience in policy.audiences() {
        let g = policy.grant(v.issuer(), v.credential_type(), v.claims(), audience);
        if !g.scopes.is_empty() {
            out.insert(
                audience.to_owned(),
                json!({"scopes": g.scopes, "ttl_secs": g.ttl_secs}),
            );
        }
    }
    Value::Object(out)
}

async fn verify(args: VerifyArgs) -> Result<bool, CliError> {
    let vp = read_json(&args.file)?;
    let request: PresentationRequest =
        serde_json::from_value(read_json(&args.request)?).map_err(|e| {
            err(
                2,
                format!(
                    "{}: not a presentation request: {e}",
                    args.request.display()
                ),
            )
        })?;
    let policy = TrustPolicy::load(&args.policy).map_err(|e| err(2, e))?;
    let mut extra = HashMap::new();
    for spec in &args.contexts {
        let (url, path) = spec
            .split_once('=')
            .ok_or_else(|| err(2, format!("--context expects URL=FILE, got `{spec}`")))?;
        let text = std::fs::read_to_string(path).map_err(|e| err(2, format!("{path}: {e}")))?;
        extra.insert(url.to_owned(), text);
    }
    // Offline verification mints nothing: no signing key is created.
    let mut verifier =
        Verifier::new(&request.client_id, policy).with_loader(context_loader_with(extra));
    if let Some(now) = &args.now {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339(now)
            .map_err(|e| err(2, format!("--now: {e}")))?
            .with_timezone(&Utc);
        verifier = verifier.with_clock(Arc::new(FixedClock(now)));
    }
    if let Some(file) = &args.documents {
        let documents = OfflineDocuments::from_json(&read_json(file)?)
            .map_err(|e| err(2, format!("{}: {e}", file.display())))?;
        verifier = verifier.offline(documents);
    }
    verifier.register_request(request);
    match verifier.verify_presentation(&vp).await {
        Ok(v) => {
            println!(
                "{}",
                json!({"accepted": true, "holder": v.holder(), "issuer": v.issuer(),
                       "credential_type": v.credential_type(), "claims": v.disclosed(),
                       "grants": grants(&v)})
            );
            Ok(true)
        }
        Err(e) => {
            println!(
                "{}",
                json!({"accepted": false, "reason": e.code(), "message": e.to_string()})
            );
            Ok(false)
        }
    }
}

/// `credence verify`: exit 0 only when accepted.
pub async fn run_verify(args: VerifyArgs) -> ExitCode {
    match verify(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => finish(Err(e)),
    }
}
