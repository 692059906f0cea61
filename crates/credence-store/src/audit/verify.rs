//! Checking an audit log: the chain of digests, the sequence, and every
//! signed checkpoint.

use super::{digest, open_existing, seq_of, AuditEntry, Checkpoint, GENESIS};
use crate::sled_io::db_read_err;
use crate::StoreError;
use ssi::claims::jws;
use ssi::dids::DIDKey;
use std::collections::BTreeMap;
use std::path::Path;

/// What kind of damage an audit log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    /// An entry's bytes were changed (its digest no longer matches the
    /// link the next entry or a checkpoint holds), or cannot be read.
    Edited,
    /// An entry is missing from the middle of the log.
    Deleted,
    /// An entry sits at another position than the one it was written at.
    Reordered,
    /// Entries a signed checkpoint covers are gone from the end.
    Truncated,
    /// A checkpoint's signature, signer or content is wrong.
    BadCheckpoint,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Edited => "edited",
            Self::Deleted => "deleted",
            Self::Reordered => "reordered",
            Self::Truncated => "truncated",
            Self::BadCheckpoint => "bad checkpoint",
        })
    }
}

/// The first bad entry of a log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log damaged at entry {seq}: {kind}: {detail}")]
pub struct AuditViolation {
    /// The first bad entry's sequence number.
    pub seq: u64,
    /// What is wrong.
    pub kind: Violation,
    /// Details.
    pub detail: String,
}

/// A log that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// How many entries it holds.
    pub entries: u64,
    /// How many signed checkpoints.
    pub checkpoints: u64,
    /// The did:key that signed them.
    pub signer: Option<String>,
    /// Entries after the last checkpoint: protected by the chain only, so a
    /// cut there is not detectable without a checkpoint kept elsewhere.
    pub unsigned_tail: u64,
}

fn broken(seq: u64, kind: Violation, detail: impl Into<String>) -> StoreError {
    StoreError::AuditBroken(AuditViolation {
        seq,
        kind,
        detail: detail.into(),
    })
}

/// Verifies the log in `dir`: entries numbered 0, 1, 2… without gaps, each
/// linking to the digest of the one before, and every checkpoint signed by
/// one key (`expected_signer` when given) over an entry that is present
/// with that digest. The first violation found is returned as
/// [`StoreError::AuditBroken`], naming the entry.
pub fn verify_audit(dir: &Path, expected_signer: Option<&str>) -> Result<AuditReport, StoreError> {
    let (_db, entries, checkpoints) = open_existing(dir)?;
    let mut digests: BTreeMap<u64, String> = BTreeMap::new();
    let mut expected = 0u64;
    let mut prev = GENESIS.to_owned();
    for kv in entries.iter() {
        let (k, v) = kv.map_err(db_read_err)?;
        let seq = seq_of(&k)?;
        if seq != expected {
            return Err(broken(
                expected,
                Violation::Deleted,
                format!("entries {expected}..{seq} are missing"),
            ));
        }
        let entry: AuditEntry = serde_json::from_slice(&v)
            .map_err(|e| broken(seq, Violation::Edited, format!("unreadable: {e}")))?;
        if entry.seq != seq {
            return Err(broken(
                seq,
                Violation::Reordered,
                format!("position {seq} holds entry {}", entry.seq),
            ));
        }
        if entry.prev != prev {
            // The link this entry holds is not the digest of the one before:
            // the one before was altered (its own link still matched).
            let bad = seq.saturating_sub(1);
            return Err(broken(
                bad,
                Violation::Edited,
                format!("its digest no longer matches the link in entry {seq}"),
            ));
        }
        prev = digest(&v);
        digests.insert(seq, prev.clone());
        expected += 1;
    }

    let mut signer: Option<String> = expected_signer.map(str::to_owned);
    let mut last_checkpoint: Option<u64> = None;
    let mut count = 0;
    for kv in checkpoints.iter() {
        let (k, v) = kv.map_err(db_read_err)?;
        let at = seq_of(&k)?;
        let text = String::from_utf8_lossy(&v);
        let checkpoint = check_signature(&text, at, signer.as_deref())?;
        signer.get_or_insert(checkpoint.signer.clone());
        match digests.get(&checkpoint.seq) {
            None => {
                return Err(broken(
                    expected,
                    Violation::Truncated,
                    format!(
                        "the log ends before entry {}, which a signed checkpoint covers",
                        checkpoint.seq
                    ),
                ))
            }
            Some(d) if *d != checkpoint.head => {
                return Err(broken(
                    checkpoint.seq,
                    Violation::Edited,
                    "its digest differs from the signed checkpoint",
                ))
            }
            Some(_) => {}
        }
        last_checkpoint = Some(checkpoint.seq);
        count += 1;
    }
    let unsigned_tail = match last_checkpoint {
        Some(seq) => expected - seq - 1,
        None => expected,
    };
    Ok(AuditReport {
        entries: expected,
        checkpoints: count,
        signer: if count > 0 { signer } else { None },
        unsigned_tail,
    })
}

/// Verifies one checkpoint JWS stored under `at`: the header's public key
/// is the signer's did:key, the signature holds, and the payload names `at`.
fn check_signature(
    text: &str,
    at: u64,
    expected_signer: Option<&str>,
) -> Result<Checkpoint, StoreError> {
    let bad = |detail: String| broken(at, Violation::BadCheckpoint, detail);
    let (header, payload) =
        jws::decode_unverified(text).map_err(|e| bad(format!("not a JWS: {e}")))?;
    let checkpoint: Checkpoint =
        serde_json::from_slice(&payload).map_err(|e| bad(format!("unreadable: {e}")))?;
    let jwk = header
        .jwk
        .ok_or_else(|| bad("the header carries no public key".into()))?;
    let did = DIDKey::generate(&jwk)
        .map_err(|e| bad(format!("unusable key: {e}")))?
        .to_string();
    if did != checkpoint.signer {
        return Err(bad(format!(
            "signed by {did}, names {} as signer",
            checkpoint.signer
        )));
    }
    if let Some(expected) = expected_signer {
        if did != expected {
            return Err(bad(format!("signed by {did}, not by {expected}")));
        }
    }
    jws::decode_verify(text, &jwk).map_err(|e| bad(format!("bad signature: {e}")))?;
    if checkpoint.seq != at {
        return Err(bad(format!("stored at {at} but covers {}", checkpoint.seq)));
    }
    Ok(checkpoint)
}
