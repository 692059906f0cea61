//! Crash durability: a child process writes credential-shaped records and
//! an audit entry for each, printing each one's number once both writes
//! returned; the parent SIGKILLs it at a random moment, reopens the wallet
//! and its audit log, and checks that they open, that every acknowledged
//! record is present and intact, and that the audit log verifies and holds
//! every acknowledged entry. Two kinds of writer take turns: a long-lived
//! one (open once, write for ever) and CLI-style ones (open, write one
//! record, close, again — sled writes a snapshot on every open, and a kill
//! in the middle of it is what once left wallets unopenable).
//!
//! `harness = false`: `main` is the parent, or with `--child KIND DIR
//! FIRST KEY` the writer. By default 40 kills (20 of each kind); with
//! `--ignored` or `--include-ignored` the long run, 320 kills.

use credence_store::{
    verify_audit, AuditLog, AuditRecord, CheckpointKey, KdfParams, Space, Store, Unlock, AUDIT_DIR,
};
use rand::Rng;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SHORT_ROUNDS: usize = 40;
const LONG_ROUNDS: usize = 320;
const PASSPHRASE: &str = "durability test passphrase";

fn unlock() -> Unlock {
    Unlock::passphrase(PASSPHRASE)
}

fn id(i: u64) -> String {
    format!("r{i:07}")
}

/// The body written for record `i`: credential-sized and different per record.
fn body(i: u64) -> Vec<u8> {
    format!(
        r#"{{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","AgentCredential"],"credentialSubject":{{"id":"did:key:z6Mk{i:012}","n":{i}}},"pad":"{}"}}"#,
        "p".repeat(900 + (i % 300) as usize)
    )
    .into_bytes()
}

fn meta(i: u64) -> Vec<u8> {
    format!(r#"{{"n":{i},"type":"AgentCredential"}}"#).into_bytes()
}

fn audit_record(i: u64) -> AuditRecord {
    AuditRecord::new("did:key:zAgent", "import", "allow", "durability")
        .reason(format!("record {i}"))
}

/// The wallet's write shape: body, summary and index entry in one batch,
/// then its audit entry.
fn write_record(store: &Store, log: &AuditLog, i: u64) -> Result<(), credence_store::StoreError> {
    let mut batch = store.batch();
    batch.put(Space::Credentials, &id(i), &body(i))?;
    batch.put(Space::CredentialMeta, &id(i), &meta(i))?;
    batch.index("type:AgentCredential", &id(i))?;
    store.commit(batch)?;
    log.append(audit_record(i)).map(|_| ())
}

fn open_both(dir: &Path, key: &ssi::JWK) -> (Store, AuditLog) {
    let store = Store::open(dir, &unlock()).unwrap_or_else(|e| {
        eprintln!("child: open failed: {e}");
        std::process::exit(3)
    });
    let key = CheckpointKey::new(key.clone()).expect("checkpoint key");
    let log = AuditLog::open(dir.join(AUDIT_DIR), Some(key)).unwrap_or_else(|e| {
        eprintln!("child: audit log open failed: {e}");
        std::process::exit(3)
    });
    (store, log)
}

fn child(cli_style: bool, dir: &Path, first: u64, key: &ssi::JWK) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut open = None;
    for i in first..first + 100_000 {
        let (store, log) = open.take().unwrap_or_else(|| open_both(dir, key));
        if let Err(e) = write_record(&store, &log, i) {
            eprintln!("child: write {i} failed: {e}");
            std::process::exit(4);
        }
        // Acknowledge only after both writes returned (as the CLI prints
        // its result, then closes the wallet).
        if writeln!(out, "{i}").and_then(|_| out.flush()).is_err() {
            std::process::exit(5);
        }
        if !cli_style {
            open = Some((store, log));
        }
    }
}

/// Reopens everything after a kill and checks the acknowledged records
/// `acknowledged` (and that every record present is whole); returns how
/// many records are present.
fn check(dir: &Path, key: &ssi::JWK, acknowledged: &[u64]) -> Result<usize, String> {
    let store =
        Store::open(dir, &unlock()).map_err(|e| format!("the wallet does not reopen: {e}"))?;
    for &i in acknowledged {
        let got = store
            .get(Space::Credentials, &id(i))
            .map_err(|e| format!("record {i}: {e}"))?
            .ok_or_else(|| format!("acknowledged record {i} is missing"))?;
        let m = store
            .get(Space::CredentialMeta, &id(i))
            .map_err(|e| e.to_string())?;
        if got.as_slice() != body(i).as_slice()
            || m.as_deref().map(Vec::as_slice) != Some(&meta(i)[..])
        {
            return Err(format!("record {i} is not intact"));
        }
    }
    let indexed = store
        .indexed("type:AgentCredential")
        .map_err(|e| e.to_string())?;
    if let Some(i) = acknowledged
        .iter()
        .find(|i| indexed.binary_search(&id(**i)).is_err())
    {
        return Err(format!("record {i} missing from its index"));
    }
    // Every record present is whole: body, summary and index together.
    let bodies = store.ids(Space::Credentials).map_err(|e| e.to_string())?;
    if bodies
        != store
            .ids(Space::CredentialMeta)
            .map_err(|e| e.to_string())?
        || bodies != indexed
    {
        return Err("a record is present only in part".into());
    }
    let audit = dir.join(AUDIT_DIR);
    let log = AuditLog::open(&audit, Some(CheckpointKey::new(key.clone()).expect("key")))
        .map_err(|e| format!("the audit log does not reopen: {e}"))?;
    let logged: std::collections::HashSet<String> = log
        .entries()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter_map(|e| e.record.reason)
        .collect();
    drop(log);
    verify_audit(&audit, None).map_err(|e| format!("the audit log does not verify: {e}"))?;
    if let Some(i) = acknowledged
        .iter()
        .find(|i| !logged.contains(&format!("record {i}")))
    {
        return Err(format!("acknowledged audit entry {i} is missing"));
    }
    Ok(bodies.len())
}

struct Round {
    acknowledged: Vec<u64>,
    delay: Duration,
}

fn run_child(exe: &Path, cli_style: bool, dir: &Path, next: u64, key_file: &Path) -> Round {
    let kind = if cli_style { "cli" } else { "long" };
    let mut child = Command::new(exe)
        .args([
            "--child",
            kind,
            dir.to_str().expect("utf-8 path"),
            &next.to_string(),
        ])
        .arg(key_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let delay = Duration::from_millis(rand::thread_rng().gen_range(40..400));
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
    child.wait().expect("wait");
    let stdout = child.stdout.take().expect("piped stdout");
    let acknowledged = BufReader::new(stdout)
        .lines()
        .map(|l| {
            l.expect("read ack")
                .trim()
                .parse()
                .expect("ack is a number")
        })
        .collect();
    Round {
        acknowledged,
        delay,
    }
}

fn parent(rounds: usize) {
    let exe = std::env::current_exe().expect("own path");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("wallet");
    let key = ssi::JWK::generate_ed25519().expect("key");
    let key_file = tmp.path().join("checkpoint-key.jwk");
    std::fs::write(&key_file, serde_json::to_vec(&key).expect("jwk")).expect("key file");
    drop(Store::create(&dir, &unlock(), KdfParams::minimal()).expect("create"));
    let mut acknowledged: Vec<u64> = Vec::new();
    let (mut next, mut cli_kills, mut cli_acks) = (0u64, 0, 0);
    let started = Instant::now();
    for round in 1..=rounds {
        let cli_style = round % 2 == 0;
        let r = run_child(&exe, cli_style, &dir, next, &key_file);
        let before = acknowledged.len();
        acknowledged.extend(&r.acknowledged);
        if cli_style {
            cli_kills += 1;
            cli_acks += r.acknowledged.len();
        }
        // This round's acknowledgements are checked now; all of them at the end.
        let to_check = if round == rounds {
            &acknowledged[..]
        } else {
            &acknowledged[before..]
        };
        let present = check(&dir, &key, to_check).unwrap_or_else(|e| {
            panic!(
                "after kill {round} ({} writer, {} ms): {e}",
                if cli_style { "CLI-style" } else { "long-lived" },
                r.delay.as_millis()
            )
        });
        next = acknowledged
            .last()
            .map_or(next, |l| l + 1)
            .max(present as u64);
        println!(
            "kill {round:3} ({:4}): after {:3} ms; {:4} acknowledged, {:6} in all, {present} present — all intact, audit log verifies",
            if cli_style { "cli" } else { "long" },
            r.delay.as_millis(),
            r.acknowledged.len(),
            acknowledged.len()
        );
    }
    println!(
        "durability: {rounds} SIGKILLs ({} of a long-lived writer, {cli_kills} of CLI-style writers); {} acknowledged writes ({cli_acks} by CLI-style writers), all present and intact, every reopen succeeded, the audit log verified after every kill ({:.1} s)",
        rounds - cli_kills,
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        acknowledged.len() >= 500 && cli_acks >= 20,
        "too few writes acknowledged ({}, {cli_acks} CLI-style) for the test to mean much",
        acknowledged.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--child") {
        Some(p) => {
            let cli_style = args[p + 1] == "cli";
            let dir = Path::new(&args[p + 2]);
            let first: u64 = args[p + 3].parse().expect("first record number");
            let key: ssi::JWK =
                serde_json::from_slice(&std::fs::read(&args[p + 4]).expect("key file"))
                    .expect("jwk");
            child(cli_style, dir, first, &key);
        }
        // `cargo test -- --list` and filters: only run when not asked to list.
        None if args.iter().any(|a| a == "--list") => println!("durability: test"),
        None if args
            .iter()
            .any(|a| a == "--ignored" || a == "--include-ignored") =>
        {
            parent(LONG_ROUNDS)
        }
        None => parent(SHORT_ROUNDS),
    }
}
