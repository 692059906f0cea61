#![forbid(unsafe_code)]
//! Credence's persistence: one sled database per wallet directory, with
//! typed trees for keys, credentials and metadata, and a schema version.
//!
//! Every write is flushed to disk before the call returns. This crate knows
//! nothing about credentials' meaning; it stores bytes under names. It does
//! not (yet) encrypt at rest: callers must not point it at shared storage.

use std::path::Path;

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 1;

const META: &str = "meta";
const KEYS: &str = "keys";
const CREDENTIALS: &str = "credentials";
const SCHEMA_KEY: &[u8] = b"schema_version";

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("store I/O failed: {0}")]
    Io(#[from] sled::Error),
    /// The store was written by a newer Credence with an unknown schema.
    #[error("store schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// Version found on disk.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// Stored bytes are not what was written (bad length or encoding).
    #[error("store is corrupt: {0}")]
    Corrupt(String),
}

/// A sled-backed store.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    keys: sled::Tree,
    credentials: sled::Tree,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Creates or reopens the store in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        let db = sled::open(dir)?;
        let meta = db.open_tree(META)?;
        match meta.get(SCHEMA_KEY)? {
            None => {
                meta.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                db.flush()?;
            }
            Some(raw) => {
                let bytes: [u8; 4] = raw
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("schema version".into()))?;
                let found = u32::from_be_bytes(bytes);
                if found > SCHEMA_VERSION {
                    return Err(StoreError::SchemaTooNew {
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
            }
        }
        Ok(Self {
            keys: db.open_tree(KEYS)?,
            credentials: db.open_tree(CREDENTIALS)?,
            db,
        })
    }

    fn put(&self, tree: &sled::Tree, name: &str, value: &[u8]) -> Result<(), StoreError> {
        tree.insert(name.as_bytes(), value)?;
        self.db.flush()?;
        Ok(())
    }

    /// Stores key material under `name` (durable on return).
    pub fn put_key(&self, name: &str, material: &[u8]) -> Result<(), StoreError> {
        self.put(&self.keys, name, material)
    }

    /// Reads key material.
    pub fn get_key(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.keys.get(name.as_bytes())?.map(|v| v.to_vec()))
    }

    /// Stores a credential document under `id` (durable on return).
    pub fn put_credential(&self, id: &str, document: &[u8]) -> Result<(), StoreError> {
        self.put(&self.credentials, id, document)
    }

    /// Reads one credential document.
    pub fn get_credential(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.credentials.get(id.as_bytes())?.map(|v| v.to_vec()))
    }

    /// Every credential as `(id, document)`, ordered by id.
    pub fn credentials(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.credentials
            .iter()
            .map(|entry| {
                let (k, v) = entry?;
                let id = String::from_utf8(k.to_vec())
                    .map_err(|_| StoreError::Corrupt("credential id is not UTF-8".into()))?;
                Ok((id, v.to_vec()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persists_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            s.put_key("agent", b"secret").unwrap();
            s.put_credential("c1", b"{}").unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.get_key("agent").unwrap().unwrap(), b"secret");
        assert_eq!(
            s.credentials().unwrap(),
            vec![("c1".into(), b"{}".to_vec())]
        );
        assert_eq!(s.get_key("missing").unwrap(), None);
    }

    #[test]
    fn refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::open(dir.path()).unwrap();
            db.open_tree(META)
                .unwrap()
                .insert(SCHEMA_KEY, &(SCHEMA_VERSION + 1).to_be_bytes())
                .unwrap();
            db.flush().unwrap();
        }
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::SchemaTooNew {
                found: 2,
                supported: 1
            })
        ));
    }
}
