//! The head record beside the log file (`audit.head`): what the log held
//! when the last append was acknowledged.
//!
//! A log file cannot vouch for its own end: lines cut from it leave a
//! shorter log that is still a valid chain. So every append, once the log
//! file is synced, records here the acknowledged length, the number of
//! lines and entries, where the last line starts and its SHA-256, how many
//! entries follow the last checkpoint and the hash of that checkpoint's JWS.
//! A log shorter than this record, or whose line at the recorded end is
//! another, has lost acknowledged entries — named, never passed over.
//!
//! Like the wallet's commit record, the file holds two slots written
//! alternately and `fdatasync`ed, each `MAGIC ‖ fields ‖ first 8 bytes of
//! SHA-256(MAGIC ‖ fields)`, so a write torn mid-slot leaves the previous
//! head intact (that append's lines are then found beyond it and adopted).

use super::line::sha;
use crate::StoreError;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The head record's file name inside the audit folder.
pub const HEAD_FILE: &str = "audit.head";
const MAGIC: &[u8; 4] = b"CAH1";
const SLOT: usize = 128;
const BODY: usize = 4 + 6 * 8 + 32 + 32;

/// The acknowledged state of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Head {
    /// Lines acknowledged (entries and checkpoints).
    pub lines: u64,
    /// Bytes acknowledged: the log's length after the last append.
    pub bytes: u64,
    /// Entries acknowledged: the next entry's `seq`.
    pub entries: u64,
    /// Where the last acknowledged line starts.
    pub last_start: u64,
    /// Entries after the last checkpoint.
    pub since_checkpoint: u64,
    /// Checkpoints in the log.
    pub checkpoints: u64,
    /// SHA-256 of the last acknowledged line (without its newline).
    pub last_line: [u8; 32],
    /// SHA-256 of the last checkpoint's JWS (zeros while there is none).
    pub last_checkpoint: [u8; 32],
}

impl Head {
    fn encode(&self) -> [u8; SLOT] {
        let mut slot = [0u8; SLOT];
        slot[..4].copy_from_slice(MAGIC);
        let numbers = [
            self.lines,
            self.bytes,
            self.entries,
            self.last_start,
            self.since_checkpoint,
            self.checkpoints,
        ];
        for (i, n) in numbers.iter().enumerate() {
            slot[4 + 8 * i..12 + 8 * i].copy_from_slice(&n.to_be_bytes());
        }
        slot[52..84].copy_from_slice(&self.last_line);
        slot[84..BODY].copy_from_slice(&self.last_checkpoint);
        let check = sha(&slot[..BODY]);
        slot[SLOT - 8..].copy_from_slice(&check[..8]);
        slot
    }

    fn decode(slot: &[u8]) -> Option<Self> {
        if slot.len() != SLOT || &slot[..4] != MAGIC || slot[SLOT - 8..] != sha(&slot[..BODY])[..8]
        {
            return None;
        }
        let number = |i: usize| {
            let mut n = [0u8; 8];
            n.copy_from_slice(&slot[4 + 8 * i..12 + 8 * i]);
            u64::from_be_bytes(n)
        };
        let mut last_line = [0u8; 32];
        last_line.copy_from_slice(&slot[52..84]);
        let mut last_checkpoint = [0u8; 32];
        last_checkpoint.copy_from_slice(&slot[84..BODY]);
        Some(Self {
            lines: number(0),
            bytes: number(1),
            entries: number(2),
            last_start: number(3),
            since_checkpoint: number(4),
            checkpoints: number(5),
            last_line,
            last_checkpoint,
        })
    }
}

/// What the head record file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stored {
    /// There is no head record.
    Absent,
    /// The file holds no valid slot.
    Invalid,
    /// The newest valid slot.
    Valid(Head),
}

/// Reads the head record in `dir`.
pub(crate) fn read(dir: &Path) -> Result<Stored, StoreError> {
    let path = dir.join(HEAD_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Stored::Absent),
        Err(e) => return Err(StoreError::File { path, source: e }),
    };
    let best = bytes
        .chunks(SLOT)
        .take(2)
        .filter_map(Head::decode)
        .max_by_key(|h| h.lines);
    Ok(best.map_or(Stored::Invalid, Stored::Valid))
}

/// The open head record.
pub(crate) struct HeadFile {
    file: File,
    path: PathBuf,
}

impl HeadFile {
    /// Creates the record in `dir` (it must not exist) holding `head`.
    pub(crate) fn create(dir: &Path, head: &Head) -> Result<Self, StoreError> {
        let path = dir.join(HEAD_FILE);
        let file = crate::fsutil::create_private(&path)?;
        let record = Self { file, path };
        record.write(head)?;
        crate::fsutil::sync_parent(&record.path)?;
        Ok(record)
    }

    /// Opens the existing record in `dir` for writing.
    pub(crate) fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join(HEAD_FILE);
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(StoreError::file(&path))?;
        Ok(Self { file, path })
    }

    /// Durably records `head` in its slot (alternating by line count).
    pub(crate) fn write(&self, head: &Head) -> Result<(), StoreError> {
        let offset = (head.lines % 2) * SLOT as u64;
        self.file
            .write_all_at(&head.encode(), offset)
            .and_then(|_| self.file.sync_data())
            .map_err(StoreError::file(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_slot_falls_back_to_the_previous_head() {
        let dir = tempfile::tempdir().unwrap();
        let first = Head {
            lines: 1,
            bytes: 100,
            entries: 1,
            last_line: [7; 32],
            ..Head::default()
        };
        let second = Head {
            lines: 2,
            bytes: 300,
            entries: 1,
            last_start: 100,
            checkpoints: 1,
            last_checkpoint: [9; 32],
            ..first
        };
        let record = HeadFile::create(dir.path(), &first).unwrap();
        record.write(&second).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Stored::Valid(second));
        let path = dir.path().join(HEAD_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1; // slot 0 holds `second` (2 lines)
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Stored::Valid(first));
        bytes[SLOT + 20] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Stored::Invalid);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Stored::Absent);
    }
}
