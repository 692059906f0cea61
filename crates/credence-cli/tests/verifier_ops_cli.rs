//! `credence verifier serve` as an operator runs it: health, readiness
//! and metrics endpoints, JSON logs carrying the request id, a Redis
//! state that is down (fail closed, not ready), key rotation picked up by
//! the running service, and refusals of bad `--state` values.

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{credence, serve_verifier, Running};

const POLICY: &str = r#"[[issuer]]
did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
name = "Acme"
credential_types = ["AgentCredential"]
require_status = false

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "https://api.globex.example"
"#;

fn policy(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("policy.toml");
    std::fs::write(&path, POLICY).unwrap();
    path
}

fn get(url: &str) -> (u16, String) {
    let r = reqwest::blocking::get(url).unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// Starts `verifier serve` with `extra` arguments, stderr piped; returns
/// it, its URL and its stderr.
fn serve_with(dir: &Path, extra: &[&str]) -> (Running, String, std::process::ChildStderr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["verifier", "serve", "--listen", "127.0.0.1:0", "--policy"])
        .arg(policy(dir))
        .arg("--dir")
        .arg(dir.join("v"))
        .args(extra)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = serde_json::from_str::<Value>(&line).unwrap()["listening"]
        .as_str()
        .unwrap()
        .to_owned();
    let stderr = child.stderr.take().unwrap();
    (Running(child), url, stderr)
}

#[test]
fn health_readiness_and_metrics_are_served_and_a_rotation_is_picked_up() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("globex");
    let (_server, url) = serve_verifier(&dir, &policy(tmp.path()));
    assert_eq!(get(&format!("{url}/healthz")).0, 200);
    let (status, body) = get(&format!("{url}/readyz"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("sled:"), "{body}");
    let created = reqwest::blocking::Client::new()
        .post(format!("{url}/presentation-requests"))
        .send()
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let (status, metrics) = get(&format!("{url}/metrics"));
    assert_eq!(status, 200);
    let line = r#"credence_http_requests_total{route="/presentation-requests",status="201"} 1"#;
    assert!(metrics.contains(line), "{metrics}");

    let keys = |url: &str| -> Vec<String> {
        let jwks: Value =
            serde_json::from_str(&get(&format!("{url}/.well-known/jwks.json")).1).unwrap();
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(keys(&url).len(), 1);
    let (code, out, err) = credence(&[
        "verifier",
        "rotate-key",
        "--dir",
        dir.to_str().unwrap(),
        "--activate-in",
        "30",
    ]);
    assert_eq!(code, 0, "{err}");
    let rotation: Value = serde_json::from_str(&out).unwrap();
    let kid = rotation["kid"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !keys(&url).contains(&kid) {
        assert!(
            Instant::now() < deadline,
            "the running service did not reload"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(keys(&url).len(), 2, "the old key stays published");
}

#[test]
fn rotate_key_refuses_a_directory_without_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = credence(&[
        "verifier",
        "rotate-key",
        "--dir",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds no token key"), "{err}");
}

#[test]
fn json_logs_carry_the_request_id() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, url, stderr) = serve_with(tmp.path(), &["--log-format", "json"]);
    let client = reqwest::blocking::Client::new();
    let r = client
        .post(format!("{url}/presentation-requests"))
        .header("x-request-id", "log-me-7")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    drop(server);
    let lines: Vec<Value> = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect();
    assert!(!lines.is_empty(), "no JSON log lines");
    let issued = lines
        .iter()
        .find(|l| l["fields"]["message"] == "presentation request issued")
        .expect("the request's log line");
    assert_eq!(issued["span"]["request_id"], "log-me-7", "{issued}");
}

#[test]
fn an_unreachable_redis_state_fails_closed_and_is_not_ready() {
    let tmp = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let state = format!("redis://127.0.0.1:{port}/0");
    let (_server, url, _stderr) = serve_with(tmp.path(), &["--state", &state]);
    assert_eq!(get(&format!("{url}/healthz")).0, 200);
    let (status, body) = get(&format!("{url}/readyz"));
    assert_eq!(status, 503, "{body}");
    let r = reqwest::blocking::Client::new()
        .post(format!("{url}/presentation-requests"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    let body: Value = r.json().unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
}

#[test]
fn bad_state_values_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = policy(tmp.path());
    for bad in ["memcached://x", "sled:", "/just/a/path"] {
        let (code, _, err) = credence(&[
            "verifier",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--policy",
            policy.to_str().unwrap(),
            "--dir",
            tmp.path().join("v").to_str().unwrap(),
            "--state",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("sled:DIR or redis://"), "{bad}: {err}");
    }
}
