//! Presentations prepared before the timed phase (deriving a BBS proof
//! costs the client more than verifying it costs the server, so the
//! figures measure the server). Request `i` is created at replica
//! `i mod N` and answered at replica `i+1 mod N`. They are used oldest
//! first, and preparing stops early rather than make presentations whose
//! request would expire before the run ends.

use crate::common::{err, CliError};
use credence_core::PresentationRequest;
use credence_wallet::Wallet;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One prepared presentation.
pub struct Prepared {
    pub vp: Value,
    /// The replica it is to be answered at.
    pub target: usize,
    /// When its request expires (Unix seconds).
    pub expires_at: i64,
}

/// A progress bar on standard error that draws only on a terminal.
pub fn bar(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("#>-"));
    }
    bar
}

async fn one(
    wallet: &Wallet,
    client: &reqwest::Client,
    urls: &[String],
    i: usize,
) -> Result<Prepared, String> {
    let request: PresentationRequest = client
        .post(format!("{}/presentation-requests", urls[i % urls.len()]))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .error_for_status()
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let vp = wallet.present(&request).await.map_err(|e| e.to_string())?;
    Ok(Prepared {
        vp,
        target: (i + 1) % urls.len(),
        expires_at: request.expires_at,
    })
}

/// Up to `n` presentations, within `budget`.
pub async fn prepare(
    wallet: Arc<Wallet>,
    client: &reqwest::Client,
    urls: &[String],
    n: usize,
    budget: Duration,
) -> Result<VecDeque<Prepared>, CliError> {
    let pool = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let next = Arc::new(AtomicUsize::new(0));
    let progress = bar(
        n as u64,
        "preparing {bar:30} {pos}/{len} presentations ({eta} left)",
    );
    let deadline = Instant::now() + budget;
    let mut workers = Vec::new();
    for _ in 0..2 {
        let (wallet, client, urls, pool, next, progress) = (
            wallet.clone(),
            client.clone(),
            urls.to_vec(),
            pool.clone(),
            next.clone(),
            progress.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n || Instant::now() >= deadline {
                    return Ok::<(), String>(());
                }
                let prepared = one(&wallet, &client, &urls, i).await?;
                pool.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((i, prepared));
                progress.inc(1);
            }
        }));
    }
    for w in workers {
        w.await.map_err(|e| err(4, e))?.map_err(|e| err(4, e))?;
    }
    progress.finish_and_clear();
    let mut pool = std::mem::take(&mut *pool.lock().unwrap_or_else(|p| p.into_inner()));
    pool.sort_by_key(|(i, _)| *i);
    if pool.len() < n {
        eprintln!(
            "prepared {} of {n} presentations: more would expire before the run ends",
            pool.len()
        );
    }
    Ok(pool.into_iter().map(|(_, p)| p).collect())
}
