//! `credence verifier bench`: drives `POST /token` of a real token service
//! (this binary's `verifier serve`, started as a child process on
//! loopback) with N concurrent clients for T seconds, then prints
//! throughput, p50/p99 latency and the server's peak RSS.
//!
//! Presentations are prepared before the timed phase (deriving a BBS
//! proof costs the client more than verifying it costs the server), so
//! the figures measure the server, not the clients' signing.

use crate::common::{err, CliError};
use chrono::{Duration as ChronoDuration, Utc};
use clap::Args;
use credence_core::{AgentProfile, PresentationRequest, PROFILE_CLAIMS};
use credence_issuer::Issuer;
use credence_server::verifier_api::{TOKEN_EXCHANGE_GRANT, VP_TOKEN_TYPE};
use credence_wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const AUDIENCE: &str = "https://api.bench.example";

/// Load-test options (both bounded; the bench stops by itself).
#[derive(Args)]
pub struct BenchArgs {
    /// Concurrent clients (1..=256).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    clients: u32,
    /// Seconds of load (1..=120).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    duration: u64,
    /// Presentations prepared before the run (100..=20000); the run also
    /// ends when they are used up.
    #[arg(long, default_value_t = 1500, value_parser = clap::value_parser!(u32).range(100..=20000))]
    pool: u32,
}

/// Kills the server child when dropped, so no process outlives the bench.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bar(label: &str, done: usize, total: usize, extra: &str) {
    let width = 30;
    let filled = (done.min(total) * width).checked_div(total).unwrap_or(0);
    eprint!(
        "\r{label} [{}{}] {done}/{total} {extra}   ",
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
    let _ = std::io::stderr().flush();
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn start_server(
    dir: &std::path::Path,
    policy: &std::path::Path,
) -> Result<(Server, String, u32), CliError> {
    let exe = std::env::current_exe().map_err(|e| err(4, e))?;
    let mut child = Command::new(exe)
        .args(["verifier", "serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(dir)
        .arg("--policy")
        .arg(policy)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| err(4, format!("cannot start the server: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| err(4, "no server stdout"))?;
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| err(4, e))?;
    let started: Value = serde_json::from_str(&line)
        .map_err(|_| err(4, format!("the server did not start: {line}")))?;
    let url = started["listening"].as_str().unwrap_or_default().to_owned();
    let pid = started["pid"].as_u64().unwrap_or(0) as u32;
    Ok((server, url, pid))
}

async fn prepare(
    wallet: Arc<Wallet>,
    client: &reqwest::Client,
    url: &str,
    n: usize,
) -> Result<Vec<Value>, CliError> {
    let pool = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..2 {
        let (wallet, client, url, pool, next) = (
            wallet.clone(),
            client.clone(),
            url.to_owned(),
            pool.clone(),
            next.clone(),
        );
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < n {
                let request: PresentationRequest = client
                    .post(format!("{url}/presentation-requests"))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?
                    .json()
                    .await
                    .map_err(|e| e.to_string())?;
                let vp = wallet.present(&request).await.map_err(|e| e.to_string())?;
                let mut p = pool.lock().unwrap_or_else(|p| p.into_inner());
                p.push(vp);
                bar("preparing presentations", p.len(), n, "");
            }
            Ok::<(), String>(())
        }));
    }
    for w in workers {
        w.await.map_err(|e| err(4, e))?.map_err(|e| err(4, e))?;
    }
    eprintln!();
    let mut pool = pool.lock().unwrap_or_else(|p| p.into_inner());
    Ok(std::mem::take(&mut *pool))
}

/// Runs the bench.
pub async fn run(args: BenchArgs) -> Result<(), CliError> {
    let tmp = tempfile::tempdir().map_err(|e| err(4, e))?;
    let issuer = Issuer::generate().map_err(|e| err(4, e))?;
    let wallet = Wallet::create(
        tmp.path().join("wallet"),
        &Unlock::passphrase("bench passphrase"),
        KdfParams::minimal(),
    )
    .map_err(|e| err(4, e))?;
    wallet
        .set_holder_policy(&HolderPolicy::default().allow_domain("127.0.0.1", PROFILE_CLAIMS))
        .map_err(|e| err(4, e))?;
    let now = Utc::now();
    let credential = issuer
        .issue_agent_credential(
            wallet.did(),
            &AgentProfile::sample(),
            now - ChronoDuration::hours(1),
            now + ChronoDuration::hours(2),
        )
        .await
        .map_err(|e| err(4, e))?;
    wallet.import(&credential).await.map_err(|e| err(4, e))?;
    let policy = tmp.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"Bench Org\"\ncredential_types = [\"AgentCredential\"]\nrequire_status = false\n\n\
             [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\n\
             scope = \"invoices:read\"\naudience = \"{AUDIENCE}\"\nttl_secs = 120\n",
            issuer.did()
        ),
    )
    .map_err(|e| err(4, e))?;
    let (server, url, pid) = start_server(&tmp.path().join("verifier"), &policy)?;
    eprintln!("token service (pid {pid}) on {url}");
    let client = reqwest::Client::new();
    let vps = prepare(Arc::new(wallet), &client, &url, args.pool as usize).await?;
    let rss_before = peak_rss_kib(pid);

    let pool = Arc::new(Mutex::new(vps));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.duration);
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (client, url, pool, latencies, failures) = (
            client.clone(),
            url.clone(),
            pool.clone(),
            latencies.clone(),
            failures.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let Some(vp) = pool.lock().unwrap_or_else(|p| p.into_inner()).pop() else {
                    break;
                };
                let subject = vp.to_string();
                let form = [
                    ("grant_type", TOKEN_EXCHANGE_GRANT),
                    ("subject_token", subject.as_str()),
                    ("subject_token_type", VP_TOKEN_TYPE),
                    ("audience", AUDIENCE),
                ];
                let t = Instant::now();
                let ok = client
                    .post(format!("{url}/token"))
                    .form(&form)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                let elapsed = t.elapsed();
                if ok {
                    latencies
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(elapsed);
                } else {
                    failures.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
        }));
    }
    let total = args.duration as usize;
    while Instant::now() < deadline && tasks.iter().any(|t| !t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let done = latencies.lock().unwrap_or_else(|p| p.into_inner()).len();
        bar(
            "load",
            start.elapsed().as_secs() as usize,
            total,
            &format!("s, {done} tokens"),
        );
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed();
    eprintln!();
    let peak = peak_rss_kib(pid);
    drop(server);
    let mut lat = latencies.lock().unwrap_or_else(|p| p.into_inner()).clone();
    lat.sort();
    let ok = lat.len();
    let failed = failures.load(std::sync::atomic::Ordering::SeqCst);
    let left = pool.lock().unwrap_or_else(|p| p.into_inner()).len();
    println!(
        "clients {}  duration {:.1} s{}",
        args.clients,
        elapsed.as_secs_f64(),
        if left == 0 {
            "  (presentation pool used up before the deadline)"
        } else {
            ""
        }
    );
    println!("tokens minted {ok}, failed {failed}");
    println!(
        "throughput {:.1} tokens/s",
        ok as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        percentile(&lat, 50.0).as_secs_f64() * 1e3,
        percentile(&lat, 99.0).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    match (rss_before, peak) {
        (Some(b), Some(p)) => println!(
            "server peak RSS {:.1} MiB (before load {:.1} MiB)",
            p as f64 / 1024.0,
            b as f64 / 1024.0
        ),
        _ => println!("server peak RSS unavailable (no /proc)"),
    }
    if failed > 0 {
        return Err(err(1, format!("{failed} exchanges failed")));
    }
    Ok(())
}
