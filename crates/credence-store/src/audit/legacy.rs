//! Logs written by earlier builds, which kept the audit log in sled (trees
//! `entries` and `checkpoints` keyed by big-endian sequence numbers, in the
//! audit folder's `db`). They are read into the file format — each entry's
//! stored bytes with their hash, each checkpoint line after the entry it
//! covers — so that one verifier checks both, and [`super::AuditLog::open`]
//! migrates them once.
//!
//! Such a log has no head record: what sled dropped silently before the
//! migration (docs/durability.md) cannot be told afterwards. Reading goes
//! through the store's sled boundary, so a damaged database is
//! [`StoreError::Damaged`] or [`StoreError::Integrity`], never a panic.

use super::line::checkpoint_line;
use crate::contain::contain;
use crate::sled_io::{db_read_err, open_db};
use crate::StoreError;
use std::collections::BTreeMap;
use std::path::Path;

const SLED_FILE: &str = "db";
/// Where sled's files go once migrated (kept, never read again).
pub(crate) const MIGRATED_DIR: &str = "sled-migrated";

/// Moves sled's files (its log, config, snapshots and blobs) into
/// [`MIGRATED_DIR`], so that no sled, of this build or an older one, takes
/// the folder for a sled database again.
pub(crate) fn set_aside(dir: &Path) -> Result<(), StoreError> {
    let aside = dir.join(MIGRATED_DIR);
    std::fs::create_dir_all(&aside).map_err(StoreError::file(&aside))?;
    for entry in std::fs::read_dir(dir).map_err(StoreError::file(dir))? {
        let entry = entry.map_err(StoreError::file(dir))?;
        let name = entry.file_name();
        let n = name.to_string_lossy();
        // The log (`db`) goes last: while it is there, the move is redone.
        if n == "conf" || n == "blobs" || n.starts_with("snap.") {
            std::fs::rename(entry.path(), aside.join(&name))
                .map_err(StoreError::file(entry.path()))?;
        }
    }
    let db = dir.join(SLED_FILE);
    std::fs::rename(&db, aside.join(SLED_FILE)).map_err(StoreError::file(&db))?;
    crate::fsutil::sync_parent(&db)
}

/// True when `dir` holds a log of an earlier build.
pub(crate) fn exists(dir: &Path) -> bool {
    dir.join(SLED_FILE).is_file()
}

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;
type Trees = (Pairs, BTreeMap<Vec<u8>, Vec<u8>>);

fn read_trees(dir: &Path) -> Result<Trees, StoreError> {
    let db = open_db(dir, false)?;
    let out = contain(dir, "reading the audit log", || {
        let collect = |name: &str| -> Result<Pairs, StoreError> {
            db.open_tree(name)?
                .iter()
                .map(|kv| {
                    kv.map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .map_err(db_read_err)
                })
                .collect()
        };
        Ok((
            collect("entries")?,
            collect("checkpoints")?.into_iter().collect(),
        ))
    });
    // Closing may read sled's metadata again: contain that too.
    let closed = contain(dir, "closing the audit log", move || {
        drop(db);
        Ok(())
    });
    let trees = out?;
    closed?;
    Ok(trees)
}

/// The log in `dir`'s sled database as file-format lines; `None` when
/// there is none.
pub(crate) fn read(dir: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    if !exists(dir) {
        return Ok(None);
    }
    let (entries, mut checkpoints) = read_trees(dir)?;
    let mut out = Vec::new();
    for (key, value) in entries {
        push_entry(&mut out, &value);
        if let Some(jws) = checkpoints.remove(&key) {
            push_checkpoint(&mut out, &jws)?;
        }
    }
    // Checkpoints over entries the log no longer holds come last, where
    // the verifier reports them.
    for jws in checkpoints.into_values() {
        push_checkpoint(&mut out, &jws)?;
    }
    Ok(Some(out))
}

/// An entry's stored bytes with their hash appended (as the file holds
/// them); bytes that are not a JSON object are kept as they are, and the
/// verifier names them.
fn push_entry(out: &mut Vec<u8>, value: &[u8]) {
    let hash = super::line::digest(value);
    match value.strip_suffix(b"}") {
        Some(body) if !value.contains(&b'\n') => {
            out.extend_from_slice(body);
            out.extend_from_slice(format!(",\"hash\":\"{hash}\"}}").as_bytes());
        }
        _ => out.extend(value.iter().map(|b| if *b == b'\n' { b' ' } else { *b })),
    }
    out.push(b'\n');
}

fn push_checkpoint(out: &mut Vec<u8>, jws: &[u8]) -> Result<(), StoreError> {
    let jws = String::from_utf8_lossy(jws);
    let payload = ssi::claims::jws::decode_unverified(&jws)
        .ok()
        .and_then(|(_, p)| String::from_utf8(p).ok())
        .filter(|p| !p.contains('\n'))
        .unwrap_or_else(|| "null".into());
    out.extend_from_slice(&checkpoint_line(&payload, &jws)?);
    out.push(b'\n');
    Ok(())
}
