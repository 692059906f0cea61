//! The audit log on real sled files: an intact log verifies across
//! reopenings; an edit, a deletion, a reordering, a cut tail or a forged
//! checkpoint is found and the first bad entry named.

use credence_store::{
    verify_audit, AuditLog, AuditRecord, CheckpointKey, StoreError, Violation, CHECKPOINT_EVERY,
};
use std::path::Path;

fn key() -> CheckpointKey {
    CheckpointKey::new(ssi::JWK::generate_ed25519().unwrap()).unwrap()
}

/// A closed log of `n` entries in `dir`; returns its signer's DID.
fn write_log(dir: &Path, n: u64) -> String {
    let key = key();
    let did = key.did().to_owned();
    let log = AuditLog::open(dir, Some(key)).unwrap();
    for i in 0..n {
        let record = AuditRecord::new("did:key:zAgent", "verify", "allow", &format!("c{}", i / 4))
            .principal("did:key:zHuman")
            .reason(format!("step {i}"));
        assert_eq!(log.append(record).unwrap().seq, i);
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

fn with_trees(dir: &Path, f: impl FnOnce(&sled::Tree, &sled::Tree)) {
    let db = raw_db(dir);
    f(
        &db.open_tree("entries").unwrap(),
        &db.open_tree("checkpoints").unwrap(),
    );
    db.flush().unwrap();
}

fn violation(dir: &Path) -> (u64, Violation, String) {
    match verify_audit(dir, None) {
        Err(StoreError::AuditBroken(v)) => (v.seq, v.kind, v.detail),
        other => panic!("expected a violation, got {other:?}"),
    }
}

#[test]
fn an_intact_log_verifies_and_continues_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let did = write_log(dir.path(), 20);
    // Reopening and closing without appending signs nothing new.
    let log = AuditLog::open(dir.path(), Some(key())).unwrap();
    assert_eq!(log.entries().unwrap().len(), 20);
    drop(log);
    let report = verify_audit(dir.path(), Some(&did)).unwrap();
    assert_eq!(report.entries, 20);
    assert_eq!(
        report.checkpoints, 2,
        "one at {CHECKPOINT_EVERY}, one at close"
    );
    assert_eq!(report.unsigned_tail, 0);
    assert_eq!(report.signer.as_deref(), Some(did.as_str()));

    let log = AuditLog::open(dir.path(), None).unwrap();
    let next = log
        .append(AuditRecord::new("did:key:zAgent", "mint", "allow", "c9"))
        .unwrap();
    assert_eq!(next.seq, 20);
    drop(log);
    let report = verify_audit(dir.path(), None).unwrap();
    assert_eq!((report.entries, report.unsigned_tail), (21, 1));

    let mut out = Vec::new();
    let lines = credence_store::export_audit(dir.path(), &mut out).unwrap();
    assert_eq!(lines, 23, "21 entries and 2 checkpoints");
    let first: serde_json::Value =
        serde_json::from_slice(out.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["seq"], 0);
    assert_eq!(first["principal"], "did:key:zHuman");
}

#[test]
fn an_edited_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    with_trees(dir.path(), |entries, _| {
        let k = 5u64.to_be_bytes();
        let v = entries.get(k).unwrap().unwrap();
        let edited = String::from_utf8(v.to_vec())
            .unwrap()
            .replace("\"allow\"", "\"deny\"");
        entries.insert(k, edited.as_bytes()).unwrap();
    });
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (5, Violation::Edited));
}

#[test]
fn an_edit_of_the_newest_entry_is_caught_by_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    with_trees(dir.path(), |entries, _| {
        let k = 39u64.to_be_bytes();
        let v = entries.get(k).unwrap().unwrap();
        let edited = String::from_utf8(v.to_vec())
            .unwrap()
            .replace("step 39", "nothing happened");
        entries.insert(k, edited.as_bytes()).unwrap();
    });
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (39, Violation::Edited), "{detail}");
}

#[test]
fn a_deleted_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    with_trees(dir.path(), |entries, _| {
        entries.remove(7u64.to_be_bytes()).unwrap();
    });
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (7, Violation::Deleted));
}

#[test]
fn reordered_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    with_trees(dir.path(), |entries, _| {
        let a = entries.get(10u64.to_be_bytes()).unwrap().unwrap();
        let b = entries.get(11u64.to_be_bytes()).unwrap().unwrap();
        entries.insert(10u64.to_be_bytes(), b).unwrap();
        entries.insert(11u64.to_be_bytes(), a).unwrap();
    });
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (10, Violation::Reordered));
}

#[test]
fn a_cut_tail_is_detected_as_truncation() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    with_trees(dir.path(), |entries, _| {
        for seq in 35..40u64 {
            entries.remove(seq.to_be_bytes()).unwrap();
        }
    });
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (35, Violation::Truncated), "{detail}");
}

#[test]
fn a_checkpoint_re_signed_by_another_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let did = write_log(dir.path(), 40);
    // An attacker edits the newest entry and signs a fresh checkpoint over
    // it with their own key.
    let other = tempfile::tempdir().unwrap();
    {
        let forged = AuditLog::open(other.path(), Some(key())).unwrap();
        for _ in 0..40 {
            forged
                .append(AuditRecord::new("did:key:zAgent", "verify", "allow", "x"))
                .unwrap();
        }
    }
    let forged_jws = {
        let db = raw_db(other.path());
        let cps = db.open_tree("checkpoints").unwrap();
        cps.get(39u64.to_be_bytes()).unwrap().unwrap()
    };
    with_trees(dir.path(), |_, checkpoints| {
        checkpoints.insert(39u64.to_be_bytes(), forged_jws).unwrap();
    });
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (39, Violation::BadCheckpoint), "{detail}");
    // Pinning the expected signer refuses the forged key just the same.
    match verify_audit(dir.path(), Some(&did)) {
        Err(StoreError::AuditBroken(v)) => assert_eq!(v.kind, Violation::BadCheckpoint),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_log_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    match verify_audit(&dir.path().join("nothing"), None) {
        Err(StoreError::Audit(m)) => assert!(m.contains("no audit log"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_checkpoint_key_without_its_private_half_is_refused_up_front() {
    let public_only = ssi::JWK::generate_ed25519().unwrap().to_public();
    let p256 = ssi::JWK::generate_p256();
    for (key, what) in [(public_only, "public-only Ed25519"), (p256, "P-256")] {
        match CheckpointKey::new(key) {
            Err(StoreError::Audit(msg)) => assert!(msg.contains("Ed25519"), "{what}: {msg}"),
            other => panic!(
                "{what} key accepted: {:?}",
                other.map(|k| k.did().to_owned())
            ),
        }
    }
}
