//! The timed phase: `POST /token` with prepared presentations, either by
//! N clients back to back (closed loop: the service's capacity) or at a
//! fixed rate (open loop: what the service does when asked for more than
//! it can do). Every answer is counted by outcome: success, or the
//! status and `credence_reason` of the refusal.

use super::prepare::{bar, Prepared};
use super::setup::AUDIENCE;
use credence_server::verifier_api::{TOKEN_EXCHANGE_GRANT, VP_TOKEN_TYPE};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the load is applied.
#[derive(Clone, Copy)]
pub enum Mode {
    /// This many clients, each sending the next request when the last is
    /// answered.
    Clients(u32),
    /// This many requests a second, whatever the answers.
    Rate(u32),
}

/// What the run observed.
#[derive(Default)]
pub struct Outcomes {
    /// Latencies of the exchanges that minted a token.
    pub minted: Vec<Duration>,
    /// Refusals and failures by `STATUS reason`.
    pub refused: BTreeMap<String, usize>,
    /// Presentations not sent because their request had (nearly) expired.
    pub stale: usize,
}

type Pool = Arc<Mutex<VecDeque<Prepared>>>;
type Shared = Arc<Mutex<Outcomes>>;

/// Sends one presentation and records what came back.
async fn exchange(client: &reqwest::Client, urls: &[String], p: Prepared, out: &Shared) {
    let subject = p.vp.to_string();
    let form = [
        ("grant_type", TOKEN_EXCHANGE_GRANT),
        ("subject_token", subject.as_str()),
        ("subject_token_type", VP_TOKEN_TYPE),
        ("audience", AUDIENCE),
    ];
    let started = Instant::now();
    let sent = client
        .post(format!("{}/token", urls[p.target]))
        .form(&form)
        .send()
        .await;
    let outcome = match sent {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => {
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let reason = body["credence_reason"].as_str().unwrap_or("no_reason");
            Err(format!("{status} {reason}"))
        }
        Err(e) if e.is_timeout() => Err("client timeout".into()),
        Err(e) if e.is_connect() => Err("connect failed".into()),
        Err(_) => Err("transport error".into()),
    };
    let elapsed = started.elapsed();
    let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
    match outcome {
        Ok(()) => out.minted.push(elapsed),
        Err(key) => *out.refused.entry(key).or_default() += 1,
    }
}

/// The next presentation whose request is still answerable for a while.
fn next(pool: &Pool, out: &Shared) -> Option<Prepared> {
    let now = chrono::Utc::now().timestamp();
    let mut pool = pool.lock().unwrap_or_else(|p| p.into_inner());
    while let Some(p) = pool.pop_front() {
        if p.expires_at > now + 2 {
            return Some(p);
        }
        out.lock().unwrap_or_else(|p| p.into_inner()).stale += 1;
    }
    None
}

/// Runs the load for `duration` (or until the pool is used up).
pub async fn run(
    client: &reqwest::Client,
    urls: &[String],
    pool: VecDeque<Prepared>,
    mode: Mode,
    duration: Duration,
) -> (Outcomes, Duration, bool) {
    let pool: Pool = Arc::new(Mutex::new(pool));
    let out: Shared = Arc::default();
    let start = Instant::now();
    let deadline = start + duration;
    let progress = bar(duration.as_secs(), "load {bar:30} {pos}/{len} s {msg}");
    let mut tasks = Vec::new();
    match mode {
        Mode::Clients(n) => {
            for _ in 0..n {
                let (client, urls, pool, out) =
                    (client.clone(), urls.to_vec(), pool.clone(), out.clone());
                tasks.push(tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let Some(p) = next(&pool, &out) else { break };
                        exchange(&client, &urls, p, &out).await;
                    }
                }));
            }
        }
        Mode::Rate(rate) => {
            let (client, urls, pool, out) =
                (client.clone(), urls.to_vec(), pool.clone(), out.clone());
            tasks.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                let mut inflight = tokio::task::JoinSet::new();
                while Instant::now() < deadline {
                    tick.tick().await;
                    let Some(p) = next(&pool, &out) else { break };
                    let (client, urls, out) = (client.clone(), urls.clone(), out.clone());
                    inflight.spawn(async move { exchange(&client, &urls, p, &out).await });
                    while inflight.try_join_next().is_some() {}
                }
                while inflight.join_next().await.is_some() {}
            }));
        }
    }
    while Instant::now() < deadline && tasks.iter().any(|t| !t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        progress.set_position(start.elapsed().as_secs().min(duration.as_secs()));
        let minted = out.lock().unwrap_or_else(|p| p.into_inner()).minted.len();
        progress.set_message(format!("{minted} tokens"));
    }
    for t in tasks {
        let _ = t.await;
    }
    progress.finish_and_clear();
    let elapsed = start.elapsed();
    let used_up = pool.lock().unwrap_or_else(|p| p.into_inner()).is_empty();
    let outcomes = std::mem::take(&mut *out.lock().unwrap_or_else(|p| p.into_inner()));
    (outcomes, elapsed, used_up)
}
