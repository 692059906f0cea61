//! The audit log on real files, attacked the ways an intruder with write
//! access to the folder would: an intact log verifies across reopenings;
//! an in-place edit (with or without recomputed hashes), a deletion, a
//! reordering, the last entries cut, the file cut mid-line, a checkpoint
//! removed from the middle or the end, a swapped signer key file, a forged
//! checkpoint and a whole log rewritten under another key are each found,
//! and the first bad entry named.

use audit_support::*;
use credence_store::audit::HEAD_FILE;
use credence_store::{
    verify_audit, AuditLog, AuditRecord, StoreError, Violation, CHECKPOINT_EVERY,
};

mod audit_support;

#[test]
fn an_intact_log_verifies_and_continues_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = jwk();
    let did = write_log_with(dir.path(), 20, &jwk);
    // Reopening and closing without appending signs nothing new.
    let log = AuditLog::open(dir.path(), Some(key(&jwk))).unwrap();
    assert_eq!(log.entries().unwrap().len(), 20);
    drop(log);
    let report = verify_audit(dir.path(), None).unwrap();
    assert_eq!(report.entries, 20);
    assert_eq!(
        report.checkpoints, 2,
        "one at {CHECKPOINT_EVERY}, one at close"
    );
    assert_eq!((report.unsigned_tail, report.first_unsigned), (0, None));
    assert_eq!(report.signer.as_deref(), Some(did.as_str()));
    assert_eq!(verify_audit(dir.path(), Some(&did)).unwrap(), report);

    let log = AuditLog::open(dir.path(), None).unwrap();
    let next = log
        .append(AuditRecord::new("did:key:zAgent", "mint", "allow", "c9"))
        .unwrap();
    assert_eq!(next.seq, 20);
    drop(log);
    let report = verify_audit(dir.path(), None).unwrap();
    assert_eq!((report.entries, report.unsigned_tail), (21, 1));
    assert_eq!(
        report.first_unsigned,
        Some(20),
        "the unsigned entry is named"
    );

    // The same key signs the tail when it comes back.
    drop(AuditLog::open(dir.path(), Some(key(&jwk))).unwrap());
    let report = verify_audit(dir.path(), Some(&did)).unwrap();
    assert_eq!((report.checkpoints, report.unsigned_tail), (3, 0));

    let mut out = Vec::new();
    let lines = credence_store::export_audit(dir.path(), &mut out).unwrap();
    assert_eq!(lines, 24, "21 entries and 3 checkpoints");
    assert_eq!(out, std::fs::read(dir.path().join("audit.jsonl")).unwrap());
    let first: serde_json::Value =
        serde_json::from_slice(out.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["seq"], 0);
    assert_eq!(first["principal"], "did:key:zHuman");
    assert_eq!(first["hash"].as_str().map(str::len), Some(64));
}

#[test]
fn an_entry_edited_in_place_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    let i = entry_line(&l, 5);
    l[i] = l[i].replace("\"allow\"", "\"deny\"");
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (5, Violation::Edited), "{detail}");
    assert!(detail.contains("no longer matches its hash"), "{detail}");
}

#[test]
fn an_edit_with_its_hash_recomputed_is_named_by_the_next_link() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    let i = entry_line(&l, 5);
    l[i] = rehash(&l[i].replace("\"allow\"", "\"deny\""));
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (5, Violation::Edited), "{detail}");
}

#[test]
fn an_edit_of_the_newest_entry_is_caught_by_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    let i = entry_line(&l, 39);
    l[i] = rehash(&l[i].replace("step 39", "nothing happened"));
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (39, Violation::Edited), "{detail}");
}

#[test]
fn an_edit_of_an_unsigned_newest_entry_is_caught_by_the_head_record() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = AuditLog::open(dir.path(), None).unwrap();
        for i in 0..5 {
            log.append(record(i)).unwrap();
        }
    }
    let mut l = lines(dir.path());
    l[4] = rehash(&l[4].replace("step 4", "step 5"));
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (4, Violation::Edited), "{detail}");
}

#[test]
fn a_deleted_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    l.remove(entry_line(&l, 7));
    set_lines(dir.path(), &l);
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (7, Violation::Deleted));
}

#[test]
fn reordered_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    let (a, b) = (entry_line(&l, 10), entry_line(&l, 11));
    l.swap(a, b);
    set_lines(dir.path(), &l);
    let (seq, kind, _) = violation(dir.path());
    assert_eq!((seq, kind), (10, Violation::Reordered));
}

#[test]
fn the_last_entries_deleted_are_named_as_truncation() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    // Entries 35–39 and the checkpoint over 39 go; the rest is a valid chain.
    l.truncate(entry_line(&l, 35));
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (35, Violation::Truncated), "{detail}");
    // Opening refuses too, naming the same entry, rather than appending
    // after the cut.
    match AuditLog::open(dir.path(), None) {
        Err(StoreError::AuditBroken(v)) => assert_eq!((v.seq, v.kind), (35, Violation::Truncated)),
        other => panic!("{other:?}"),
    }
    // Removing the head record as well is named just the same way.
    std::fs::remove_file(dir.path().join(HEAD_FILE)).unwrap();
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (35, Violation::HeadMissing), "{detail}");
}

#[test]
fn a_file_cut_mid_line_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let l = lines(dir.path());
    let keep = entry_line(&l, 30);
    let mut text = l[..keep].join("\n");
    text.push('\n');
    text.push_str(&l[keep][..40]);
    std::fs::write(dir.path().join("audit.jsonl"), text).unwrap();
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (30, Violation::Truncated), "{detail}");
}

#[test]
fn a_checkpoint_removed_from_the_middle_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    l.remove(checkpoint_line(&l, 31));
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (16, Violation::MissingCheckpoint), "{detail}");
}

#[test]
fn the_last_checkpoint_removed_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    assert_eq!(checkpoint_line(&l, 39), l.len() - 1);
    l.pop();
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (32, Violation::MissingCheckpoint), "{detail}");
}

#[test]
fn a_swapped_signer_key_file_is_named_and_refused_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let original = jwk();
    let did = write_log_with(dir.path(), 40, &original);
    let intruder = jwk();
    swap_signer(dir.path(), &intruder);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (15, Violation::BadCheckpoint), "{detail}");
    assert!(detail.contains(&did), "{detail}");
    // A signer pinned from elsewhere still verifies the log itself.
    assert_eq!(verify_audit(dir.path(), Some(&did)).unwrap().entries, 40);
    // The rightful key no longer opens it for writing: the file says otherwise.
    match AuditLog::open(dir.path(), Some(key(&original))) {
        Err(StoreError::AuditSigner { reason, .. }) => assert!(reason.contains(&did), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn another_key_cannot_continue_a_signed_log() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 3);
    match AuditLog::open(dir.path(), Some(key(&jwk()))) {
        Err(StoreError::AuditSigner { reason, .. }) => {
            assert!(reason.contains("not by the key offered"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(dir.path().join("signer.jwk")).unwrap();
    assert!(matches!(
        AuditLog::open(dir.path(), Some(key(&jwk()))),
        Err(StoreError::AuditSigner { .. })
    ));
    let (seq, kind, _) = violation(dir.path());
    assert_eq!(
        (seq, kind),
        (2, Violation::BadCheckpoint),
        "no signer file to check against"
    );
}

#[test]
fn a_checkpoint_re_signed_by_another_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let did = write_log(dir.path(), 40);
    // An intruder signs a log of their own and puts its last checkpoint
    // in place of the real one.
    let other = tempfile::tempdir().unwrap();
    write_log(other.path(), 40);
    let forged = lines(other.path()).pop().unwrap();
    let mut l = lines(dir.path());
    *l.last_mut().unwrap() = forged;
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (39, Violation::BadCheckpoint), "{detail}");
    let (seq, kind, _) = violation_with(dir.path(), Some(&did));
    assert_eq!((seq, kind), (39, Violation::BadCheckpoint));
}

#[test]
fn a_whole_log_rewritten_under_another_key_is_caught_by_a_pinned_signer() {
    let dir = tempfile::tempdir().unwrap();
    let did = write_log(dir.path(), 40);
    // The intruder writes a whole new log (entry 5 changed) with its own
    // key and replaces every file of the folder: nothing inside the folder
    // can tell, which is why the signer should be pinned from outside
    // (`credence audit verify --signer`, or the verifier's published key).
    let forged = tempfile::tempdir().unwrap();
    {
        let log = AuditLog::open(forged.path(), Some(key(&jwk()))).unwrap();
        for i in 0..40 {
            let r = if i == 5 {
                record(i).reason("nothing")
            } else {
                record(i)
            };
            log.append(r).unwrap();
        }
    }
    for name in ["audit.jsonl", "audit.head", "signer.jwk"] {
        std::fs::copy(forged.path().join(name), dir.path().join(name)).unwrap();
    }
    assert_eq!(verify_audit(dir.path(), None).unwrap().entries, 40);
    let (seq, kind, detail) = violation_with(dir.path(), Some(&did));
    assert_eq!((seq, kind), (15, Violation::BadCheckpoint), "{detail}");
}

#[test]
fn a_checkpoint_moved_away_from_its_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    let checkpoint = l.remove(checkpoint_line(&l, 15));
    let at = entry_line(&l, 20) + 1;
    l.insert(at, checkpoint);
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (15, Violation::BadCheckpoint), "{detail}");
}

#[test]
fn an_unreadable_signer_key_file_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 3);
    std::fs::write(dir.path().join("signer.jwk"), b"not a key").unwrap();
    for outcome in [
        verify_audit(dir.path(), None).map(|_| ()),
        AuditLog::open(dir.path(), None).map(|_| ()),
    ] {
        match outcome {
            Err(StoreError::AuditSigner { reason, .. }) => {
                assert!(reason.contains("not a JWK"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn entries_cut_from_under_a_checkpoint_that_stays_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let mut l = lines(dir.path());
    // Entries 35–39 removed, the checkpoint over 39 left in place.
    let (from, to) = (entry_line(&l, 35), entry_line(&l, 39));
    l.drain(from..=to);
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (35, Violation::Truncated), "{detail}");
    assert!(detail.contains("signed checkpoint covers"), "{detail}");
}

#[test]
fn a_first_entry_that_does_not_start_the_chain_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 5);
    let mut l = lines(dir.path());
    l[0] = rehash(&l[0].replace(&"0".repeat(64), &"1".repeat(64)));
    set_lines(dir.path(), &l);
    let (seq, kind, detail) = violation(dir.path());
    assert_eq!((seq, kind), (0, Violation::Edited), "{detail}");
}
