//! `credence verifier serve`: the token service, as one node (sled
//! state in its directory) or one of several replicas (a shared Redis
//! state and a shared key directory).

use crate::common::{err, init_logging_as, CliError, LogFormat};
use chrono::Utc;
use clap::Args;
use credence_server::{verifier_dir, ServeOptions, VerifierService};
use credence_store::{open_state, StateLocation};
use credence_verify::{TokenIssuer, TrustPolicy, Verifier};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// How often a running service looks for rotated keys.
const KEY_RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// `credence verifier serve` options.
#[derive(Args)]
pub struct ServeArgs {
    /// The trust policy (TOML, see docs/policy.md).
    #[arg(long)]
    policy: PathBuf,
    /// Directory for the token signing key and introspection secret
    /// (created on first use). Replicas share it (or a copy of it).
    #[arg(long, env = "CREDENCE_VERIFIER")]
    dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7402")]
    listen: SocketAddr,
    /// The verifier's identifier (token `iss`, presentation `domain`)
    /// [default: http://LISTEN]. Replicas behind one name share it.
    #[arg(long)]
    id: Option<String>,
    /// Claims requested when a client names none (comma-separated).
    #[arg(
        long,
        default_value = "organization,capabilities",
        value_delimiter = ','
    )]
    claims: Vec<String>,
    /// Where nonces, replay marks, response codes and token records live:
    /// sled:DIR (one process; survives restarts) or redis://HOST:PORT/DB
    /// (shared by replicas) [default: sled:DIR/state].
    #[arg(long, env = "CREDENCE_STATE")]
    state: Option<String>,
    /// The audit log's directory; each replica needs its own
    /// [default: DIR/audit].
    #[arg(long)]
    audit_dir: Option<PathBuf>,
    /// Log format on standard error: text or json.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Requests handled at once; beyond, 503 with Retry-After.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_concurrency: u32,
    /// Seconds a presentation request stays answerable (10..=3600).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(i64).range(10..=3600))]
    request_ttl: i64,
    /// Listen on a non-loopback address (put a TLS proxy in front).
    #[arg(long)]
    allow_remote: bool,
}

/// `credence verifier rotate-key` options.
#[derive(Args)]
pub struct RotateArgs {
    /// The verifier directory the replicas share.
    #[arg(long, env = "CREDENCE_VERIFIER")]
    dir: PathBuf,
    /// Seconds until the new key signs (0..=3600); it is published in the
    /// JWKS at once, so resource servers can fetch it first.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(i64).range(0..=3600))]
    activate_in: i64,
}

/// Adds a token key; the old one retires after the longest token lifetime.
pub fn rotate(args: RotateArgs) -> Result<(), CliError> {
    if !args.dir.join(verifier_dir::TOKEN_KEY_FILE).exists() {
        return Err(err(
            2,
            format!(
                "{} holds no token key (run verifier serve once)",
                args.dir.display()
            ),
        ));
    }
    let now = Utc::now().timestamp();
    let rotation = credence_server::rotate_token_key(&args.dir, now, args.activate_in)?;
    eprintln!(
        "added key {}: published now, signs from {} (in {} s); the previous key retires {} s after that; {} retired key file(s) removed",
        rotation.kid,
        rotation.activates_at,
        args.activate_in,
        credence_verify::KEY_RETIREMENT_SECS,
        rotation.removed
    );
    println!("{}", json!(rotation));
    Ok(())
}

/// Runs the service until Ctrl-C.
pub async fn serve(args: ServeArgs) -> Result<(), CliError> {
    let ServeArgs {
        policy,
        dir,
        listen,
        id,
        claims,
        state,
        audit_dir,
        log_format,
        max_concurrency,
        request_ttl,
        allow_remote,
    } = args;
    if !listen.ip().is_loopback() && !allow_remote {
        return Err(err(2, format!("{listen} is not a loopback address; the service has no TLS (use --allow-remote behind a TLS proxy)")));
    }
    let trust = TrustPolicy::load(&policy).map_err(|e| err(2, e))?;
    let location: StateLocation = match &state {
        Some(s) => s.parse().map_err(|e| err(2, e))?,
        None => StateLocation::Sled(dir.join("state")),
    };
    let (key, introspection) = verifier_dir::load_or_create(&dir)?;
    init_logging_as(log_format);
    let state = open_state(&location)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| err(4, format!("cannot listen on {listen}: {e}")))?;
    let addr = listener.local_addr().map_err(|e| err(4, e))?;
    let id = id.unwrap_or_else(|| format!("http://{addr}"));
    // Every decision goes to the audit log, checkpoints signed by the
    // token key (`credence audit verify DIR`), stamped with the request id.
    let audit = credence_store::AuditLog::open(
        audit_dir.unwrap_or_else(|| dir.join(credence_store::AUDIT_DIR)),
        Some(credence_store::CheckpointKey::new(key.clone())?),
    )?;
    let audit = Arc::new(credence_server::ops::RequestIdSink(Arc::new(audit)));
    let request_key = verifier_dir::load_or_create_request_key(&dir)?;
    let openid4vp = credence_server::Openid4vpService::for_origin(&id, request_key, state.clone())
        .map_err(|e| err(2, e))?;
    let verifier = Arc::new(
        Verifier::new(&id, trust)
            .with_client_id(&openid4vp.signer.client_id())
            .with_audit(audit)
            .with_request_ttl(request_ttl)
            .with_state(state.clone()),
    );
    // The shared key set (token-key.jwk and DIR/token-keys/), reloaded
    // when `credence verifier rotate-key` adds one.
    let ring = credence_server::load_key_ring(&dir)?;
    let tokens = Arc::new(TokenIssuer::with_keys(&verifier, ring));
    let key_watcher = credence_server::watch_keys(tokens.clone(), dir.clone(), KEY_RELOAD_EVERY);
    let watcher = credence_server::watch_policy(verifier.clone(), policy.clone());
    tracing::info!(id = %id, state = %state.describe(), "verifier starting");
    eprintln!(
        "Verifier {id} on http://{addr} (policy {}, reloaded on SIGHUP or change; state {}); Ctrl-C stops.",
        policy.display(),
        state.describe()
    );
    println!(
        "{}",
        json!({"listening": format!("http://{addr}"), "id": id, "pid": std::process::id(), "state": state.describe()})
    );
    let service = VerifierService {
        verifier,
        tokens,
        default_claims: claims,
        introspection,
        openid4vp,
    };
    let options = ServeOptions {
        max_concurrency: max_concurrency as usize,
        ..ServeOptions::default()
    };
    let app = credence_server::verifier_app(service, options);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    watcher.abort();
    key_watcher.abort();
    served.map_err(|e| err(4, e))
}
