//! `credence audit verify|export` run as a user would, on a real sled
//! audit log: intact → exit 0, edited → exit 1 naming the entry, the
//! wrong signer → exit 1, a missing directory → a clear error.

use credence_store::{AuditLog, AuditRecord, CheckpointKey};
use serde_json::Value;
use std::path::Path;
use support::credence;

mod support;

/// A verifier-like directory whose `audit/` holds `n` closed entries;
/// returns the checkpoint signer's DID.
fn write_log(home: &Path, n: u64) -> String {
    let key = CheckpointKey::new(ssi::JWK::generate_ed25519().unwrap()).unwrap();
    let did = key.did().to_owned();
    let log = AuditLog::open(home.join("audit"), Some(key)).unwrap();
    for i in 0..n {
        log.append(
            AuditRecord::new("did:key:zAgent", "mint_token", "allow", "corr-1")
                .principal("did:key:zAlice")
                .reason(format!("rule {i}")),
        )
        .unwrap();
    }
    did
}

/// Opens the log's sled files directly (to tamper with them), waiting for
/// the lock a just-closed log's background threads may still hold.
fn raw_db(dir: &Path) -> sled::Db {
    for _ in 0..100 {
        match sled::Config::new().path(dir).flush_every_ms(None).open() {
            Ok(db) => return db,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
    panic!("{} stays locked", dir.display())
}

#[test]
fn verify_and_export_an_intact_then_an_edited_log() {
    let home = tempfile::tempdir().unwrap();
    let did = write_log(home.path(), 5);
    let dir = home.path().to_str().unwrap();

    let (code, out, err) = credence(&["audit", "verify", dir, "--signer", &did]);
    assert_eq!(code, 0, "{out}{err}");
    let report: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["intact"], true);
    assert_eq!(report["entries"], 5);
    assert_eq!(report["signer"], did.as_str());

    let (code, out, err) = credence(&["audit", "export", dir, "--jsonl"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "5 entries and the closing checkpoint");
    assert_eq!(lines[2]["reason"], "rule 2");
    assert_eq!(lines[4]["principal"], "did:key:zAlice");

    // Another signer is refused.
    let other = CheckpointKey::new(ssi::JWK::generate_ed25519().unwrap()).unwrap();
    let (code, out, _) = credence(&["audit", "verify", dir, "--signer", other.did()]);
    assert_eq!(code, 1, "{out}");

    // Rewrite entry 2's decision in the sled file.
    {
        let db = raw_db(&home.path().join("audit"));
        let entries = db.open_tree("entries").unwrap();
        let key = 2u64.to_be_bytes();
        let mut entry: Value = serde_json::from_slice(&entries.get(key).unwrap().unwrap()).unwrap();
        entry["decision"] = Value::String("deny".into());
        entries
            .insert(key, serde_json::to_vec(&entry).unwrap())
            .unwrap();
        db.flush().unwrap();
    }
    let (code, out, _) = credence(&["audit", "verify", dir]);
    assert_eq!(code, 1, "{out}");
    let report: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_bad_entry"], 2);
    assert_eq!(report["violation"], "edited");
}

#[test]
fn a_directory_without_a_log_is_an_error_not_an_empty_log() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nothing-here");
    let (code, out, err) = credence(&["audit", "verify", missing.to_str().unwrap()]);
    assert_ne!(code, 0, "{out}");
    assert!(!err.is_empty());
    assert!(!missing.exists(), "verify must not create a log");
}
