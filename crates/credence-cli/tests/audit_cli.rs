//! `credence audit verify|export` run as a user would, on real audit log
//! files: intact → exit 0 naming the first unsigned entry; edited, cut,
//! stripped of a checkpoint, or signed by another key than the directory's
//! own → exit 1 naming the first bad entry; a damaged file → exit 4, no
//! panic; a missing directory → a clear error.

use credence_store::{AuditLog, AuditRecord, CheckpointKey};
use serde_json::Value;
use std::path::Path;
use support::credence;

#[path = "../../credence-store/tests/support/sled_damage.rs"]
mod sled_damage;
mod support;

fn record(i: u64) -> AuditRecord {
    AuditRecord::new("did:key:zAgent", "mint_token", "allow", "corr-1")
        .principal("did:key:zAlice")
        .reason(format!("rule {i}"))
}

/// A directory whose `audit/` holds `n` closed entries signed by `key`
/// (`None`: unsigned); returns the signer's DID.
fn write_log(home: &Path, n: u64, key: Option<&ssi::JWK>) -> Option<String> {
    let key = key.map(|k| CheckpointKey::new(k.clone()).unwrap());
    let did = key.as_ref().map(|k| k.did().to_owned());
    let log = AuditLog::open(home.join("audit"), key).unwrap();
    for i in 0..n {
        log.append(record(i)).unwrap();
    }
    did
}

fn verify(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["audit", "verify", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, out, err) = credence(&args);
    let report = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
    (code, report, err)
}

fn log_lines(home: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(home.join("audit/audit.jsonl")).unwrap();
    text.lines().map(str::to_owned).collect()
}

fn set_lines(home: &Path, lines: &[String]) {
    std::fs::write(home.join("audit/audit.jsonl"), lines.join("\n") + "\n").unwrap();
}

#[test]
fn verify_and_export_an_intact_then_an_edited_log() {
    let home = tempfile::tempdir().unwrap();
    let did = write_log(home.path(), 5, Some(&ssi::JWK::generate_ed25519().unwrap())).unwrap();

    let (code, report, err) = verify(home.path(), &["--signer", &did]);
    assert_eq!(code, 0, "{report}{err}");
    assert_eq!(report["intact"], true);
    assert_eq!(report["entries"], 5);
    assert_eq!(report["signer"], did.as_str());
    assert_eq!(report["first_unsigned_entry"], Value::Null);
    // Without --signer: the log's own signer key file.
    let (code, report, _) = verify(home.path(), &[]);
    assert_eq!(
        (code, report["signer_source"].as_str()),
        (0, Some("audit/signer.jwk"))
    );

    let dir = home.path().to_str().unwrap();
    let (code, out, err) = credence(&["audit", "export", dir, "--jsonl"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "5 entries and the closing checkpoint");
    assert_eq!(lines[2]["reason"], "rule 2");
    assert_eq!(lines[4]["principal"], "did:key:zAlice");
    assert!(lines[5].get("checkpoint").is_some());

    // Another signer is refused.
    let other = CheckpointKey::new(ssi::JWK::generate_ed25519().unwrap()).unwrap();
    let (code, report, _) = verify(home.path(), &["--signer", other.did()]);
    assert_eq!(
        (code, report["violation"].as_str()),
        (1, Some("bad checkpoint"))
    );

    // Rewrite entry 2's decision in the file.
    let mut l = log_lines(home.path());
    l[2] = l[2].replace("\"allow\"", "\"deny\"");
    set_lines(home.path(), &l);
    let (code, report, _) = verify(home.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_bad_entry"], 2);
    assert_eq!(report["violation"], "edited");
}

#[test]
fn a_verifier_directory_is_checked_against_its_own_token_key() {
    let home = tempfile::tempdir().unwrap();
    let token_key = ssi::JWK::generate_ed25519().unwrap();
    std::fs::write(
        home.path().join("token-key.jwk"),
        serde_json::to_vec(&token_key).unwrap(),
    )
    .unwrap();
    let did = write_log(home.path(), 20, Some(&token_key)).unwrap();
    let (code, report, err) = verify(home.path(), &[]);
    assert_eq!(code, 0, "{report}{err}");
    assert_eq!(report["signer_source"], "token-key.jwk");
    assert_eq!(report["signer"], did.as_str());
    // The audit folder itself works the same.
    let (code, report, _) = verify(&home.path().join("audit"), &[]);
    assert_eq!(
        (code, report["signer_source"].as_str()),
        (0, Some("token-key.jwk"))
    );

    // A swapped key file: the first checkpoint is named.
    let swapped = ssi::JWK::generate_ed25519().unwrap();
    std::fs::write(
        home.path().join("token-key.jwk"),
        serde_json::to_vec(&swapped).unwrap(),
    )
    .unwrap();
    let (code, report, _) = verify(home.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["first_bad_entry"], 15);
    assert_eq!(report["violation"], "bad checkpoint");
}

#[test]
fn cut_entries_a_removed_checkpoint_and_unsigned_entries_are_named() {
    let home = tempfile::tempdir().unwrap();
    write_log(
        home.path(),
        20,
        Some(&ssi::JWK::generate_ed25519().unwrap()),
    );
    let full = log_lines(home.path());
    // The last entries (17–19) and the closing checkpoint deleted.
    set_lines(home.path(), &full[..18]);
    let (code, report, _) = verify(home.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        (
            report["first_bad_entry"].as_u64(),
            report["violation"].as_str()
        ),
        (Some(17), Some("truncated"))
    );
    // Only the closing checkpoint removed: entries 16–19 lost their signature.
    set_lines(home.path(), &full[..full.len() - 1]);
    let (code, report, _) = verify(home.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        (
            report["first_bad_entry"].as_u64(),
            report["violation"].as_str()
        ),
        (Some(16), Some("missing checkpoint"))
    );

    // A log kept without a key: intact, every entry unsigned, the first named.
    let unsigned = tempfile::tempdir().unwrap();
    write_log(unsigned.path(), 3, None);
    let (code, report, _) = verify(unsigned.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        (
            report["unsigned_tail"].as_u64(),
            report["first_unsigned_entry"].as_u64()
        ),
        (Some(3), Some(0))
    );
}

#[test]
fn damaged_files_exit_4_or_name_the_damage_and_never_panic() {
    // A head record overwritten with garbage: named, exit 1.
    let home = tempfile::tempdir().unwrap();
    write_log(home.path(), 4, None);
    std::fs::write(home.path().join("audit/audit.head"), [0x5Au8; 256]).unwrap();
    let (code, report, err) = verify(home.path(), &[]);
    assert_eq!(
        (code, report["violation"].as_str()),
        (1, Some("head record missing")),
        "{err}"
    );

    // An unmigrated log of an earlier build, kept in sled, with a node that
    // is damaged behind a valid checksum: exit 4, no panic.
    let old = tempfile::tempdir().unwrap();
    let audit = old.path().join("audit");
    let value = br#"{"seq":0,"time":"2026-01-01T00:00:00.000Z","actor":"did:key:zAgent","action":"verify","decision":"allow","correlation":"c","prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#;
    {
        let db = sled::Config::new()
            .path(&audit)
            .flush_every_ms(None)
            .open()
            .unwrap();
        db.open_tree("entries")
            .unwrap()
            .insert(0u64.to_be_bytes(), &value[..])
            .unwrap();
        db.flush().unwrap();
    }
    assert!(sled_damage::damage_record(&audit.join("db"), value) >= 1);
    for args in [vec!["audit", "verify"], vec!["audit", "export"]] {
        let mut args = args.clone();
        args.push(old.path().to_str().unwrap());
        let (code, _, err) = credence(&args);
        assert_eq!(code, 4, "{args:?}: {err}");
        assert!(err.contains("damaged"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
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
