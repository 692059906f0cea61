//! The commit record kept beside the sled database.
//!
//! sled 0.34 treats a log entry whose checksum fails as the torn end of its
//! log and silently drops it *and everything after it* on recovery (measured:
//! docs/durability.md). So that such a loss is detected instead of passing
//! unnoticed, every commit bumps a sequence number inside the database and,
//! once the database is durable, records it here too. On open, a database
//! behind this file has lost acknowledged writes.
//!
//! The file holds two 32-byte slots written alternately, each
//! `magic ‖ seq (u64 BE) ‖ 12 zero bytes ‖ first 8 bytes of SHA-256(magic ‖ seq)`,
//! so a write torn mid-slot leaves the other slot intact.

use crate::StoreError;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The file's name inside a wallet directory.
pub const COMMIT_FILE: &str = "credence.commit";
const MAGIC: &[u8; 4] = b"CRC1";
const SLOT: usize = 32;

fn slot_bytes(seq: u64) -> [u8; SLOT] {
    let mut slot = [0u8; SLOT];
    slot[..4].copy_from_slice(MAGIC);
    slot[4..12].copy_from_slice(&seq.to_be_bytes());
    let digest = Sha256::digest(&slot[..12]);
    slot[24..].copy_from_slice(&digest[..8]);
    slot
}

fn parse_slot(slot: &[u8]) -> Option<u64> {
    if slot.len() != SLOT || &slot[..4] != MAGIC {
        return None;
    }
    let digest = Sha256::digest(&slot[..12]);
    if slot[24..] != digest[..8] {
        return None;
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&slot[4..12]);
    Some(u64::from_be_bytes(seq))
}

/// The open commit record.
pub(crate) struct CommitFile {
    file: File,
    path: PathBuf,
}

impl CommitFile {
    /// Creates the record (fails if it exists) holding `seq`.
    pub(crate) fn create(dir: &Path, seq: u64) -> Result<Self, StoreError> {
        let path = dir.join(COMMIT_FILE);
        let file = crate::fsutil::create_private(&path)?;
        let record = Self { file, path };
        record.write(seq)?;
        crate::fsutil::sync_parent(&record.path)?;
        Ok(record)
    }

    /// Opens the record and returns the highest valid sequence in it.
    pub(crate) fn open(dir: &Path) -> Result<(Self, u64), StoreError> {
        let path = dir.join(COMMIT_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(StoreError::file(&path))?;
        let mut bytes = [0u8; 2 * SLOT];
        let len = file
            .read_at(&mut bytes, 0)
            .map_err(StoreError::file(&path))?;
        let seq = bytes[..len]
            .chunks(SLOT)
            .filter_map(parse_slot)
            .max()
            .ok_or_else(|| {
                StoreError::Integrity(format!("{COMMIT_FILE} holds no valid commit record"))
            })?;
        Ok((Self { file, path }, seq))
    }

    /// Durably records `seq` in its slot.
    pub(crate) fn write(&self, seq: u64) -> Result<(), StoreError> {
        let offset = (seq % 2) * SLOT as u64;
        self.file
            .write_all_at(&slot_bytes(seq), offset)
            .and_then(|_| self.file.sync_data())
            .map_err(StoreError::file(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_slot_falls_back_to_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let record = CommitFile::create(dir.path(), 1).unwrap();
        record.write(2).unwrap();
        assert_eq!(CommitFile::open(dir.path()).unwrap().1, 2);
        // Damage slot 0 (seq 2): slot 1 (seq 1) remains.
        let path = dir.path().join(COMMIT_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[6] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(CommitFile::open(dir.path()).unwrap().1, 1);
        bytes[SLOT + 6] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            CommitFile::open(dir.path()),
            Err(StoreError::Integrity(_))
        ));
    }
}
