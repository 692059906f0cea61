//! The append-only, hash-chained audit log with signed checkpoints.
//!
//! Each entry records who acted (`actor`), on whose behalf (`principal`),
//! through which delegation path (`chain`), what (`action`), the `decision` and its `reason`, under a `correlation`
//! id, and the SHA-256 digest of the previous entry's stored bytes. Every
//! [`CHECKPOINT_EVERY`] entries (and on [`AuditLog::checkpoint`]) the log
//! signs `{seq, head}` with an Ed25519 key named by a did:key, so an edit,
//! deletion, reordering, or a tail cut below a checkpoint is detected by
//! [`verify_audit`]. The log is not encrypted: it holds DIDs, decisions and
//! reason codes, never secrets or disclosed claim values.

use crate::sled_io::db_read_err;
use crate::StoreError;
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ssi::claims::jws::{self, Header};
use ssi::dids::DIDKey;
use ssi::jwk::Algorithm;
use ssi::JWK;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The audit database's folder inside a wallet or verifier directory.
pub const AUDIT_DIR: &str = "audit";

/// A checkpoint is signed after this many entries.
pub const CHECKPOINT_EVERY: u64 = 16;

const ENTRIES: &str = "entries";
const CHECKPOINTS: &str = "checkpoints";
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    /// Hex SHA-256 of the previous entry's stored bytes (zeros for the first).
    pub prev: String,
}

/// The signed statement "the log's entry `seq` has digest `head`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The last entry covered.
    pub seq: u64,
    /// Hex SHA-256 of that entry's stored bytes.
    pub head: String,
    /// When it was signed.
    pub time: String,
    /// The did:key of the signing key.
    pub signer: String,
}

/// Signs checkpoints with an Ed25519 key.
pub struct CheckpointKey {
    key: JWK,
    did: String,
}

impl CheckpointKey {
    /// Uses `key` (an Ed25519 JWK with its private part; anything else is
    /// refused here rather than failing at the first checkpoint).
    pub fn new(key: JWK) -> Result<Self, StoreError> {
        let ed25519 = matches!(&key.params, ssi::jwk::Params::OKP(p) if p.curve == "Ed25519");
        if !ed25519 || key.is_public() {
            return Err(StoreError::Audit(
                "checkpoint key: an Ed25519 key with its private part is needed".into(),
            ));
        }
        let did = DIDKey::generate(&key.to_public())
            .map_err(|e| StoreError::Audit(format!("checkpoint key: {e}")))?
            .to_string();
        Ok(Self { key, did })
    }

    /// The did:key checkpoints name as their signer.
    pub fn did(&self) -> &str {
        &self.did
    }
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Clone)]
struct Head {
    next: u64,
    digest: String,
    since_checkpoint: u64,
}

/// An open audit log. Appends are serialized and durable when they return.
pub struct AuditLog {
    dir: PathBuf,
    db: sled::Db,
    entries: sled::Tree,
    checkpoints: sled::Tree,
    key: Option<CheckpointKey>,
    head: Mutex<Head>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn open_trees(dir: &Path) -> Result<(sled::Db, sled::Tree, sled::Tree), StoreError> {
    // No background flusher: every append flushes itself.
    let db = crate::sled_io::open_db(dir, false)?;
    let entries = db.open_tree(ENTRIES)?;
    let checkpoints = db.open_tree(CHECKPOINTS)?;
    Ok((db, entries, checkpoints))
}

/// Opens the trees of an existing log; a missing folder is an error.
fn open_existing(dir: &Path) -> Result<(sled::Db, sled::Tree, sled::Tree), StoreError> {
    if !dir.join("db").is_file() {
        return Err(StoreError::Audit(format!(
            "{} holds no audit log",
            dir.display()
        )));
    }
    open_trees(dir)
}

impl AuditLog {
    /// Opens (creating if needed) the log in `dir`, signing checkpoints
    /// with `key` when given.
    pub fn open(dir: impl AsRef<Path>, key: Option<CheckpointKey>) -> Result<Self, StoreError> {
        let dir = dir.as_ref().to_owned();
        std::fs::create_dir_all(&dir).map_err(StoreError::file(&dir))?;
        let (db, entries, checkpoints) = open_trees(&dir)?;
        let head = match entries.last().map_err(db_read_err)? {
            Some((k, v)) => Head {
                next: seq_of(&k)? + 1,
                digest: digest(&v),
                since_checkpoint: 0,
            },
            None => Head {
                next: 0,
                digest: GENESIS.into(),
                since_checkpoint: 0,
            },
        };
        Ok(Self {
            dir,
            db,
            entries,
            checkpoints,
            key,
            head: Mutex::new(head),
        })
    }

    /// The directory of this log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends `record`; durable on return. Signs a checkpoint every
    /// [`CHECKPOINT_EVERY`] entries.
    pub fn append(&self, record: AuditRecord) -> Result<AuditEntry, StoreError> {
        let mut head = self.head.lock().unwrap_or_else(|p| p.into_inner());
        let entry = AuditEntry {
            seq: head.next,
            time: now(),
            record,
            prev: head.digest.clone(),
        };
        let bytes = serde_json::to_vec(&entry).map_err(|e| StoreError::Audit(e.to_string()))?;
        // The head moves only once the entry is durable: after a failed
        // write the next append takes the same position again.
        let mut next = head.clone();
        self.entries
            .insert(entry.seq.to_be_bytes(), bytes.as_slice())?;
        next.next += 1;
        next.digest = digest(&bytes);
        next.since_checkpoint += 1;
        if next.since_checkpoint >= CHECKPOINT_EVERY {
            self.sign_checkpoint(&mut next)?;
        }
        self.db.flush()?;
        *head = next;
        Ok(entry)
    }

    /// Signs a checkpoint over the current head now (services call this
    /// when they stop). Without a key, or with nothing new, does nothing.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let mut head = self.head.lock().unwrap_or_else(|p| p.into_inner());
        if head.since_checkpoint > 0 {
            let mut next = head.clone();
            self.sign_checkpoint(&mut next)?;
            self.db.flush()?;
            *head = next;
        }
        Ok(())
    }

    fn sign_checkpoint(&self, head: &mut Head) -> Result<(), StoreError> {
        let Some(key) = &self.key else {
            return Ok(());
        };
        let Some(seq) = head.next.checked_sub(1) else {
            return Ok(());
        };
        let checkpoint = Checkpoint {
            seq,
            head: head.digest.clone(),
            time: now(),
            signer: key.did.clone(),
        };
        let payload =
            serde_json::to_string(&checkpoint).map_err(|e| StoreError::Audit(e.to_string()))?;
        let header = Header {
            algorithm: Algorithm::EdDSA,
            key_id: Some(key.did.clone()),
            jwk: Some(key.key.to_public()),
            ..Default::default()
        };
        let jws = jws::encode_sign_custom_header(&payload, &key.key, &header)
            .map_err(|e| StoreError::Audit(format!("signing a checkpoint: {e}")))?;
        self.checkpoints.insert(seq.to_be_bytes(), jws.as_bytes())?;
        head.since_checkpoint = 0;
        Ok(())
    }

    /// Every entry, in order, as stored (unverified: see [`verify_audit`]).
    pub fn entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        read_entries(&self.entries)
    }

    /// Writes every entry as one JSON object per line, then every
    /// checkpoint as `{"checkpoint": …, "jws": …}` lines, for SIEMs.
    pub fn export_jsonl(&self, out: &mut dyn std::io::Write) -> Result<usize, StoreError> {
        export(&self.entries, &self.checkpoints, out)
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        // Best effort: a failed final checkpoint shows in `verify_audit` as
        // entries after the last checkpoint, which is reported, not hidden.
        let _ = self.checkpoint();
    }
}

fn seq_of(key: &[u8]) -> Result<u64, StoreError> {
    let bytes: [u8; 8] = key
        .try_into()
        .map_err(|_| StoreError::Audit("an audit key is not a sequence number".into()))?;
    Ok(u64::from_be_bytes(bytes))
}

fn read_entries(tree: &sled::Tree) -> Result<Vec<AuditEntry>, StoreError> {
    tree.iter()
        .map(|kv| {
            let (_, v) = kv.map_err(db_read_err)?;
            serde_json::from_slice(&v).map_err(|e| StoreError::Audit(e.to_string()))
        })
        .collect()
}

fn export(
    entries: &sled::Tree,
    checkpoints: &sled::Tree,
    out: &mut dyn std::io::Write,
) -> Result<usize, StoreError> {
    let io = |e: std::io::Error| StoreError::Audit(format!("export: {e}"));
    let mut lines = 0;
    for kv in entries.iter() {
        let (_, v) = kv.map_err(db_read_err)?;
        out.write_all(&v).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
        lines += 1;
    }
    for kv in checkpoints.iter() {
        let (_, v) = kv.map_err(db_read_err)?;
        let jws = String::from_utf8_lossy(&v).into_owned();
        let checkpoint = jws::decode_unverified(&jws)
            .ok()
            .and_then(|(_, p)| serde_json::from_slice::<Checkpoint>(&p).ok());
        let line = serde_json::json!({"checkpoint": checkpoint, "jws": jws});
        writeln!(out, "{line}").map_err(io)?;
        lines += 1;
    }
    Ok(lines)
}

mod verify;
pub use verify::{verify_audit, AuditReport, AuditViolation, Violation};

/// Opens the log in `dir` read-only in spirit (nothing is appended) and
/// exports it; for `credence audit export`.
pub fn export_audit(dir: &Path, out: &mut dyn std::io::Write) -> Result<usize, StoreError> {
    let (_db, entries, checkpoints) = open_existing(dir)?;
    export(&entries, &checkpoints, out)
}

impl credence_core::AuditSink for AuditLog {
    fn append(&self, record: AuditRecord) -> Result<(), credence_core::AuditError> {
        AuditLog::append(self, record)
            .map(|_| ())
            .map_err(|e| credence_core::AuditError::Unavailable(e.to_string()))
    }
}
