//! Crash durability: a child process writes credential-shaped records as fast
//! as it can and prints each one's number once `commit` has returned; the
//! parent SIGKILLs it at a random moment, reopens the store, and checks that
//! every acknowledged record is present and intact. Repeated 25 times.
//!
//! `harness = false`: `main` is either the parent (no arguments) or, when run
//! with `--child DIR FIRST`, the writer.

use credence_store::{KdfParams, Space, Store, Unlock};
use rand::Rng;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 25;
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

/// The wallet's write shape: body, summary and index entry in one batch.
fn write_record(store: &Store, i: u64) -> Result<(), credence_store::StoreError> {
    let mut batch = store.batch();
    batch.put(Space::Credentials, &id(i), &body(i))?;
    batch.put(Space::CredentialMeta, &id(i), &meta(i))?;
    batch.index("type:AgentCredential", &id(i))?;
    store.commit(batch)
}

fn child(dir: &Path, first: u64) {
    let store = match Store::open(dir, &unlock()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("child: open failed: {e}");
            std::process::exit(3);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for i in first..first + 100_000 {
        if let Err(e) = write_record(&store, i) {
            eprintln!("child: write {i} failed: {e}");
            std::process::exit(4);
        }
        // Acknowledge only after commit returned.
        if writeln!(out, "{i}").and_then(|_| out.flush()).is_err() {
            std::process::exit(5);
        }
    }
}

fn check(dir: &Path, acknowledged: &[u64]) -> usize {
    let store =
        Store::open(dir, &unlock()).unwrap_or_else(|e| panic!("reopen after SIGKILL failed: {e}"));
    for &i in acknowledged {
        let got = store
            .get(Space::Credentials, &id(i))
            .unwrap_or_else(|e| panic!("record {i}: {e}"))
            .unwrap_or_else(|| panic!("acknowledged record {i} is missing"));
        assert_eq!(
            got.as_slice(),
            body(i).as_slice(),
            "record {i} is not intact"
        );
        let m = store
            .get(Space::CredentialMeta, &id(i))
            .unwrap()
            .expect("summary missing");
        assert_eq!(m.as_slice(), meta(i).as_slice());
    }
    let indexed = store.indexed("type:AgentCredential").unwrap();
    for &i in acknowledged {
        assert!(
            indexed.binary_search(&id(i)).is_ok(),
            "record {i} missing from its index"
        );
    }
    // Every record present is whole: body, summary and index together.
    let bodies = store.ids(Space::Credentials).unwrap();
    assert_eq!(bodies, store.ids(Space::CredentialMeta).unwrap());
    assert_eq!(bodies, indexed);
    bodies.len()
}

fn parent() {
    let exe = std::env::current_exe().expect("own path");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("wallet");
    drop(Store::create(&dir, &unlock(), KdfParams::minimal()).expect("create"));
    let mut rng = rand::thread_rng();
    let mut acknowledged: Vec<u64> = Vec::new();
    let mut next = 0u64;
    let started = Instant::now();
    for round in 1..=ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "--child",
                dir.to_str().expect("utf-8 path"),
                &next.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn child");
        let delay = Duration::from_millis(rng.gen_range(40..400));
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
        let status = child.wait().expect("wait");
        let stdout = child.stdout.take().expect("piped stdout");
        let before = acknowledged.len();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read ack");
            acknowledged.push(line.trim().parse().expect("ack is a number"));
        }
        // This round's acknowledgements are checked now; all of them at the end.
        let present = if round == ROUNDS {
            check(&dir, &acknowledged)
        } else {
            check(&dir, &acknowledged[before..])
        };
        next = acknowledged
            .last()
            .map_or(next, |l| l + 1)
            .max(present as u64);
        println!(
            "round {round:2}: killed after {:3} ms ({status}); {:4} acknowledged this round, {:5} in all, {present} present — all intact",
            delay.as_millis(),
            acknowledged.len() - before,
            acknowledged.len()
        );
    }
    println!(
        "durability: {ROUNDS} SIGKILLs, {} acknowledged writes all present and intact ({:.1} s)",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        acknowledged.len() >= 1000,
        "too few writes acknowledged ({}) for the test to mean much",
        acknowledged.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--child") {
        Some(p) => {
            let dir = Path::new(&args[p + 1]);
            let first: u64 = args[p + 2].parse().expect("first record number");
            child(dir, first);
        }
        // `cargo test -- --list` and filters: only run when not asked to list.
        None if args.iter().any(|a| a == "--list") => println!("durability: test"),
        None => parent(),
    }
}
