//! Small file helpers: owner-only files and directory syncs.

use crate::StoreError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Opens `path` for writing with mode 0600 (Unix), failing if it exists.
pub fn create_private(path: &Path) -> Result<File, StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(StoreError::file(path))
}

/// Writes a new owner-only file and syncs it and its directory.
pub fn write_private_new(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut file = create_private(path)?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(StoreError::file(path))?;
    sync_parent(path)
}

/// Fsyncs the directory holding `path`, so a new entry in it is durable.
pub fn sync_parent(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(StoreError::file(dir))?;
    }
    Ok(())
}
