//! Logs of earlier builds, kept in sled: read and verified where they are,
//! migrated once into the file on open (then continued, the first new
//! checkpoint linking to the last old one), refused when they do not
//! verify, and — when sled's file is damaged behind a valid checksum — a
//! typed error, never a panic.

use audit_support::*;
use credence_store::{verify_audit, AuditEntry, AuditLog, Checkpoint, StoreError, Violation};
use sha2::{Digest, Sha256};
use std::path::Path;

mod audit_support;
mod support;

/// A checkpoint as earlier builds signed it: no link to the one before.
fn legacy_checkpoint(jwk: &ssi::JWK, seq: u64, head: &str) -> String {
    let did = key(jwk).did().to_owned();
    let checkpoint = Checkpoint {
        seq,
        head: head.to_owned(),
        time: "2026-01-01T00:00:00.000Z".into(),
        signer: did.clone(),
        prev: None,
    };
    let payload = serde_json::to_string(&checkpoint).unwrap();
    let header = ssi::claims::jws::Header {
        algorithm: ssi::jwk::Algorithm::EdDSA,
        key_id: Some(did),
        jwk: Some(jwk.to_public()),
        ..Default::default()
    };
    ssi::claims::jws::encode_sign_custom_header(&payload, jwk, &header).unwrap()
}

/// Writes `n` entries (and a checkpoint after every 16th and the last) the
/// way the sled-based log did.
fn write_legacy(dir: &Path, n: u64, jwk: &ssi::JWK) {
    let db = support::raw_db(dir);
    let entries = db.open_tree("entries").unwrap();
    let checkpoints = db.open_tree("checkpoints").unwrap();
    let mut prev = "0".repeat(64);
    for seq in 0..n {
        let entry = AuditEntry {
            seq,
            time: "2026-01-01T00:00:00.000Z".into(),
            record: record(seq),
            prev: prev.clone(),
        };
        let bytes = serde_json::to_vec(&entry).unwrap();
        prev = hex::encode(Sha256::digest(&bytes));
        entries.insert(seq.to_be_bytes(), bytes).unwrap();
        if seq % 16 == 15 || seq == n - 1 {
            let jws = legacy_checkpoint(jwk, seq, &prev);
            checkpoints
                .insert(seq.to_be_bytes(), jws.as_bytes())
                .unwrap();
        }
    }
    db.flush().unwrap();
}

#[test]
fn a_legacy_log_verifies_in_place_and_is_migrated_once_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = jwk();
    let did = key(&jwk).did().to_owned();
    write_legacy(dir.path(), 20, &jwk);
    support::wait_unlocked(dir.path());
    let report = verify_audit(dir.path(), None).unwrap();
    assert_eq!((report.entries, report.checkpoints), (20, 2));
    assert_eq!(report.signer.as_deref(), Some(did.as_str()));
    assert!(
        !dir.path().join("audit.jsonl").exists(),
        "verifying writes nothing"
    );

    let log = AuditLog::open(dir.path(), Some(key(&jwk))).unwrap();
    assert_eq!(log.entries().unwrap().len(), 20);
    assert!(
        dir.path().join("sled-migrated/db").is_file(),
        "sled's files are set aside"
    );
    assert!(!dir.path().join("db").exists() && !dir.path().join("conf").exists());
    for i in 20..40 {
        assert_eq!(log.append(record(i)).unwrap().seq, i);
    }
    drop(log);
    let report = verify_audit(dir.path(), Some(&did)).unwrap();
    assert_eq!(
        (report.entries, report.checkpoints, report.unsigned_tail),
        (40, 4, 0)
    );
    // The first new checkpoint links to the last old one: removing that
    // old one is found.
    let mut l = lines(dir.path());
    l.remove(checkpoint_line(&l, 19));
    set_lines(dir.path(), &l);
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (16, Violation::MissingCheckpoint));
}

#[test]
fn an_unlinked_checkpoint_after_linked_ones_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = jwk();
    write_log_with(dir.path(), 20, &jwk);
    // The closing checkpoint replaced by one signed the old way (no link).
    let mut l = lines(dir.path());
    let last: serde_json::Value = serde_json::from_str(l.last().unwrap()).unwrap();
    let head = last["checkpoint"]["head"].as_str().unwrap();
    let jws = legacy_checkpoint(&jwk, 19, head);
    let payload = ssi::claims::jws::decode_unverified(&jws).unwrap().1;
    *l.last_mut().unwrap() = format!(
        "{{\"checkpoint\":{},\"jws\":\"{jws}\"}}",
        String::from_utf8(payload).unwrap()
    );
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (19, Violation::BadCheckpoint), "{detail}");
    assert!(detail.contains("unlinked"), "{detail}");
}

#[test]
fn a_legacy_log_that_does_not_verify_is_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = jwk();
    write_legacy(dir.path(), 20, &jwk);
    {
        let db = support::raw_db(dir.path());
        db.open_tree("entries")
            .unwrap()
            .remove(7u64.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    support::wait_unlocked(dir.path());
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (7, Violation::Deleted));
    match AuditLog::open(dir.path(), Some(key(&jwk))) {
        Err(StoreError::AuditBroken(v)) => assert_eq!((v.seq, v.kind), (7, Violation::Deleted)),
        other => panic!("{other:?}"),
    }
    assert!(
        dir.path().join("db").is_file(),
        "the sled log stays as it was"
    );
    // Nor under another key than the one that signed it.
    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("log");
    write_legacy(&other, 5, &jwk);
    support::wait_unlocked(&other);
    match AuditLog::open(&other, Some(key(&audit_support::jwk()))) {
        Err(StoreError::AuditBroken(v)) => assert_eq!(v.kind, Violation::BadCheckpoint),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_damaged_legacy_sled_log_is_a_typed_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = jwk();
    write_legacy(dir.path(), 20, &jwk);
    support::wait_unlocked(dir.path());
    // Damage entry 3's stored value behind a valid checksum.
    let value = {
        let db = support::raw_db(dir.path());
        let v = db
            .open_tree("entries")
            .unwrap()
            .get(3u64.to_be_bytes())
            .unwrap()
            .unwrap();
        v.to_vec()
    };
    support::wait_unlocked(dir.path());
    assert!(support::damage_record(&dir.path().join("db"), &value) >= 1);
    for outcome in [
        verify_audit(dir.path(), None).map(|_| ()),
        AuditLog::open(dir.path(), Some(key(&jwk))).map(|_| ()),
        credence_store::export_audit(dir.path(), &mut Vec::new()).map(|_| ()),
    ] {
        match outcome {
            Err(StoreError::Damaged { detail, .. }) => {
                assert!(detail.contains("sled failed"), "{detail}")
            }
            other => panic!("expected Damaged, got {other:?}"),
        }
    }
}
