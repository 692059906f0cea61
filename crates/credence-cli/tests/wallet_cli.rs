//! `credence wallet …` run as an operator would: a whole session on real
//! files, exit codes, the API server on loopback.

use chrono::{Duration, Utc};
use credence_core::AgentProfile;
use credence_issuer::Issuer;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use support::credence_env;

mod support;

const PASS: &str = "cli test passphrase";

fn run(wallet: &Path, pass: &str, args: &[&str]) -> (i32, String, String) {
    let wallet = wallet.to_str().expect("test paths are UTF-8");
    let mut all = vec!["wallet", "--wallet", wallet];
    all.extend_from_slice(args);
    credence_env(&all, &[("CREDENCE_PASSPHRASE", pass)])
}

fn ok(wallet: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(wallet, PASS, args);
    assert_eq!(code, 0, "credence wallet {args:?} failed: {err}");
    out
}

fn json(wallet: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(wallet, &all)).unwrap()
}

fn profile() -> AgentProfile {
    AgentProfile::sample()
}

async fn credential(issuer: &Issuer, did: &str, until_h: i64) -> Value {
    issuer
        .issue_agent_credential(
            did,
            &profile(),
            Utc::now() - Duration::hours(2),
            Utc::now() + Duration::hours(until_h),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_whole_wallet_session() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path().join("agent");
    let init = json(&w, &["init", "--kdf-memory-mib", "8", "--kdf-passes", "1"]);
    let did = init["did"].as_str().unwrap().to_owned();
    assert!(did.starts_with("did:key:z6Mk"));
    assert_eq!(ok(&w, &["did"]).trim(), did);
    let (code, _, err) = run(&w, PASS, &["init"]);
    assert_eq!(code, 4, "re-init must refuse: {err}");

    // Wrong passphrase: exit 3, clear message.
    let (code, _, err) = run(&w, "not it", &["list"]);
    assert_eq!(code, 3);
    assert!(err.contains("wrong passphrase"), "{err}");

    // Import, including refusals.
    let issuer = Issuer::generate().unwrap();
    let good = tmp.path().join("good.json");
    std::fs::write(&good, credential(&issuer, &did, 48).await.to_string()).unwrap();
    let short = tmp.path().join("short.json");
    std::fs::write(&short, credential(&issuer, &did, 1).await.to_string()).unwrap();
    let mut forged = credential(&issuer, &did, 48).await;
    forged["credentialSubject"]["purpose"] = "exfiltration".into();
    let forged_path = tmp.path().join("forged.json");
    std::fs::write(&forged_path, forged.to_string()).unwrap();
    let imported = json(&w, &["import", good.to_str().unwrap()]);
    let id = imported["summary"]["id"].as_str().unwrap().to_owned();
    assert!(ok(&w, &["import", short.to_str().unwrap()]).contains("Imported"));
    let (code, _, err) = run(&w, PASS, &["import", forged_path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("forged or altered"), "{err}");
    let (code, _, _) = run(&w, PASS, &["import", "/nonexistent.json"]);
    assert_eq!(code, 2);

    // List as a table and as JSON, with filters.
    let table = ok(&w, &["list"]);
    assert!(
        table.starts_with("ID") && table.contains("AgentCredential") && table.contains(&id),
        "{table}"
    );
    assert_eq!(json(&w, &["list"]).as_array().unwrap().len(), 2);
    assert_eq!(
        json(&w, &["list", "--expiring-before", "3h"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        json(&w, &["list", "--issuer", issuer.did()])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        json(&w, &["list", "--type", "Nope"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let (code, _, _) = run(&w, PASS, &["list", "--expiring-before", "soon"]);
    assert_eq!(code, 2);
    assert_eq!(
        json(&w, &["show", &id])["credentialSubject"]["id"],
        did.as_str()
    );
    assert_eq!(run(&w, PASS, &["show", "0000"]).0, 1);

    // Present: refused by the default policy, allowed once the policy says so.
    let request = serde_json::json!({
        "response_type": "vp_token",
        "client_id": "https://verifier.globex.example",
        "nonce": "n-0123456789",
        "dcql_query": {"credentials": [{"id": "agent", "format": "ldp_vc",
            "meta": {"type_values": [["https://ns.credence.dev/v1#AgentCredential"]]},
            "claims": [{"path": ["credentialSubject", "organization"]}]}]},
        "expires_at": Utc::now().timestamp() + 600
    });
    let req = tmp.path().join("request.json");
    std::fs::write(&req, request.to_string()).unwrap();
    let (code, _, err) = run(&w, PASS, &["present", req.to_str().unwrap(), "--dry-run"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("may not receive credentialSubject.organization"),
        "{err}"
    );
    std::fs::write(
        w.join("holder-policy.toml"),
        "[[verifier]]\ndomain = \"verifier.globex.example\"\nclaims = [\"organization\"]\n",
    )
    .unwrap();
    let plan = ok(&w, &["present", req.to_str().unwrap(), "--dry-run"]);
    assert!(
        plan.contains("credentialSubject.organization") && plan.contains("\"Acme Corp\""),
        "{plan}"
    );
    assert!(
        plan.contains("withheld") && plan.contains("credentialSubject.owner"),
        "{plan}"
    );
    let vp: Value = serde_json::from_str(&ok(&w, &["present", req.to_str().unwrap()])).unwrap();
    assert_eq!(vp["proof"]["challenge"], "n-0123456789");
    assert!(vp["verifiableCredential"][0]["credentialSubject"]
        .get("owner")
        .is_none());

    // Sub-agents.
    let child = json(&w, &["child", "new", "researcher"]);
    assert_ne!(child["did"], did.as_str());
    assert!(ok(&w, &["child", "list"]).contains("researcher"));
    assert_eq!(run(&w, PASS, &["child", "new", "Bad Name"]).0, 2);

    // Export, restore elsewhere with the same passphrase.
    let export = tmp.path().join("agent.export");
    assert!(ok(&w, &["export", export.to_str().unwrap()]).contains("Exported"));
    let restored = tmp.path().join("restored");
    assert_eq!(
        run(&restored, "wrong", &["restore", export.to_str().unwrap()]).0,
        3
    );
    assert!(ok(&restored, &["restore", export.to_str().unwrap()]).contains("Restored"));
    assert_eq!(ok(&restored, &["did"]).trim(), did);
    assert_eq!(json(&restored, &["list"]).as_array().unwrap().len(), 2);

    // Delete and prune.
    assert!(ok(&w, &["delete", &id]).contains("Deleted"));
    assert_eq!(run(&w, PASS, &["delete", &id]).0, 1);
    assert!(ok(&w, &["prune"]).contains("Pruned 0"));
}

#[test]
fn serve_requires_the_bearer_secret_on_loopback() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path().join("agent");
    json(&w, &["init", "--kdf-memory-mib", "8", "--kdf-passes", "1"]);
    let (code, _, err) = run(&w, PASS, &["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(code, 2, "{err}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args([
            "wallet",
            "--json",
            "--wallet",
            w.to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("CREDENCE_PASSPHRASE", PASS)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = serde_json::from_str::<Value>(&line).unwrap()["listening"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = std::fs::read_to_string(w.join("api-token")).unwrap();
    let client = reqwest::blocking::Client::new();
    let health = client.get(format!("{base}/v1/health")).send().unwrap();
    assert_eq!(health.status(), 200);
    let no = client.get(format!("{base}/v1/identity")).send().unwrap();
    assert_eq!(no.status(), 401);
    let wrong = client
        .get(format!("{base}/v1/identity"))
        .bearer_auth("nope")
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let yes: Value = client
        .get(format!("{base}/v1/identity"))
        .bearer_auth(secret.trim())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(yes["did"].as_str().unwrap().starts_with("did:key:"));
    // While it serves, the wallet is locked against a second opener.
    assert_eq!(run(&w, PASS, &["list"]).0, 4);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn help_explains_each_wallet_command_with_an_example() {
    let out = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["wallet", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "init", "did", "import", "list", "show", "delete", "prune", "present", "export", "restore",
        "child", "serve",
    ] {
        assert!(text.contains(cmd), "wallet --help lacks {cmd}");
    }
    assert!(text.contains("Exit codes"));
    for cmd in [
        vec!["present"],
        vec!["import"],
        vec!["child", "new"],
        vec!["serve"],
    ] {
        let mut args = vec!["wallet"];
        args.extend(cmd.iter().copied());
        args.push("--help");
        let out = Command::new(env!("CARGO_BIN_EXE_credence"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Example: credence wallet"),
            "{args:?}"
        );
    }
}

#[path = "../../credence-store/tests/support/sled_damage.rs"]
mod sled_damage;

#[test]
fn a_damaged_wallet_file_exits_4_without_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path().join("agent");
    json(&w, &["init", "--kdf-memory-mib", "8", "--kdf-passes", "1"]);
    // The agent key's record, damaged behind a valid sled checksum.
    assert!(sled_damage::damage_record(&w.join("db"), b"kagent-ed25519") >= 1);
    let (code, _, err) = run(&w, PASS, &["did"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A small pseudo-random sequence (the kill moments need no more).
struct Jitter(u64);

impl Jitter {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// The binary the kill test runs: this build's, or the one named by
/// `CREDENCE_KILL_BIN` (to measure another build the same way).
fn kill_bin() -> String {
    std::env::var("CREDENCE_KILL_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_credence").into())
}

/// Runs `credence wallet --wallet W ARGS` (or `credence ARGS` when `w` is
/// `None`) with `kill_bin()`; returns (exit code, stdout, stderr).
fn kill_run(w: Option<&Path>, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(kill_bin());
    if let Some(w) = w {
        command.args(["wallet", "--wallet", w.to_str().unwrap()]);
    }
    let out = command
        .args(args)
        .env("CREDENCE_PASSPHRASE", PASS)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn kill_json(w: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, out, err) = kill_run(Some(w), &all);
    assert_eq!(code, 0, "credence wallet {args:?} failed: {err}");
    serde_json::from_str(&out).unwrap()
}

/// After a kill: the wallet opens and lists every acknowledged import, and
/// its audit log verifies.
fn check_after_kill(w: &Path, acknowledged: &[String], killed: usize) {
    let (code, listed, err) = kill_run(Some(w), &["--json", "list"]);
    if code != 0 {
        let files: Vec<String> = std::fs::read_dir(w)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        panic!("the wallet does not reopen after {killed} kills: {err} (files: {files:?})");
    }
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for id in acknowledged {
        assert!(
            ids.contains(&id.as_str()),
            "acknowledged import {id} is missing"
        );
    }
    let (code, _, err) = kill_run(None, &["audit", "verify", w.to_str().unwrap()]);
    assert_eq!(code, 0, "the audit log does not verify after a kill: {err}");
}

/// `n` credentials for `did` from one issuer, as files in `dir`.
async fn credential_files(dir: &Path, did: &str, n: usize) -> Vec<std::path::PathBuf> {
    let issuer = Issuer::generate().unwrap();
    let mut files = Vec::new();
    for i in 0..n {
        let path = dir.join(format!("c{i}.json"));
        std::fs::write(&path, credential(&issuer, did, 48).await.to_string()).unwrap();
        files.push(path);
    }
    files
}

/// Runs `credence wallet import FILE` and SIGKILLs it after `ms`: the
/// imported id when it had finished (exit 0) by then.
fn import_killed_after(w: &Path, file: &Path, ms: u64) -> Option<String> {
    let mut child = Command::new(kill_bin())
        .args([
            "wallet",
            "--wallet",
            w.to_str().unwrap(),
            "--json",
            "import",
        ])
        .arg(file)
        .env("CREDENCE_PASSPHRASE", PASS)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(ms));
    child.kill().unwrap(); // SIGKILL; harmless once it has exited
    let out = child.wait_with_output().unwrap();
    out.status.success().then(|| {
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["summary"]["id"].as_str().unwrap().to_owned()
    })
}

/// SIGKILLs `credence wallet import` at random moments `rounds` times;
/// after every kill the wallet must open, list every import that was
/// acknowledged (exited 0), and its audit log must verify.
async fn kill_imports(rounds: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path().join("agent");
    let did = kill_json(&w, &["init", "--kdf-memory-mib", "8", "--kdf-passes", "1"])["did"]
        .as_str()
        .unwrap()
        .to_owned();
    let files = credential_files(tmp.path(), &did, rounds + 1).await;
    // One import unkilled, to learn how long one takes.
    let started = std::time::Instant::now();
    let mut acknowledged = vec![
        kill_json(&w, &["import", files[0].to_str().unwrap()])["summary"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    ];
    let span = started.elapsed().as_millis() as u64 * 2;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let mut jitter = Jitter(seed.as_nanos() as u64);
    let mut killed = 0;
    for file in &files[1..] {
        match import_killed_after(&w, file, jitter.below(span)) {
            Some(id) => acknowledged.push(id),
            None => killed += 1,
        }
        check_after_kill(&w, &acknowledged, killed);
    }
    println!(
        "wallet import: {} runs, {killed} killed mid-way, {} acknowledged imports all listed; the wallet reopened and its audit log verified every time",
        rounds,
        acknowledged.len()
    );
}

#[tokio::test]
async fn a_wallet_killed_during_import_always_reopens() {
    kill_imports(10).await;
}

/// The long run (`cargo test -p credence-cli --test wallet_cli -- --ignored`).
#[tokio::test]
#[ignore]
async fn a_wallet_killed_during_import_always_reopens_long_run() {
    kill_imports(200).await;
}
