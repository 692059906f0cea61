//! Reading a log line by line: the rules every line must keep, applied
//! the same way when verifying a whole log, when adopting lines found
//! after the head record on open, and to each line before it is appended.

use super::head::Head;
use super::line::{self, sha, Line, GENESIS};
use super::sign::check_signature;
use super::verify::{AuditViolation, Violation};
use super::Checkpoint;

/// Whom checkpoints must be signed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signer {
    /// This did:key.
    Expect(String),
    /// Whoever signed the first checkpoint (logs of earlier builds, which
    /// kept no signer key file).
    FirstSeen,
    /// No signer is known: any checkpoint is refused.
    Unknown,
}

/// The state of a log read so far.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    /// Lines, entries, checkpoints and hashes so far, as a head record
    /// would hold them.
    pub head: Head,
    /// The last entry's hash (the next entry's `prev`).
    pub prev_entry: String,
    /// The signer checkpoints must have.
    pub signer: Signer,
    /// Whether a checkpoint linking to its predecessor was seen (after one,
    /// unlinked checkpoints — those of earlier builds — are refused).
    linked: bool,
}

pub(crate) fn broken(seq: u64, kind: Violation, detail: impl Into<String>) -> AuditViolation {
    AuditViolation {
        seq,
        kind,
        detail: detail.into(),
    }
}

impl Chain {
    /// An empty log.
    pub(crate) fn new(signer: Signer) -> Self {
        Self {
            head: Head::default(),
            prev_entry: GENESIS.into(),
            signer,
            linked: false,
        }
    }

    /// A log acknowledged up to `head`, whose last entry hashes to
    /// `prev_entry`; lines appended from here on are this build's.
    pub(crate) fn resume(head: Head, prev_entry: String, signer: Signer) -> Self {
        Self {
            head,
            prev_entry,
            signer,
            linked: true,
        }
    }

    /// The first entry no checkpoint covers.
    pub(crate) fn first_unsigned(&self) -> u64 {
        self.head.entries.saturating_sub(self.head.since_checkpoint)
    }

    /// Reads the line (without its newline) that starts at `start`.
    pub(crate) fn push(&mut self, start: u64, bytes: &[u8]) -> Result<(), AuditViolation> {
        match line::parse(bytes) {
            Ok(Line::Entry(entry, hash)) => self.entry(entry.seq, &entry.prev, hash)?,
            Ok(Line::Checkpoint(checkpoint, jws)) => self.checkpoint(&checkpoint, &jws)?,
            Err(bad) if bad.checkpoint => {
                let seq = self.head.entries.saturating_sub(1);
                return Err(broken(seq, Violation::BadCheckpoint, bad.detail));
            }
            Err(bad) => {
                let detail = match bad.seq {
                    Some(s) if s != self.head.entries => {
                        format!("{} (it claims seq {s})", bad.detail)
                    }
                    _ => bad.detail,
                };
                return Err(broken(self.head.entries, Violation::Edited, detail));
            }
        }
        self.head.lines += 1;
        self.head.last_start = start;
        self.head.bytes = start + bytes.len() as u64 + 1;
        self.head.last_line = sha(bytes);
        Ok(())
    }

    fn entry(&mut self, seq: u64, prev: &str, hash: String) -> Result<(), AuditViolation> {
        let expected = self.head.entries;
        if seq > expected {
            let detail = format!("entries {expected}..{seq} are missing");
            return Err(broken(expected, Violation::Deleted, detail));
        }
        if seq < expected {
            let detail = format!("the position of entry {expected} holds entry {seq}");
            return Err(broken(expected, Violation::Reordered, detail));
        }
        if prev != self.prev_entry {
            // The link this entry holds is not the hash of the one before:
            // the one before was altered (and its own hash recomputed).
            let detail = match seq.checked_sub(1) {
                Some(_) => format!("its hash no longer matches the link in entry {seq}"),
                None => "the first entry does not start the chain".into(),
            };
            return Err(broken(seq.saturating_sub(1), Violation::Edited, detail));
        }
        self.prev_entry = hash;
        self.head.entries += 1;
        self.head.since_checkpoint += 1;
        Ok(())
    }

    fn checkpoint(&mut self, checkpoint: &Checkpoint, jws: &str) -> Result<(), AuditViolation> {
        let seq = checkpoint.seq;
        let expected = match &self.signer {
            Signer::Expect(did) => Some(did.clone()),
            Signer::FirstSeen => None,
            Signer::Unknown => {
                let detail = "no signer key file to check it against (pass the expected signer)";
                return Err(broken(seq, Violation::BadCheckpoint, detail));
            }
        };
        check_signature(checkpoint, jws, expected.as_deref())
            .map_err(|detail| broken(seq, Violation::BadCheckpoint, detail))?;
        self.signer = Signer::Expect(checkpoint.signer.clone());
        let entries = self.head.entries;
        if entries == 0 || seq > entries - 1 {
            let detail =
                format!("the log ends before entry {seq}, which a signed checkpoint covers");
            return Err(broken(entries, Violation::Truncated, detail));
        }
        if seq < entries - 1 {
            let detail = format!(
                "it covers entry {seq} but stands after entry {}",
                entries - 1
            );
            return Err(broken(seq, Violation::BadCheckpoint, detail));
        }
        if checkpoint.head != self.prev_entry {
            let detail = "its hash differs from the signed checkpoint";
            return Err(broken(seq, Violation::Edited, detail));
        }
        self.link(checkpoint)?;
        self.head.checkpoints += 1;
        self.head.last_checkpoint = sha(jws.as_bytes());
        self.head.since_checkpoint = 0;
        Ok(())
    }

    /// Each checkpoint names the one before it: one removed from the
    /// middle of the log shows here.
    fn link(&mut self, checkpoint: &Checkpoint) -> Result<(), AuditViolation> {
        let expected = if self.head.checkpoints == 0 {
            GENESIS.to_owned()
        } else {
            hex::encode(self.head.last_checkpoint)
        };
        match &checkpoint.prev {
            Some(prev) if *prev == expected => {
                self.linked = true;
                Ok(())
            }
            Some(_) => {
                let first = self.first_unsigned();
                let detail = format!(
                    "the checkpoint over entry {} links to a checkpoint the log no longer holds: one signed after entry {first} or later was removed",
                    checkpoint.seq
                );
                Err(broken(first, Violation::MissingCheckpoint, detail))
            }
            None if self.linked => {
                let detail = "an unlinked checkpoint after linked ones";
                Err(broken(checkpoint.seq, Violation::BadCheckpoint, detail))
            }
            None => Ok(()),
        }
    }
}
