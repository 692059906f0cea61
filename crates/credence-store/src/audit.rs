//! The append-only, hash-chained audit log with signed checkpoints.
//!
//! Each entry records who acted (`actor`), on whose behalf (`principal`),
//! through which delegation path (`chain`), what (`action`), the
//! `decision` and its `reason`, under a `correlation` id, and the hash of
//! the previous entry. The log is a plain file, `audit.jsonl` in its
//! folder: one JSON line per entry carrying its own `hash`, appended and
//! `fsync`ed before [`AuditLog::append`] returns, so a SIEM can tail it.
//! Every [`CHECKPOINT_EVERY`] entries (and on [`AuditLog::checkpoint`],
//! and when the log is closed) a line signs `{seq, head, prev}` with an
//! Ed25519 key named by a did:key, `prev` linking to the checkpoint
//! before; the key's public half is kept as `signer.jwk`. Beside the log,
//! the head record (`audit.head`) holds what the last acknowledged append
//! left, so a cut at the end is found too. [`verify_audit`] names the first
//! entry edited, deleted, reordered, cut, or left unsigned by a removed
//! checkpoint. The log is not encrypted: it holds DIDs, decisions and
//! reason codes, never secrets or disclosed claim values.
//!
//! Why a file rather than sled: sled 0.34 silently drops everything after
//! a damaged record on open, panics on a damaged node with a valid
//! checksum, and can leave a torn snapshot behind a crash
//! (docs/durability.md). An append-only log needs none of sled's
//! machinery, and in a file every byte and every recovery rule is ours.
//! Logs of earlier builds (in sled) are migrated on open.

mod chain;
mod head;
mod legacy;
mod line;
mod open;
mod sign;
mod verify;

use crate::StoreError;
use chain::Chain;
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use head::HEAD_FILE;
pub use sign::{CheckpointKey, SIGNER_FILE};
pub use verify::{verify_audit, AuditReport, AuditViolation, Violation};

/// The audit log's folder inside a wallet or verifier directory.
pub const AUDIT_DIR: &str = "audit";

/// The log file's name inside the audit folder (one JSON line per entry
/// or checkpoint; tail it to feed a SIEM).
pub const LOG_FILE: &str = "audit.jsonl";

/// A checkpoint is signed after this many entries.
pub const CHECKPOINT_EVERY: u64 = 16;

pub use credence_core::audit::AuditRecord;

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// When it was appended (RFC 3339, UTC).
    pub time: String,
    /// The record.
    #[serde(flatten)]
    pub record: AuditRecord,
    /// Hex SHA-256 of the previous entry (zeros for the first).
    pub prev: String,
}

/// The signed statement "the log's entry `seq` has hash `head`, and the
/// checkpoint before this one is `prev`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The last entry covered.
    pub seq: u64,
    /// Hex SHA-256 of that entry.
    pub head: String,
    /// When it was signed.
    pub time: String,
    /// The did:key of the signing key.
    pub signer: String,
    /// Hex SHA-256 of the previous checkpoint's JWS (zeros for the first);
    /// absent in checkpoints of earlier builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

struct State {
    file: File,
    head_file: head::HeadFile,
    chain: Chain,
}

/// An open audit log. Appends are serialized and durable when they
/// return. One process (and one handle) at a time may hold it open;
/// [`verify_audit`] and [`export_audit`] read it meanwhile.
pub struct AuditLog {
    dir: PathBuf,
    key: Option<CheckpointKey>,
    state: Mutex<State>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl AuditLog {
    /// Opens (creating if needed) the log in `dir`, signing checkpoints
    /// with `key` when given. Refuses a log signed by another key
    /// ([`StoreError::AuditSigner`]), one cut below its head record
    /// ([`StoreError::AuditBroken`]), and one another handle holds
    /// ([`StoreError::Locked`]). An append torn by a crash is cut away (it
    /// was never acknowledged).
    pub fn open(dir: impl AsRef<Path>, key: Option<CheckpointKey>) -> Result<Self, StoreError> {
        let dir = dir.as_ref().to_owned();
        let opened = open::open_log(&dir, key.as_ref())?;
        let state = State {
            file: opened.file,
            head_file: opened.head_file,
            chain: opened.chain,
        };
        // Lines adopted from beyond the head record are acknowledged now.
        state.head_file.write(&state.chain.head)?;
        Ok(Self {
            dir,
            key,
            state: Mutex::new(state),
        })
    }

    /// The directory of this log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends `record`; durable on return. Signs a checkpoint every
    /// [`CHECKPOINT_EVERY`] entries.
    pub fn append(&self, record: AuditRecord) -> Result<AuditEntry, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let entry = AuditEntry {
            seq: state.chain.head.entries,
            time: now(),
            record,
            prev: state.chain.prev_entry.clone(),
        };
        let (line, _) = line::entry_line(&entry)?;
        let mut next = state.chain.clone();
        let mut buf = Vec::with_capacity(line.len() + 1);
        push_line(&mut next, &mut buf, &line)?;
        if next.head.since_checkpoint >= CHECKPOINT_EVERY {
            self.push_checkpoint(&mut next, &mut buf)?;
        }
        write(&mut state, next, &buf)?;
        Ok(entry)
    }

    /// Signs a checkpoint over the current head now (services call this
    /// when they stop). Without a key, or with nothing new, does nothing.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.chain.head.since_checkpoint == 0 || self.key.is_none() {
            return Ok(());
        }
        let mut next = state.chain.clone();
        let mut buf = Vec::new();
        self.push_checkpoint(&mut next, &mut buf)?;
        write(&mut state, next, &buf)
    }

    fn push_checkpoint(&self, next: &mut Chain, buf: &mut Vec<u8>) -> Result<(), StoreError> {
        let (Some(key), Some(seq)) = (&self.key, next.head.entries.checked_sub(1)) else {
            return Ok(());
        };
        let prev = match next.head.checkpoints {
            0 => line::GENESIS.to_owned(),
            _ => hex::encode(next.head.last_checkpoint),
        };
        let checkpoint = Checkpoint {
            seq,
            head: next.prev_entry.clone(),
            time: now(),
            signer: key.did().to_owned(),
            prev: Some(prev),
        };
        let (payload, jws) = key.sign(&checkpoint)?;
        push_line(next, buf, &line::checkpoint_line(&payload, &jws)?)
    }

    /// Every entry, in order, as stored (unverified: see [`verify_audit`]).
    pub fn entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let bytes = self.acknowledged()?;
        let (lines, _) = verify::split_lines(&bytes);
        let mut out = Vec::new();
        for (i, (_, l)) in lines.iter().enumerate() {
            match line::parse(l) {
                Ok(line::Line::Entry(entry, _)) => out.push(entry),
                Ok(line::Line::Checkpoint(..)) => {}
                Err(bad) => {
                    return Err(StoreError::Audit(format!("line {}: {}", i + 1, bad.detail)))
                }
            }
        }
        Ok(out)
    }

    /// Writes the log as stored — one JSON object per line: entries with
    /// their hash, checkpoints as `{"checkpoint": …, "jws": …}` after the
    /// entry they cover — for SIEMs. Returns the number of lines.
    pub fn export_jsonl(&self, out: &mut dyn std::io::Write) -> Result<usize, StoreError> {
        copy_lines(&self.acknowledged()?, out)
    }

    /// The acknowledged bytes of the log.
    fn acknowledged(&self) -> Result<Vec<u8>, StoreError> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let len = usize::try_from(state.chain.head.bytes)
            .map_err(|_| StoreError::Audit("the log is too large".into()))?;
        let mut buf = vec![0u8; len];
        state
            .file
            .read_exact_at(&mut buf, 0)
            .map_err(StoreError::file(self.dir.join(LOG_FILE)))?;
        Ok(buf)
    }
}

/// Checks `line` as the next one of `next` (what is appended is read by the
/// same rules as what is verified) and stages it in `buf`.
fn push_line(next: &mut Chain, buf: &mut Vec<u8>, line: &[u8]) -> Result<(), StoreError> {
    next.push(next.head.bytes, line)?;
    buf.extend_from_slice(line);
    buf.push(b'\n');
    Ok(())
}

/// Writes `buf` at the acknowledged end, syncs it, records the new head,
/// and only then moves the in-memory head: after a failed write the next
/// append takes the same position again (and the file is cut back).
fn write(state: &mut State, next: Chain, buf: &[u8]) -> Result<(), StoreError> {
    let at = state.chain.head.bytes;
    let written = state
        .file
        .write_all_at(buf, at)
        .and_then(|_| state.file.sync_data())
        .map_err(|e| StoreError::Audit(format!("appending to the log: {e}")))
        .and_then(|_| state.head_file.write(&next.head));
    if let Err(e) = written {
        let _ = state.file.set_len(at);
        return Err(e);
    }
    state.chain = next;
    Ok(())
}

fn copy_lines(bytes: &[u8], out: &mut dyn std::io::Write) -> Result<usize, StoreError> {
    let (lines, _) = verify::split_lines(bytes);
    let end = lines.last().map_or(0, |(s, l)| *s as usize + l.len() + 1);
    out.write_all(&bytes[..end])
        .map_err(|e| StoreError::Audit(format!("export: {e}")))?;
    Ok(lines.len())
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        // Best effort: a failed final checkpoint shows in `verify_audit` as
        // entries after the last checkpoint, which is reported, not hidden.
        let _ = self.checkpoint();
    }
}

/// Exports the log in `dir` (its complete lines, as stored; a log of an
/// earlier build as it would be migrated) without opening it for writing;
/// for `credence audit export`.
pub fn export_audit(dir: &Path, out: &mut dyn std::io::Write) -> Result<usize, StoreError> {
    let path = dir.join(LOG_FILE);
    let bytes = match verify::legacy_only(dir, head::read(dir)?)? {
        Some(bytes) => bytes,
        None => std::fs::read(&path).map_err(StoreError::file(&path))?,
    };
    copy_lines(&bytes, out)
}

impl credence_core::AuditSink for AuditLog {
    fn append(&self, record: AuditRecord) -> Result<(), credence_core::AuditError> {
        AuditLog::append(self, record)
            .map(|_| ())
            .map_err(|e| credence_core::AuditError::Unavailable(e.to_string()))
    }
}
