//! Opening a sled 0.34 database, and what its errors mean to us.
//!
//! sled writes a snapshot of its page table while it opens a database
//! (`pagecache/snapshot.rs`, `write_snapshot`): first to
//! `snap.<lsn>.generating`, which it syncs and then renames to
//! `snap.<lsn>`. A process killed before the rename leaves the
//! `.generating` file behind, often torn. sled's next open takes the
//! highest-sorting `snap.*` file *including* `.generating` ones, so a torn
//! one makes the database unopenable ("corruption") although the log holds
//! every acknowledged write; and since sled reopens `.generating` files
//! without truncating them, a stale one can even be completed into a
//! corrupt `snap.<lsn>`. A `.generating` file is never a finished
//! snapshot, and the log is the source of truth, so [`open_db`] removes
//! them — under sled's own file lock, so never from under a live process —
//! before sled sees them: the state is then exactly that of a crash just
//! before the snapshot was begun, which sled recovers from its log.

use crate::contain::contain;
use crate::StoreError;
use fs2::FileExt;
use std::fs::OpenOptions;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long to wait for a lock that a just-dropped handle's background
/// threads still hold.
const LOCK_WAIT: Duration = Duration::from_millis(500);

fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

/// Removes sled's unfinished snapshots (`snap.*.generating`) in `dir` while
/// holding the lock sled takes on `dir/db`. Returns `Ok(false)` when the
/// lock is held elsewhere (nothing is touched then).
fn clear_unfinished_snapshots(dir: &Path) -> Result<bool, StoreError> {
    let db_path = dir.join("db");
    let db = match OpenOptions::new().read(true).write(true).open(&db_path) {
        Ok(f) => f,
        // No database yet: sled creates it, and there is nothing to clear.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => {
            return Err(StoreError::File {
                path: db_path,
                source: e,
            })
        }
    };
    if db.try_lock_exclusive().is_err() {
        return Ok(false);
    }
    let mut removed = false;
    for entry in std::fs::read_dir(dir).map_err(StoreError::file(dir))? {
        let entry = entry.map_err(StoreError::file(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path()).map_err(StoreError::file(entry.path()))?;
            removed = true;
        }
    }
    if removed {
        crate::fsutil::sync_parent(&db_path)?;
    }
    // Dropping `db` releases the lock; sled takes it again at once.
    Ok(true)
}

/// Opens the sled database in `dir`. sled 0.34 releases its file lock
/// only when its background I/O threads finish, shortly after the last
/// handle is dropped; a lock held that way is waited for (up to
/// [`LOCK_WAIT`]) before the directory is reported [`StoreError::Locked`]
/// (another process holding it). `background_flush` keeps sled's own
/// periodic flusher (its default); without it every write must flush.
/// Unfinished snapshots are cleared first (see the module notes), and a
/// panic of sled while it recovers is [`StoreError::Damaged`].
pub(crate) fn open_db(dir: &Path, background_flush: bool) -> Result<sled::Db, StoreError> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        let unlocked = clear_unfinished_snapshots(dir)?;
        let attempt = if unlocked {
            contain(dir, "opening the database", || {
                Ok(config(dir, background_flush).open())
            })?
        } else {
            Err(lock_error())
        };
        match attempt {
            Ok(db) => return Ok(db),
            Err(e) if is_lock_error(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) if is_lock_error(&e) => return Err(StoreError::Locked(dir.to_owned())),
            Err(other) => return Err(db_read_err(other)),
        }
    }
}

fn config(dir: &Path, background_flush: bool) -> sled::Config {
    let config = sled::Config::new().path(dir);
    if background_flush {
        config
    } else {
        config.flush_every_ms(None)
    }
}

fn lock_error() -> sled::Error {
    sled::Error::Io(std::io::Error::other("could not acquire lock"))
}

/// Maps a sled error met while reading or writing.
pub(crate) fn db_read_err(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Corruption { at, .. } => {
            StoreError::Integrity(format!("sled reports corruption at {at:?}"))
        }
        other => StoreError::Db(other),
    }
}
