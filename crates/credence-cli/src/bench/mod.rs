//! `credence verifier bench`: drives `POST /token` of real token services
//! — N replicas of this binary's `verifier serve` started on loopback and
//! sharing one `--state`, or replicas already running (`--target`) — and
//! prints throughput, latency percentiles, every refusal by reason code,
//! each replica's RSS at the start and end of the load, and whether the
//! audit logs hold an entry for every token minted.

mod load;
mod prepare;
mod replicas;
mod report;
mod setup;

use crate::common::{err, CliError};
use clap::Args;
use load::Mode;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Load-test options (all bounded; the bench stops by itself).
#[derive(Args)]
#[command(after_help = "Examples:
  credence verifier bench --duration 60 --clients 16
  credence verifier bench --replicas 2 --state redis://127.0.0.1:6379/0 --duration 60
  credence verifier bench --replicas 2 --state redis://127.0.0.1:6379/0 --rate 300 --max-concurrency 32
  credence verifier bench --setup ./bench --target http://10.0.0.5:7402 --target http://10.0.0.6:7402
    (start those with: credence verifier serve --policy ./bench/policy.toml --id https://verifier.bench.example --request-ttl 600 …)")]
pub struct BenchArgs {
    /// Concurrent clients, each sending its next request when the last is
    /// answered (1..=256).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    clients: u32,
    /// Instead of clients: this many requests a second whatever the
    /// answers (open loop; 1..=5000), to see the service shed load.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5000))]
    rate: Option<u32>,
    /// Seconds of load (1..=60).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60))]
    duration: u64,
    /// Presentations prepared before the run (100..=50000) [default: 1500,
    /// or rate × duration]; the run also ends when they are used up.
    #[arg(long, value_parser = clap::value_parser!(u32).range(100..=50000))]
    pool: Option<u32>,
    /// Replicas to start (1..=8); request i is created at replica i and
    /// answered at replica i+1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=8))]
    replicas: u32,
    /// The replicas' shared state (redis://HOST:PORT/DB; one replica may
    /// use sled:DIR) [default for one replica: sled in its directory].
    #[arg(long)]
    state: Option<String>,
    /// Drive these running replicas instead of starting any (repeatable);
    /// they must run the policy in --setup DIR under id
    /// https://verifier.bench.example.
    #[arg(long, conflicts_with_all = ["replicas", "state"])]
    target: Vec<String>,
    /// Keep the issuer, wallet and policy here (reused when present).
    #[arg(long)]
    setup: Option<PathBuf>,
    /// Each started replica's concurrency limit (beyond: 503).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_concurrency: u32,
}

/// Request lifetime of the replicas the bench starts.
const STARTED_REQUEST_TTL: i64 = 600;
/// Request lifetime assumed for `--target` replicas (the default).
const TARGET_REQUEST_TTL: i64 = 120;

/// Resolves on Ctrl-C or SIGTERM.
async fn interrupted() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        Some(()) = async { match term.as_mut() { Some(t) => t.recv().await, None => None } } => {}
    }
}

/// Runs the bench; interrupted, it stops the replicas it started (they
/// are dropped with the run) and exits 130.
pub async fn run(args: BenchArgs) -> Result<(), CliError> {
    tokio::select! {
        outcome = bench(args) => outcome,
        () = interrupted() => Err(err(130, "interrupted; the replicas it started are stopped")),
    }
}

async fn bench(args: BenchArgs) -> Result<(), CliError> {
    if args.replicas > 1
        && !args
            .state
            .as_deref()
            .is_some_and(|s| s.starts_with("redis"))
    {
        return Err(err(
            2,
            "several replicas need a shared --state redis://HOST:PORT/DB (sled is one process's)",
        ));
    }
    let tmp = tempfile::tempdir().map_err(|e| err(4, e))?;
    let setup_dir = args
        .setup
        .clone()
        .unwrap_or_else(|| tmp.path().join("setup"));
    let setup = setup::setup(&setup_dir).await?;
    let (started, urls, ttl) = if args.target.is_empty() {
        let dir = tmp.path().join("verifier");
        let shared = replicas::Shared {
            dir: &dir,
            policy: &setup.policy,
            state: args.state.as_deref(),
            id: setup::VERIFIER_ID,
            max_concurrency: args.max_concurrency,
            request_ttl: STARTED_REQUEST_TTL,
        };
        let mut started = Vec::new();
        let mut urls = Vec::new();
        // One after another: the first creates the shared keys.
        for i in 0..args.replicas as usize {
            let (replica, url) = replicas::start(&shared, i)?;
            eprintln!("replica {i} (pid {}) on {url}", replica.pid);
            started.push(replica);
            urls.push(url);
        }
        (started, urls, STARTED_REQUEST_TTL)
    } else {
        (Vec::new(), args.target.clone(), TARGET_REQUEST_TTL)
    };
    let mode = args.rate.map_or(Mode::Clients(args.clients), Mode::Rate);
    let pool_size = args.pool.map_or_else(
        || {
            args.rate
                .map_or(1500, |r| r as usize * args.duration as usize)
        },
        |p| p as usize,
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| err(4, e))?;
    let budget = Duration::from_secs((ttl as u64).saturating_sub(args.duration + 15).max(5));
    let wallet = Arc::new(setup.wallet);
    let pool = prepare::prepare(wallet, &client, &urls, pool_size, budget).await?;
    let rss_start: Vec<_> = started.iter().map(|s| replicas::rss_kib(s.pid)).collect();
    let duration = Duration::from_secs(args.duration);
    let (outcomes, elapsed, used_up) = load::run(&client, &urls, pool, mode, duration).await;
    let rss_end: Vec<_> = started.iter().map(|s| replicas::rss_kib(s.pid)).collect();
    let audit_dirs: Vec<_> = started.iter().map(|s| s.audit_dir.clone()).collect();
    drop(started);
    let report = report::Report {
        mode,
        replicas: urls.len(),
        state: args.state.as_deref().unwrap_or(if args.target.is_empty() {
            "sled (default)"
        } else {
            "(targets')"
        }),
        elapsed,
        used_up,
        outcomes: &outcomes,
        rss: rss_start.into_iter().zip(rss_end).collect(),
    };
    report.print();
    let audited = if audit_dirs.is_empty() {
        None
    } else {
        let mut minted = 0;
        for dir in &audit_dirs {
            minted += replicas::minted_in_audit(dir)?;
        }
        Some(minted)
    };
    report.verdict(audited)
}
