//! The token services the bench drives: N `credence verifier serve`
//! children of this binary on loopback, sharing one key directory, one
//! identifier and one `--state`, each with its own audit log — or
//! replicas already running (`--target`).

use crate::common::{err, CliError};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A replica the bench started: killed when dropped, so none outlives it.
pub struct Started {
    child: Child,
    pub pid: u32,
    pub audit_dir: PathBuf,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the started replicas need in common.
pub struct Shared<'a> {
    pub dir: &'a Path,
    pub policy: &'a Path,
    pub state: Option<&'a str>,
    pub id: &'a str,
    pub max_concurrency: u32,
    pub request_ttl: i64,
}

/// Starts replica `i`, waiting until it listens; its URL.
pub fn start(shared: &Shared<'_>, i: usize) -> Result<(Started, String), CliError> {
    let exe = std::env::current_exe().map_err(|e| err(4, e))?;
    let audit_dir = shared.dir.join(format!("audit-{i}"));
    let mut command = Command::new(exe);
    command
        .args(["verifier", "serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(shared.dir)
        .arg("--policy")
        .arg(shared.policy)
        .args(["--id", shared.id])
        .arg("--audit-dir")
        .arg(&audit_dir)
        .args(["--max-concurrency", &shared.max_concurrency.to_string()])
        .args(["--request-ttl", &shared.request_ttl.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(state) = shared.state {
        command.args(["--state", state]);
    }
    let mut child = command
        .spawn()
        .map_err(|e| err(4, format!("cannot start a replica: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| err(4, "no replica stdout"))?;
    let pid = child.id();
    let started = Started {
        child,
        pid,
        audit_dir,
    };
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| err(4, e))?;
    let listening: Value = serde_json::from_str(&line)
        .map_err(|_| err(4, format!("replica {i} did not start (output: {line:?})")))?;
    let url = listening["listening"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok((started, url))
}

/// `VmRSS` and `VmHWM` of `pid`, in KiB.
pub fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// How many `mint_token` allow entries the audit log in `dir` holds.
pub fn minted_in_audit(dir: &Path) -> Result<usize, CliError> {
    let mut out = Vec::new();
    credence_store::export_audit(dir, &mut out)?;
    let text = String::from_utf8_lossy(&out);
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["action"] == "mint_token" && e["decision"] == "allow")
        .count())
}
