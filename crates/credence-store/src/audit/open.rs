//! Opening the log file: locking it, finding where it stands from the head
//! record (without reading the whole log), adopting the lines of an append
//! that was written but not yet recorded when the process died, cutting
//! the unfinished line such an append may leave, and migrating a log of an
//! earlier build.

use super::chain::{broken, Chain, Signer};
use super::head::{self, Head, HeadFile, Stored};
use super::line::{self, sha, Line};
use super::sign::{adopt_signer, mismatch, read_signer, CheckpointKey};
use super::verify::{check, split_lines, verify_audit, AuditViolation, Violation};
use super::{legacy, LOG_FILE};
use crate::StoreError;
use fs2::FileExt;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt as _;
use std::path::Path;

/// An open, locked log file and where it stands.
pub(crate) struct Opened {
    pub file: File,
    pub head_file: HeadFile,
    pub chain: Chain,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::File {
        path: path.to_owned(),
        source,
    }
}

/// The precise violation behind an inconsistency open met (`fallback` if
/// a full check somehow finds none).
fn named(dir: &Path, fallback: AuditViolation) -> StoreError {
    match verify_audit(dir, None) {
        Err(StoreError::AuditBroken(v)) => StoreError::AuditBroken(v),
        _ => StoreError::AuditBroken(fallback),
    }
}

/// Opens (creating if needed) the log in `dir` for appending with `key`.
pub(crate) fn open_log(dir: &Path, key: Option<&CheckpointKey>) -> Result<Opened, StoreError> {
    std::fs::create_dir_all(dir).map_err(StoreError::file(dir))?;
    let path = dir.join(LOG_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io(&path))?;
    if file.try_lock_exclusive().is_err() {
        return Err(StoreError::Locked(dir.to_owned()));
    }
    let recorded = read_signer(dir)?;
    let signer = match (key, &recorded) {
        (Some(k), Some(did)) if did != k.did() => return Err(mismatch(dir, did, k)),
        (Some(k), _) => Signer::Expect(k.did().to_owned()),
        (None, Some(did)) => Signer::Expect(did.clone()),
        (None, None) => Signer::Unknown,
    };
    let len = file.metadata().map_err(io(&path))?.len();
    let mut migrated = false;
    let (head_file, chain) = match head::read(dir)? {
        Stored::Valid(h) => (HeadFile::open(dir)?, resume(dir, &file, h, signer)?),
        // No head record (or one torn while it was first written): a log
        // being created, or a log of an earlier build being migrated.
        stored if len == 0 || legacy::exists(dir) => {
            if stored == Stored::Invalid {
                let head = dir.join(head::HEAD_FILE);
                std::fs::remove_file(&head).map_err(StoreError::file(&head))?;
            }
            if legacy::exists(dir) {
                migrated = true;
                migrate_or_restore(dir, &file, len, signer)?
            } else {
                let chain = Chain::new(signer);
                (HeadFile::create(dir, &chain.head)?, chain)
            }
        }
        Stored::Absent | Stored::Invalid => {
            let v = broken(0, Violation::HeadMissing, "the head record is missing");
            return Err(named(dir, v));
        }
    };
    if let Some(key) = key {
        // A migrated log's checkpoints were just checked against `key`.
        let has_checkpoints = chain.head.checkpoints > 0 && !migrated;
        adopt_signer(dir, key, recorded.as_deref(), has_checkpoints)?;
    }
    Ok(Opened {
        file,
        head_file,
        chain,
    })
}

/// Reads `len` bytes at `offset`.
fn read_at(file: &File, offset: u64, len: u64, path: &Path) -> Result<Vec<u8>, StoreError> {
    let len = usize::try_from(len).map_err(|_| StoreError::Audit("the log is too large".into()))?;
    let mut buf = vec![0u8; len];
    file.read_exact_at(&mut buf, offset).map_err(io(path))?;
    Ok(buf)
}

/// Where a log acknowledged up to `h` stands, after adopting or cutting
/// what lies beyond `h`.
fn resume(dir: &Path, file: &File, h: Head, signer: Signer) -> Result<Chain, StoreError> {
    let path = dir.join(LOG_FILE);
    let len = file.metadata().map_err(io(&path))?.len();
    let cut = || {
        let v = broken(
            h.entries,
            Violation::Truncated,
            "the log is shorter than acknowledged",
        );
        named(dir, v)
    };
    if len < h.bytes || h.last_start > h.bytes {
        return Err(cut());
    }
    let prev_entry = if h.lines == 0 {
        line::GENESIS.to_owned()
    } else {
        let last = read_at(file, h.last_start, h.bytes - h.last_start, &path)?;
        let body = match last.split_last() {
            Some((b'\n', body)) if sha(body) == h.last_line => body,
            _ => return Err(cut()),
        };
        // The recorded line must be the entry (or the checkpoint over the
        // entry) the record counts last.
        let last_seq = h.entries.checked_sub(1);
        match line::parse(body) {
            Ok(Line::Entry(e, hash)) if Some(e.seq) == last_seq => hash,
            Ok(Line::Checkpoint(c, _)) if Some(c.seq) == last_seq => c.head,
            _ => return Err(cut()),
        }
    };
    let mut chain = Chain::resume(h, prev_entry, signer);
    let tail = read_at(file, h.bytes, len - h.bytes, &path)?;
    let (lines, partial) = split_lines(&tail);
    for (start, line) in &lines {
        chain.push(h.bytes + start, line)?;
    }
    if let Some(start) = partial {
        // An append torn by a crash: never acknowledged, so cut it.
        file.set_len(h.bytes + start)
            .and_then(|_| file.sync_all())
            .map_err(io(&path))?;
    }
    Ok(chain)
}

/// [`migrate`], leaving the folder as it was (the sled log alone) when it
/// fails.
fn migrate_or_restore(
    dir: &Path,
    file: &File,
    len: u64,
    signer: Signer,
) -> Result<(HeadFile, Chain), StoreError> {
    migrate(dir, file, signer).inspect_err(|_| {
        let _ = file.set_len(0);
        if len == 0 {
            let _ = std::fs::remove_file(dir.join(LOG_FILE));
        }
    })
}

/// Moves a log of an earlier build into the file (empty and locked), then
/// creates the head record and sets sled's files aside. A crash before the
/// head record exists redoes it from the start.
fn migrate(dir: &Path, file: &File, signer: Signer) -> Result<(HeadFile, Chain), StoreError> {
    let path = dir.join(LOG_FILE);
    let bytes = legacy::read(dir)?.unwrap_or_default();
    let rule = match &signer {
        Signer::Expect(_) => signer.clone(),
        _ => Signer::FirstSeen,
    };
    // Only a log that verifies is migrated; otherwise opening fails, naming
    // the first bad entry, and the sled log stays as it is.
    check(&bytes, None, rule.clone())?;
    let mut chain = Chain::new(rule);
    let (lines, _) = split_lines(&bytes);
    for (start, line) in &lines {
        chain.push(*start, line)?;
    }
    file.set_len(0)
        .and_then(|_| file.write_all_at(&bytes, 0))
        .and_then(|_| file.sync_all())
        .map_err(io(&path))?;
    let head_file = HeadFile::create(dir, &chain.head)?;
    legacy::set_aside(dir)?;
    Ok((head_file, chain))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuditLog, AuditRecord};

    #[test]
    fn a_head_record_counting_other_entries_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let log = AuditLog::open(dir.path(), None).unwrap();
            for i in 0..3 {
                log.append(AuditRecord::new(
                    "did:key:zA",
                    "x",
                    "allow",
                    &format!("c{i}"),
                ))
                .unwrap();
            }
        }
        let Stored::Valid(mut h) = head::read(dir.path()).unwrap() else {
            panic!("a head record")
        };
        // A well-formed record that counts entries the log never held.
        h.entries = 7;
        h.lines += 2;
        HeadFile::open(dir.path()).unwrap().write(&h).unwrap();
        for outcome in [
            verify_audit(dir.path(), None).map(|_| ()),
            AuditLog::open(dir.path(), None).map(|_| ()),
        ] {
            match outcome {
                Err(StoreError::AuditBroken(v)) => {
                    assert_eq!((v.seq, v.kind), (3, Violation::Truncated), "{v}")
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
