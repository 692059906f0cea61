//! Writing audit logs and tampering with their files, for the audit tests.

#![allow(dead_code)]

use credence_store::audit::{LOG_FILE, SIGNER_FILE};
use credence_store::{verify_audit, AuditLog, AuditRecord, CheckpointKey, StoreError, Violation};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A fresh Ed25519 key (with its private half).
pub fn jwk() -> ssi::JWK {
    ssi::JWK::generate_ed25519().unwrap()
}

pub fn key(jwk: &ssi::JWK) -> CheckpointKey {
    CheckpointKey::new(jwk.clone()).unwrap()
}

pub fn record(i: u64) -> AuditRecord {
    AuditRecord::new("did:key:zAgent", "verify", "allow", &format!("c{}", i / 4))
        .principal("did:key:zHuman")
        .reason(format!("step {i}"))
}

/// A closed log of `n` entries in `dir` signed by `jwk`; returns its DID.
/// With 40 entries the lines are: entries 0–15, checkpoint 15, entries
/// 16–31, checkpoint 31, entries 32–39, checkpoint 39 (at close).
pub fn write_log_with(dir: &Path, n: u64, jwk: &ssi::JWK) -> String {
    let key = key(jwk);
    let did = key.did().to_owned();
    let log = AuditLog::open(dir, Some(key)).unwrap();
    for i in 0..n {
        assert_eq!(log.append(record(i)).unwrap().seq, i);
    }
    did
}

pub fn write_log(dir: &Path, n: u64) -> String {
    write_log_with(dir, n, &jwk())
}

pub fn lines(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(LOG_FILE)).unwrap();
    text.lines().map(str::to_owned).collect()
}

pub fn set_lines(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join(LOG_FILE), text).unwrap();
}

/// The index of entry `seq`'s line.
pub fn entry_line(lines: &[String], seq: u64) -> usize {
    let prefix = format!("{{\"seq\":{seq},");
    lines.iter().position(|l| l.starts_with(&prefix)).unwrap()
}

/// The index of the checkpoint line over entry `seq`.
pub fn checkpoint_line(lines: &[String], seq: u64) -> usize {
    let prefix = format!("{{\"checkpoint\":{{\"seq\":{seq},");
    lines.iter().position(|l| l.starts_with(&prefix)).unwrap()
}

/// `line` (an entry) with its `hash` recomputed, as an attacker would.
pub fn rehash(line: &str) -> String {
    let body = format!("{}}}", &line[..line.len() - 75]);
    let hash = hex::encode(Sha256::digest(body.as_bytes()));
    format!("{},\"hash\":\"{hash}\"}}", &line[..line.len() - 75])
}

/// The first violation `verify_audit` reports (with the log's own signer).
pub fn violation(dir: &Path) -> (u64, Violation, String) {
    violation_with(dir, None)
}

pub fn violation_with(dir: &Path, signer: Option<&str>) -> (u64, Violation, String) {
    match verify_audit(dir, signer) {
        Err(StoreError::AuditBroken(v)) => (v.seq, v.kind, v.detail),
        other => panic!("expected a violation, got {other:?}"),
    }
}

/// Writes `jwk`'s public half as `dir`'s signer key file.
pub fn swap_signer(dir: &Path, jwk: &ssi::JWK) {
    let text = serde_json::to_string(&jwk.to_public()).unwrap();
    std::fs::write(dir.join(SIGNER_FILE), text).unwrap();
}
