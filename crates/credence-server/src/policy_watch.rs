//! Reloading the trust policy while the service runs: on SIGHUP, and when
//! the file's modification time or size changes (checked every second). A
//! policy that fails to load is reported and the one in force stays;
//! requests in flight finish under the policy they started with.

use credence_verify::{TrustPolicy, Verifier};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn stamp(path: &PathBuf) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Watches `path` and swaps `verifier`'s policy when it changes. Runs
/// until the task is dropped or aborted.
pub fn watch_policy(verifier: Arc<Verifier>, path: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = stamp(&path);
        let mut hangup =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            let forced = tokio::select! {
                _ = tick.tick() => false,
                Some(()) = async { match hangup.as_mut() { Some(h) => h.recv().await, None => None } } => true,
            };
            let now = stamp(&path);
            if !forced && now == last {
                continue;
            }
            last = now;
            match TrustPolicy::load(&path) {
                Ok(policy) => {
                    tracing::info!(path = %path.display(), issuers = policy.issuers.len(), rules = policy.rules.len(), "trust policy reloaded");
                    verifier.set_policy(policy);
                }
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "policy reload failed; keeping the policy in force");
                }
            }
        }
    })
}
