//! Checking an audit log: every line, the chain of entries, the chain of
//! signed checkpoints, and the log's end against its head record.

use super::chain::{broken, Chain, Signer};
use super::head::{self, Head, Stored};
use super::line::{leading_seq, sha};
use super::sign::read_signer;
use super::{legacy, LOG_FILE};
use crate::StoreError;
use std::path::Path;

/// What kind of damage an audit log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// An entry's bytes were changed (its hash no longer matches its
    /// content, the link the next entry holds, or a checkpoint), or cannot
    /// be read.
    Edited,
    /// An entry is missing from the middle of the log.
    Deleted,
    /// An entry sits at another position than the one it was written at.
    Reordered,
    /// Acknowledged entries are gone from the end (the log is shorter than
    /// its head record, or than a signed checkpoint covers).
    Truncated,
    /// A checkpoint's signature, signer, place or content is wrong.
    BadCheckpoint,
    /// A signed checkpoint was removed: the next one links to a checkpoint
    /// the log no longer holds, or the one that ended the log is gone.
    MissingCheckpoint,
    /// The head record beside the log is missing or unreadable, so a cut
    /// at the end could not be told.
    HeadMissing,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Edited => "edited",
            Self::Deleted => "deleted",
            Self::Reordered => "reordered",
            Self::Truncated => "truncated",
            Self::BadCheckpoint => "bad checkpoint",
            Self::MissingCheckpoint => "missing checkpoint",
            Self::HeadMissing => "head record missing",
        })
    }
}

/// The first bad entry of a log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log damaged at entry {seq}: {kind}: {detail}")]
pub struct AuditViolation {
    /// The first bad entry's sequence number: the first one missing,
    /// edited, out of place, or no longer covered by a checkpoint.
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
    /// Entries after the last checkpoint: protected by the chain and the
    /// head record only (a checkpoint kept elsewhere protects more).
    pub unsigned_tail: u64,
    /// The first of those entries, if any.
    pub first_unsigned: Option<u64>,
}

/// The complete lines of `bytes` as `(start, line)`, and where the
/// unfinished last line (no newline) starts, if there is one.
pub(crate) fn split_lines(bytes: &[u8]) -> (Vec<(u64, &[u8])>, Option<u64>) {
    let mut lines = Vec::new();
    let mut start = 0usize;
    while let Some(n) = bytes[start..].iter().position(|b| *b == b'\n') {
        lines.push((start as u64, &bytes[start..start + n]));
        start += n + 1;
    }
    let partial = (start < bytes.len()).then_some(start as u64);
    (lines, partial)
}

/// Verifies the log in `dir`: every line reads and matches its hash,
/// entries are numbered 0, 1, 2… each linking to the hash of the one
/// before, every checkpoint follows the entry it covers, holds its hash,
/// links to the checkpoint before it and is signed by the log's signer —
/// `expected_signer` when given, else the key in the log's signer key file
/// (`signer.jwk`) — and the log reaches the end its head record
/// acknowledged. The first violation found is returned as
/// [`StoreError::AuditBroken`], naming the entry. Nothing is written.
///
/// A log of an earlier build (kept in sled, no signer key file, no head
/// record) is read as it is and checked the same way, its checkpoints
/// against `expected_signer` or else their first signer.
pub fn verify_audit(dir: &Path, expected_signer: Option<&str>) -> Result<AuditReport, StoreError> {
    // The head first: a writer can only move the file past it meanwhile.
    let stored = head::read(dir)?;
    if let Some(bytes) = legacy_only(dir, stored)? {
        let signer = expected_signer.map_or(Signer::FirstSeen, |s| Signer::Expect(s.into()));
        return check(&bytes, None, signer);
    }
    let path = dir.join(LOG_FILE);
    let bytes = std::fs::read(&path).map_err(StoreError::file(&path))?;
    let signer = match expected_signer {
        Some(s) => Signer::Expect(s.into()),
        None => read_signer(dir)?.map_or(Signer::Unknown, Signer::Expect),
    };
    check(&bytes, Some(stored), signer)
}

/// The lines of `dir`'s log when it is one of an earlier build not yet
/// migrated (no head record beside it; a log file there was left empty by
/// a migration that failed); `None` when the log file is the log; an error
/// when there is no log at all.
pub(crate) fn legacy_only(dir: &Path, stored: Stored) -> Result<Option<Vec<u8>>, StoreError> {
    let file = dir.join(LOG_FILE);
    let no_file = !file.is_file();
    if no_file || (stored == Stored::Absent && legacy::exists(dir)) {
        return match legacy::read(dir)? {
            Some(bytes) => Ok(Some(bytes)),
            None if no_file => Err(StoreError::Audit(format!(
                "{} holds no audit log",
                dir.display()
            ))),
            None => Ok(None),
        };
    }
    Ok(None)
}

/// Checks the log `bytes` against its head record (`None`: a log of an
/// earlier build, which had none).
pub(crate) fn check(
    bytes: &[u8],
    stored: Option<Stored>,
    signer: Signer,
) -> Result<AuditReport, StoreError> {
    let (lines, _) = split_lines(bytes);
    let mut chain = Chain::new(signer);
    let acknowledged_end = match stored {
        Some(Stored::Valid(h)) => h.bytes,
        _ => 0,
    };
    // The entries the log holds up to the acknowledged end.
    let mut entries_at_end = 0;
    for (i, (start, line)) in lines.iter().enumerate() {
        if chain.head.bytes == acknowledged_end {
            entries_at_end = chain.head.entries;
        }
        if let Err(mut v) = chain.push(*start, line) {
            let moved = lines[i + 1..]
                .iter()
                .any(|(_, later)| leading_seq(later) == Some(v.seq));
            if v.kind == super::Violation::Deleted && moved {
                v.kind = super::Violation::Reordered;
                v.detail = format!("entry {} stands later in the log", v.seq);
            }
            return Err(v.into());
        }
    }
    match stored {
        None => {}
        Some(Stored::Absent) if lines.is_empty() => {}
        Some(Stored::Absent) | Some(Stored::Invalid) => {
            let detail = "the head record (audit.head) is missing or unreadable: entries cut from the end could not be told";
            return Err(broken(chain.head.entries, super::Violation::HeadMissing, detail).into());
        }
        Some(Stored::Valid(head)) => {
            let at_end = if chain.head.bytes == acknowledged_end {
                chain.head.entries
            } else {
                entries_at_end
            };
            reaches(&chain, &lines, &head, at_end)?
        }
    }
    let unsigned = chain.head.since_checkpoint;
    Ok(AuditReport {
        entries: chain.head.entries,
        checkpoints: chain.head.checkpoints,
        signer: match (&chain.signer, chain.head.checkpoints) {
            (Signer::Expect(did), 1..) => Some(did.clone()),
            _ => None,
        },
        unsigned_tail: unsigned,
        first_unsigned: (unsigned > 0).then(|| chain.first_unsigned()),
    })
}

/// Checks that the log still holds what `head` acknowledged: at least that
/// many bytes, at that end the very line recorded, and before it as many
/// entries as recorded (`entries_at_end`: those the log holds there).
fn reaches(
    chain: &Chain,
    lines: &[(u64, &[u8])],
    head: &Head,
    entries_at_end: u64,
) -> Result<(), StoreError> {
    use super::Violation::{Edited, MissingCheckpoint, Truncated};
    if chain.head.bytes < head.bytes {
        let found = chain.head.entries;
        let err = if found < head.entries {
            let detail = format!(
                "entries {found}..{} were acknowledged but the log ends before them",
                head.entries
            );
            broken(found, Truncated, detail)
        } else {
            let first = chain.first_unsigned();
            let detail = format!(
                "the checkpoint that ended the log is gone: entries from {first} on are no longer signed"
            );
            broken(first, MissingCheckpoint, detail)
        };
        return Err(err.into());
    }
    if head.lines == 0 {
        return Ok(());
    }
    let at_end = lines.iter().position(|(start, line)| {
        *start == head.last_start && start + line.len() as u64 + 1 == head.bytes
    });
    let matches = at_end.is_some_and(|i| sha(lines[i].1) == head.last_line);
    if !matches {
        // Name the entry at the acknowledged end.
        let mut prefix = Chain::new(Signer::FirstSeen);
        for (start, line) in lines.iter().take_while(|(s, _)| *s < head.bytes) {
            let _ = prefix.push(*start, line);
        }
        let seq = prefix.head.entries.saturating_sub(1);
        let detail = format!(
            "the line ending at byte {} is not the one acknowledged there: the end of the log was rewritten",
            head.bytes
        );
        return Err(broken(seq, Edited, detail).into());
    }
    if entries_at_end != head.entries {
        let detail = format!(
            "the head record counts {} entries where the log holds {entries_at_end}",
            head.entries
        );
        let seq = entries_at_end.min(head.entries);
        return Err(broken(seq, Truncated, detail).into());
    }
    Ok(())
}
