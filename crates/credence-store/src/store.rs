//! The encrypted, durable record store.

use crate::commit::{CommitFile, COMMIT_FILE};
use crate::contain::contain;
use crate::seal::{open_bytes, seal_bytes, Keys};
use crate::sled_io::{db_read_err, open_db};
use crate::unlock::{random_key, unwrap, wrap, Kdf, KdfParams, Unlock};
use crate::StoreError;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

mod boundary;
use boundary::close_contained;

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 1;
const FORMAT: &str = "credence-wallet";
/// The wallet header's file name: it is read, and the secret checked,
/// before the database is opened, so a failed unlock touches nothing.
pub const HEADER_FILE: &str = "credence.header";
const SEQ: &[u8] = b"!seq";
const INDEX: u8 = b'i';

/// An `(id, opened value)` pair.
pub type Record = (String, Zeroizing<Vec<u8>>);

/// The kinds of records a store holds. Every value in every space is
/// sealed; the ids are stored as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// Private key material.
    Keys,
    /// Credential documents.
    Credentials,
    /// Small per-credential summaries used for listing and filtering.
    CredentialMeta,
    /// Sub-agent wallets created by this one.
    Children,
    /// Anything else the wallet keeps (settings, counters).
    Settings,
}

impl Space {
    fn prefix(self) -> u8 {
        match self {
            Self::Keys => b'k',
            Self::Credentials => b'c',
            Self::CredentialMeta => b'm',
            Self::Children => b'a',
            Self::Settings => b's',
        }
    }

    fn key(self, id: &str) -> Vec<u8> {
        let mut key = Vec::with_capacity(1 + id.len());
        key.push(self.prefix());
        key.extend_from_slice(id.as_bytes());
        key
    }
}

/// The wallet header, stored in the clear (and never rewritten): it is what
/// unlocking needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Header {
    pub format: String,
    pub schema_version: u32,
    pub kdf: Kdf,
    /// The random data key, sealed under the key derived by `kdf`.
    pub wrapped_key: String,
}

struct Inner {
    dir: PathBuf,
    /// Taken only when closing (see `Drop`).
    db: Option<sled::Db>,
    /// Set once sled panicked on this database: the handle is not used again.
    damaged: AtomicBool,
    /// Our own handle on sled's log file, to fsync it (see `commit`).
    db_file: File,
    commit: Mutex<(CommitFile, u64)>,
    keys: Keys,
    dek: Zeroizing<[u8; 32]>,
}

/// An open, unlocked store. Cheap to clone; clones share one database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

fn open_db_file(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join("db");
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .map_err(StoreError::file(&path))
}

impl Store {
    /// True when `dir` holds a wallet (its commit record exists).
    pub fn exists(dir: impl AsRef<Path>) -> bool {
        dir.as_ref().join(COMMIT_FILE).is_file()
    }

    /// Creates a new wallet store in `dir` (absent or empty), locked with
    /// `unlock`. `params` sets the Argon2id cost for passphrases.
    pub fn create(
        dir: impl AsRef<Path>,
        unlock: &Unlock,
        params: KdfParams,
    ) -> Result<Self, StoreError> {
        let dek = random_key();
        Self::create_with_key(dir.as_ref(), unlock, params, &dek)
    }

    /// Creates a store whose data key is `dek` (restore uses this).
    pub(crate) fn create_with_key(
        dir: &Path,
        unlock: &Unlock,
        params: KdfParams,
        dek: &[u8; 32],
    ) -> Result<Self, StoreError> {
        if dir.exists()
            && std::fs::read_dir(dir)
                .map_err(StoreError::file(dir))?
                .next()
                .is_some()
        {
            return Err(StoreError::AlreadyExists(dir.to_owned()));
        }
        let kdf = Kdf::new(unlock, params);
        let kek = kdf.derive(unlock)?;
        let header = Header {
            format: FORMAT.into(),
            schema_version: SCHEMA_VERSION,
            kdf,
            wrapped_key: wrap(&kek, dek)?,
        };
        let header_bytes =
            serde_json::to_vec_pretty(&header).map_err(|e| StoreError::Integrity(e.to_string()))?;
        std::fs::create_dir_all(dir).map_err(StoreError::file(dir))?;
        crate::fsutil::write_private_new(&dir.join(HEADER_FILE), &header_bytes)?;
        let db = open_db(dir, true)?;
        db.insert(SEQ, &1u64.to_be_bytes())?;
        db.flush()?;
        let db_file = open_db_file(dir)?;
        db_file
            .sync_all()
            .map_err(StoreError::file(dir.join("db")))?;
        // The commit record is written last: its presence marks a complete wallet.
        let commit = CommitFile::create(dir, 1)?;
        Self::assemble(dir, db, db_file, commit, 1, dek)
    }

    fn assemble(
        dir: &Path,
        db: sled::Db,
        db_file: File,
        commit: CommitFile,
        seq: u64,
        dek: &[u8; 32],
    ) -> Result<Self, StoreError> {
        Ok(Self {
            inner: Arc::new(Inner {
                dir: dir.to_owned(),
                db: Some(db),
                damaged: AtomicBool::new(false),
                db_file,
                commit: Mutex::new((commit, seq)),
                keys: Keys::from_data_key(dek)?,
                dek: Zeroizing::new(*dek),
            }),
        })
    }

    /// Opens and unlocks the wallet store in `dir`. Checks, in order: that
    /// it is a wallet, its schema version, the secret (before the database
    /// is opened), and that no acknowledged commit is missing.
    pub fn open(dir: impl AsRef<Path>, unlock: &Unlock) -> Result<Self, StoreError> {
        let dir = dir.as_ref();
        if !Self::exists(dir) {
            return Err(StoreError::NotAWallet(dir.to_owned()));
        }
        let header_path = dir.join(HEADER_FILE);
        let raw = std::fs::read(&header_path).map_err(StoreError::file(&header_path))?;
        let value: serde_json::Value = serde_json::from_slice(&raw)
            .map_err(|_| StoreError::Integrity(format!("{HEADER_FILE} is not JSON")))?;
        let found = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| StoreError::Integrity(format!("{HEADER_FILE} has no schema version")))?;
        if found > u64::from(SCHEMA_VERSION) {
            return Err(StoreError::SchemaTooNew {
                found: u32::try_from(found).unwrap_or(u32::MAX),
                supported: SCHEMA_VERSION,
            });
        }
        let header: Header = serde_json::from_value(value)
            .map_err(|e| StoreError::Integrity(format!("{HEADER_FILE}: {e}")))?;
        if header.format != FORMAT {
            return Err(StoreError::NotAWallet(dir.to_owned()));
        }
        // Unlock before touching the database: sled rewrites files on open.
        let kek = header.kdf.derive(unlock)?;
        let dek = unwrap(&kek, &header.wrapped_key)?;
        let (commit, acknowledged) = CommitFile::open(dir)?;
        let db = open_db(dir, true)?;
        let seq = match contain(dir, "reading the commit counter", || read_seq(&db)) {
            Ok(seq) => seq,
            Err(e) => {
                close_contained(dir, db);
                return Err(e);
            }
        };
        if seq < acknowledged {
            return Err(StoreError::Truncated {
                expected: acknowledged,
                found: seq,
            });
        }
        let db_file = open_db_file(dir)?;
        Self::assemble(dir, db, db_file, commit, seq, &dek)
    }

    pub(crate) fn data_key(&self) -> &Zeroizing<[u8; 32]> {
        &self.inner.dek
    }

    /// The wallet directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The number of commits made to this store so far.
    pub fn commits(&self) -> u64 {
        self.inner.commit.lock().map(|g| g.1).unwrap_or(0)
    }

    /// A keyed hash of `data` (hex, 128 bits): a stable identifier that
    /// reveals nothing to whoever lacks the wallet's key.
    pub fn fingerprint(&self, data: &[u8]) -> String {
        hex::encode(&self.inner.keys.keyed_hash(data)[..16])
    }

    /// Starts a batch of changes, applied atomically by [`Store::commit`].
    pub fn batch(&self) -> Batch {
        Batch {
            store: self.clone(),
            ops: sled::Batch::default(),
        }
    }

    /// Stores one value (atomic and durable on return).
    pub fn put(&self, space: Space, id: &str, value: &[u8]) -> Result<(), StoreError> {
        let mut batch = self.batch();
        batch.put(space, id, value)?;
        self.commit(batch)
    }

    /// Applies `batch` atomically and makes it durable before returning.
    ///
    /// sled's `flush` writes its buffers with `pwrite` and, on Linux, calls
    /// `sync_file_range` — which neither flushes the drive's cache nor the
    /// file's metadata. So the log file is then `fsync`ed through our own
    /// handle, and the commit record updated (see the `commit` module).
    pub fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        let inner = &self.inner;
        let mut guard = inner
            .commit
            .lock()
            .map_err(|_| StoreError::Integrity("a writer panicked mid-commit".into()))?;
        let next = guard.1 + 1;
        let mut ops = batch.ops;
        ops.insert(SEQ, &next.to_be_bytes());
        self.sled("writing", |db| {
            db.apply_batch(ops)?;
            db.flush()?;
            Ok(())
        })?;
        inner
            .db_file
            .sync_all()
            .map_err(StoreError::file(inner.dir.join("db")))?;
        guard.0.write(next)?;
        guard.1 = next;
        Ok(())
    }

    /// Reads and opens one value.
    pub fn get(&self, space: Space, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        let key = space.key(id);
        match self.sled("reading", |db| db.get(&key).map_err(db_read_err))? {
            None => Ok(None),
            Some(sealed) => self.open_value(&key, &sealed).map(Some),
        }
    }

    fn open_value(&self, key: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        open_bytes(&self.inner.keys.record, sealed, key).map_err(|()| {
            StoreError::Integrity(format!(
                "record `{}` failed authentication",
                String::from_utf8_lossy(key)
            ))
        })
    }

    /// The ids in `space`, in byte order, without opening the values.
    pub fn ids(&self, space: Space) -> Result<Vec<String>, StoreError> {
        let keys = self.sled("listing", |db| {
            db.scan_prefix([space.prefix()])
                .keys()
                .map(|k| k.map_err(db_read_err))
                .collect::<Result<Vec<_>, _>>()
        })?;
        keys.iter()
            .map(|k| {
                String::from_utf8(k[1..].to_vec())
                    .map_err(|_| StoreError::Integrity("a record id is not UTF-8".into()))
            })
            .collect()
    }

    /// Every `(id, value)` in `space`, opened, in id order.
    pub fn list(&self, space: Space) -> Result<Vec<Record>, StoreError> {
        self.scan("listing", &[space.prefix()])?
            .into_iter()
            .map(|(k, v)| {
                let value = self.open_value(&k, &v)?;
                let id = String::from_utf8(k[1..].to_vec())
                    .map_err(|_| StoreError::Integrity("a record id is not UTF-8".into()))?;
                Ok((id, value))
            })
            .collect()
    }

    /// The number of records in `space` (0 when the database turns out
    /// damaged: the next fallible call reports it).
    pub fn count(&self, space: Space) -> usize {
        self.sled("counting", |db| {
            Ok(db.scan_prefix([space.prefix()]).count())
        })
        .unwrap_or(0)
    }

    /// The ids filed under blind index `term` by [`Batch::index`].
    pub fn indexed(&self, term: &str) -> Result<Vec<String>, StoreError> {
        let prefix = self.index_prefix(term);
        self.scan("reading an index", &prefix)?
            .into_iter()
            .map(|(k, v)| {
                self.open_value(&k, &v)?;
                String::from_utf8(k[prefix.len()..].to_vec())
                    .map_err(|_| StoreError::Integrity("an indexed id is not UTF-8".into()))
            })
            .collect()
    }

    /// Every raw (still sealed) entry, for export.
    pub(crate) fn raw_entries(
        &self,
    ) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> + '_ {
        let (mut iter, mut pending) = match self.sled("exporting", |db| Ok(db.iter())) {
            Ok(it) => (Some(it), None),
            Err(e) => (None, Some(e)),
        };
        std::iter::from_fn(move || {
            if let Some(e) = pending.take() {
                return Some(Err(e));
            }
            let it = iter.as_mut()?;
            match self.sled("exporting", |_| Ok(it.next())) {
                Ok(item) => item.map(|r| r.map_err(db_read_err)),
                Err(e) => {
                    iter = None;
                    Some(Err(e))
                }
            }
        })
    }

    /// Checks a raw entry opens under this store's key (for restore).
    pub(crate) fn check_raw(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.open_value(key, value).map(|_| ())
    }

    pub(crate) fn apply_raw(&self, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Result<(), StoreError> {
        let mut batch = self.batch();
        for (k, v) in entries {
            batch.ops.insert(k, v);
        }
        self.commit(batch)
    }
}

fn read_seq(db: &sled::Db) -> Result<u64, StoreError> {
    let raw = db
        .get(SEQ)
        .map_err(db_read_err)?
        .ok_or_else(|| StoreError::Integrity("the commit counter is missing".into()))?;
    let bytes: [u8; 8] = raw
        .as_ref()
        .try_into()
        .map_err(|_| StoreError::Integrity("the commit counter is malformed".into()))?;
    Ok(u64::from_be_bytes(bytes))
}

impl Store {
    /// `INDEX ‖ HMAC(term)`: where a blind index's entries start.
    fn index_prefix(&self, term: &str) -> Vec<u8> {
        let mut prefix = vec![INDEX];
        prefix.extend_from_slice(&self.inner.keys.keyed_hash(term.as_bytes()));
        prefix
    }
}

/// Changes to apply together with [`Store::commit`]. It shares the store's
/// keys rather than copying them.
pub struct Batch {
    store: Store,
    ops: sled::Batch,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batch")
    }
}

impl Batch {
    /// Seals and stages `value` under `space`/`id`.
    pub fn put(&mut self, space: Space, id: &str, value: &[u8]) -> Result<&mut Self, StoreError> {
        let key = space.key(id);
        let sealed = seal_bytes(&self.store.inner.keys.record, value, &key)?;
        self.ops.insert(key, sealed);
        Ok(self)
    }

    /// Stages the removal of `space`/`id`.
    pub fn delete(&mut self, space: Space, id: &str) -> &mut Self {
        self.ops.remove(space.key(id));
        self
    }

    /// Files `id` under the blind index `term` (the term is stored only as
    /// an HMAC under the wallet's key).
    pub fn index(&mut self, term: &str, id: &str) -> Result<&mut Self, StoreError> {
        let mut key = self.store.index_prefix(term);
        key.extend_from_slice(id.as_bytes());
        let sealed = seal_bytes(&self.store.inner.keys.record, &[], &key)?;
        self.ops.insert(key, sealed);
        Ok(self)
    }

    /// Removes `id` from the blind index `term`.
    pub fn unindex(&mut self, term: &str, id: &str) -> &mut Self {
        let mut key = self.store.index_prefix(term);
        key.extend_from_slice(id.as_bytes());
        self.ops.remove(key);
        self
    }
}
