//! The audit log's own recovery, on real files: an append torn by a crash
//! is cut (it was never acknowledged), one written but not yet recorded in
//! the head record is adopted, a missing or damaged head record is named,
//! garbage in any of its files is a typed error and never a panic, and a
//! second writer is refused while a reader may verify meanwhile.

use audit_support::*;
use credence_store::audit::{HEAD_FILE, LOG_FILE};
use credence_store::{verify_audit, AuditLog, StoreError, Violation};
use std::io::Write;

mod audit_support;

#[test]
fn a_torn_append_is_cut_on_open_and_the_log_continues() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = jwk();
    write_log_with(dir.path(), 20, &jwk);
    let before = std::fs::read(dir.path().join(LOG_FILE)).unwrap();
    // What a crash in the middle of writing entry 20 leaves.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join(LOG_FILE))
        .unwrap();
    file.write_all(b"{\"seq\":20,\"time\":\"2026-").unwrap();
    drop(file);
    // Nothing acknowledged is missing: the log verifies as it is.
    assert_eq!(verify_audit(dir.path(), None).unwrap().entries, 20);
    let log = AuditLog::open(dir.path(), Some(key(&jwk))).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join(LOG_FILE)).unwrap(),
        before,
        "the torn line is cut"
    );
    assert_eq!(log.append(record(20)).unwrap().seq, 20);
    drop(log);
    let report = verify_audit(dir.path(), None).unwrap();
    assert_eq!((report.entries, report.unsigned_tail), (21, 0));
}

#[test]
fn an_append_written_but_not_recorded_is_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = jwk();
    let log = AuditLog::open(dir.path(), Some(key(&jwk))).unwrap();
    for i in 0..20 {
        log.append(record(i)).unwrap();
    }
    let head = std::fs::read(dir.path().join(HEAD_FILE)).unwrap();
    log.append(record(20)).unwrap();
    drop(log); // and the checkpoint at close
               // As if the process died after syncing the log, before the head record.
    std::fs::write(dir.path().join(HEAD_FILE), head).unwrap();
    let report = verify_audit(dir.path(), None).unwrap();
    assert_eq!((report.entries, report.checkpoints), (21, 2));
    let log = AuditLog::open(dir.path(), Some(key(&jwk))).unwrap();
    assert_eq!(log.append(record(21)).unwrap().seq, 21);
    drop(log);
    assert_eq!(verify_audit(dir.path(), None).unwrap().entries, 22);
}

#[test]
fn a_missing_or_damaged_head_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 10);
    let head = dir.path().join(HEAD_FILE);
    let good = std::fs::read(&head).unwrap();
    std::fs::write(&head, vec![0xA5; good.len()]).unwrap();
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (10, Violation::HeadMissing));
    assert!(matches!(
        AuditLog::open(dir.path(), None),
        Err(StoreError::AuditBroken(v)) if v.kind == Violation::HeadMissing
    ));
    std::fs::remove_file(&head).unwrap();
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (10, Violation::HeadMissing));
}

#[test]
fn garbage_in_the_log_is_a_typed_error_never_a_panic() {
    // Inserted after entry 0: a bad entry line is named as entry 1, a bad
    // checkpoint line by the entry it stands after (0).
    let garbage: [(&[u8], u64); 6] = [
        (b"\xff\xfe\x00\x01 not text\n", 1),
        (b"\0\0\0\0\0\0\0\0\0\0\0\0\n", 1),
        (b"{\"checkpoint\":null,\"jws\":\"a.b.c\"}\n", 0),
        (b"{\"checkpoint\":{\"seq\":99999999999999999999}}\n", 0),
        (b"{\"seq\":0,\"hash\":\"zz\"}\n", 1),
        (b"\n\n\n", 1),
    ];
    for (i, (bytes, named)) in garbage.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        write_log(dir.path(), 3);
        let mut l = std::fs::read(dir.path().join(LOG_FILE)).unwrap();
        let at = l.iter().position(|b| *b == b'\n').unwrap() + 1;
        l.splice(at..at, bytes.iter().copied());
        std::fs::write(dir.path().join(LOG_FILE), &l).unwrap();
        match verify_audit(dir.path(), None) {
            Err(StoreError::AuditBroken(v)) => assert_eq!(v.seq, *named, "case {i}: {v}"),
            other => panic!("case {i}: {other:?}"),
        }
    }
    // A whole file of garbage, and a huge line without an end.
    for bytes in [vec![0xC3u8; 4096], vec![b'{'; 1 << 20]] {
        let dir = tempfile::tempdir().unwrap();
        write_log(dir.path(), 3);
        std::fs::write(dir.path().join(LOG_FILE), &bytes).unwrap();
        assert!(matches!(
            verify_audit(dir.path(), None),
            Err(StoreError::AuditBroken(_))
        ));
        assert!(AuditLog::open(dir.path(), None).is_err());
    }
}

#[test]
fn garbage_appended_after_the_acknowledged_end_is_refused_on_open() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 3);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join(LOG_FILE))
        .unwrap();
    file.write_all(b"{\"seq\":3,\"forged\":true}\n").unwrap();
    drop(file);
    for outcome in [
        verify_audit(dir.path(), None).map(|_| ()),
        AuditLog::open(dir.path(), None).map(|_| ()),
    ] {
        match outcome {
            Err(StoreError::AuditBroken(v)) => assert_eq!((v.seq, v.kind), (3, Violation::Edited)),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn one_writer_at_a_time_while_readers_verify() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path(), Some(key(&jwk()))).unwrap();
    for i in 0..5 {
        log.append(record(i)).unwrap();
    }
    assert!(matches!(
        AuditLog::open(dir.path(), None),
        Err(StoreError::Locked(_))
    ));
    let report = verify_audit(dir.path(), None).unwrap();
    assert_eq!((report.entries, report.first_unsigned), (5, Some(0)));
    drop(log);
    assert_eq!(verify_audit(dir.path(), None).unwrap().unsigned_tail, 0);
    drop(AuditLog::open(dir.path(), None).unwrap());
}

#[test]
fn a_missing_log_is_a_clear_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    match verify_audit(&missing, None) {
        Err(StoreError::Audit(m)) => assert!(m.contains("no audit log"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(credence_store::export_audit(&missing, &mut Vec::new()).is_err());
    assert!(!missing.exists());
}

#[test]
fn a_checkpoint_key_without_its_private_half_is_refused_up_front() {
    let public_only = ssi::JWK::generate_ed25519().unwrap().to_public();
    let p256 = ssi::JWK::generate_p256();
    for (key, what) in [(public_only, "public-only Ed25519"), (p256, "P-256")] {
        match credence_store::CheckpointKey::new(key) {
            Err(StoreError::Audit(msg)) => assert!(msg.contains("Ed25519"), "{what}: {msg}"),
            other => panic!(
                "{what} key accepted: {:?}",
                other.map(|k| k.did().to_owned())
            ),
        }
    }
}

#[test]
fn a_log_whose_creation_was_cut_short_still_opens() {
    // A crash while the log was first created: an empty log file and a
    // head record torn in its first write.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(LOG_FILE), b"").unwrap();
    std::fs::write(dir.path().join(HEAD_FILE), [0u8; 40]).unwrap();
    let log = AuditLog::open(dir.path(), Some(key(&jwk()))).unwrap();
    log.append(record(0)).unwrap();
    drop(log);
    assert_eq!(verify_audit(dir.path(), None).unwrap().entries, 1);
}
