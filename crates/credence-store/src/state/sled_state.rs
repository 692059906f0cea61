//! The verifier state in a sled database: one node, durable. Each value
//! is stored as its expiry (8 bytes, big-endian Unix seconds) and the
//! bytes; an expired entry reads as absent and is swept now and then.
//! Every write is flushed before it is acknowledged: a consumed nonce or a
//! revoked token survives a crash.

use crate::sled_io::open_db;
use crate::StoreError;
use credence_core::state::StateFuture;
use credence_core::{StateError, StateKey, VerifierState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes between sweeps of expired entries.
const SWEEP_EVERY: u64 = 2048;

/// [`VerifierState`] in a sled database.
#[derive(Debug)]
pub struct SledState {
    db: sled::Db,
    tree: sled::Tree,
    path: PathBuf,
    writes: AtomicU64,
}

fn unavailable(e: impl std::fmt::Display) -> StateError {
    StateError::Unavailable(format!("sled: {e}"))
}

fn encode(value: &[u8], expires_at: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + value.len());
    out.extend_from_slice(&expires_at.to_be_bytes());
    out.extend_from_slice(value);
    out
}

/// The expiry of a stored value, and its bytes.
fn decode(stored: &[u8]) -> Result<(i64, &[u8]), StateError> {
    let (exp, value) = stored
        .split_first_chunk::<8>()
        .ok_or_else(|| StateError::Corrupt("sled entry shorter than its expiry".into()))?;
    Ok((i64::from_be_bytes(*exp), value))
}

impl SledState {
    /// Opens (or creates) the state database in `dir`. Another process
    /// holding it is [`StoreError::Locked`]: replicas share Redis instead.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(StoreError::file(dir))?;
        let db = open_db(dir, true).map_err(|e| match e {
            StoreError::Locked(dir) => StoreError::State(format!(
                "{} is in use by another process (replicas share a Redis state instead)",
                dir.display()
            )),
            other => other,
        })?;
        let tree = db.open_tree("verifier_state").map_err(StoreError::Db)?;
        Ok(Self {
            db,
            tree,
            path: dir.to_owned(),
            writes: AtomicU64::new(0),
        })
    }

    /// Live entries (expired ones not yet swept are not counted).
    pub fn live_entries(&self, now: i64) -> usize {
        self.tree
            .iter()
            .values()
            .filter_map(Result::ok)
            .filter(|v| decode(v).is_ok_and(|(exp, _)| exp > now))
            .count()
    }

    /// Removes every expired entry.
    fn sweep(&self, now: i64) {
        for (key, value) in self.tree.iter().filter_map(Result::ok) {
            if decode(&value).is_ok_and(|(exp, _)| exp <= now) {
                // Only if unchanged: a fresh write to the key stays.
                let _ = self.tree.compare_and_swap(key, Some(value), None::<&[u8]>);
            }
        }
    }

    async fn durable(&self, now: i64) -> Result<(), StateError> {
        if self.writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep(now);
        }
        // Not sled's `flush_async`: with many in flight at once it can wait
        // for good on sled's own thread pool (sled issues #1241, #1308).
        // A blocking flush on tokio's blocking pool leaves sled's pool free
        // for the writes the flush waits on.
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| StateError::Unavailable(format!("sled flush task: {e}")))?
            .map(|_| ())
            .map_err(unavailable)
    }

    fn insert_new_now(
        &self,
        key: &StateKey,
        value: &[u8],
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StateError> {
        let new = encode(value, expires_at.max(now + 1));
        loop {
            let current = self.tree.get(key.as_str()).map_err(unavailable)?;
            if let Some(stored) = &current {
                if decode(stored)?.0 > now {
                    return Ok(false);
                }
            }
            match self
                .tree
                .compare_and_swap(key.as_str(), current, Some(new.as_slice()))
                .map_err(unavailable)?
            {
                Ok(()) => return Ok(true),
                // Another writer came first: look again.
                Err(_) => continue,
            }
        }
    }

    fn take_now(&self, key: &StateKey, now: i64) -> Result<Option<Vec<u8>>, StateError> {
        let Some(stored) = self.tree.remove(key.as_str()).map_err(unavailable)? else {
            return Ok(None);
        };
        let (exp, value) = decode(&stored)?;
        Ok((exp > now).then(|| value.to_vec()))
    }
}

impl VerifierState for SledState {
    fn insert_new<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, bool> {
        Box::pin(async move {
            let stored = self.insert_new_now(key, value, expires_at, now)?;
            if stored {
                self.durable(now).await?;
            }
            Ok(stored)
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, ()> {
        Box::pin(async move {
            let new = encode(value, expires_at.max(now + 1));
            self.tree.insert(key.as_str(), new).map_err(unavailable)?;
            self.durable(now).await
        })
    }

    fn get<'a>(&'a self, key: &'a StateKey, now: i64) -> StateFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let Some(stored) = self.tree.get(key.as_str()).map_err(unavailable)? else {
                return Ok(None);
            };
            let (exp, value) = decode(&stored)?;
            Ok((exp > now).then(|| value.to_vec()))
        })
    }

    fn take<'a>(&'a self, key: &'a StateKey, now: i64) -> StateFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let taken = self.take_now(key, now)?;
            self.durable(now).await?;
            Ok(taken)
        })
    }

    fn ping(&self) -> StateFuture<'_, ()> {
        Box::pin(async move { self.tree.get(b"ping").map(|_| ()).map_err(unavailable) })
    }

    fn describe(&self) -> String {
        format!("sled:{}", self.path.display())
    }
}
