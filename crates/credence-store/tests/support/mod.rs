//! Helpers for tests on real sled files.

#![allow(dead_code)]

use std::path::Path;

mod sled_damage;
pub use sled_damage::damage_record;

/// Waits until no sled handle holds `dir`'s database (a just-dropped one's
/// background threads release the lock shortly after), so its file can be
/// changed under nobody's feet.
pub fn wait_unlocked(dir: &Path) {
    use fs2::FileExt;
    let file = std::fs::File::open(dir.join("db")).expect("open the sled file");
    for _ in 0..200 {
        if file.try_lock_exclusive().is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{} stays locked", dir.display())
}

/// Waits for the lock a just-closed sled handle's background threads may
/// still hold, then opens `dir`'s sled database directly (to write a log
/// as an earlier build did, or to read it).
pub fn raw_db(dir: &Path) -> sled::Db {
    for _ in 0..100 {
        match sled::Config::new().path(dir).flush_every_ms(None).open() {
            Ok(db) => return db,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
    panic!("{} stays locked", dir.display())
}
