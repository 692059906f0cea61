//! Every call the store makes into sled on an open database goes through
//! [`Store::sled`], which contains sled's panics (see `crate::contain`).

use super::{Inner, Store};
use crate::contain::contain;
use crate::sled_io::db_read_err;
use crate::StoreError;
use std::path::Path;
use std::sync::atomic::Ordering;

impl Store {
    /// Runs `f` on the database with sled's panics contained: the first
    /// one marks this handle damaged, and every later call refuses.
    pub(super) fn sled<T>(
        &self,
        what: &str,
        f: impl FnOnce(&sled::Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let inner = &self.inner;
        let db = match &inner.db {
            Some(db) if !inner.damaged.load(Ordering::Acquire) => db,
            _ => {
                return Err(StoreError::Damaged {
                    path: inner.dir.clone(),
                    detail: "an earlier read found the database damaged".into(),
                })
            }
        };
        let out = contain(&inner.dir, what, || f(db));
        if let Err(StoreError::Damaged { .. }) = &out {
            inner.damaged.store(true, Ordering::Release);
        }
        out
    }

    /// Every `(key, value)` under `prefix`, still sealed.
    pub(super) fn scan(
        &self,
        what: &str,
        prefix: &[u8],
    ) -> Result<Vec<(sled::IVec, sled::IVec)>, StoreError> {
        self.sled(what, |db| {
            db.scan_prefix(prefix)
                .map(|kv| kv.map_err(db_read_err))
                .collect()
        })
    }
}

/// Closes a database sled may have panicked on, containing a panic of its
/// own `Drop` (which reads its metadata page) too.
pub(super) fn close_contained(dir: &Path, db: sled::Db) {
    let _ = contain(dir, "closing the database", move || {
        drop(db);
        Ok(())
    });
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(db) = self.db.take() {
            close_contained(&self.dir, db);
        }
    }
}
