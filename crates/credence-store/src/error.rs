//! The store's error type.

use std::path::PathBuf;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The sled database could not be opened, read or written.
    #[error("store I/O failed: {0}")]
    Db(#[from] sled::Error),
    /// A file beside the database could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The directory holds no Credence wallet.
    #[error("{0} is not a Credence wallet (run `credence wallet init` first)")]
    NotAWallet(PathBuf),
    /// `create` was pointed at a directory that is not empty.
    #[error("{0} already exists and is not empty; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    /// Another process (or handle) has the wallet open.
    #[error("the wallet at {0} is in use by another process")]
    Locked(PathBuf),
    /// The store was written by a newer Credence with an unknown schema.
    #[error("store schema version {found} is newer than this build supports ({supported}); upgrade Credence")]
    SchemaTooNew {
        /// Version found on disk.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// The passphrase or key file does not unlock this wallet. Nothing was
    /// read or changed.
    #[error("wrong passphrase or key file: it does not unlock this wallet (nothing was changed)")]
    WrongSecret,
    /// The key file is missing, unreadable or too short.
    #[error("key file {path}: {reason}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The passphrase is empty or the KDF parameters are out of range.
    #[error("key derivation failed: {0}")]
    Kdf(String),
    /// Stored bytes failed authentication or are not what was written.
    #[error("integrity check failed: {0}; the wallet has been damaged or tampered with — restore it from an export")]
    Integrity(String),
    /// A database file is damaged in a way sled's checksums did not catch:
    /// sled failed (panicked) reading it. The handle that met it refuses
    /// every later call.
    #[error("{path} is damaged: {detail} — restore it from an export")]
    Damaged {
        /// The database directory.
        path: PathBuf,
        /// What sled was doing and what it reported.
        detail: String,
    },
    /// Writes acknowledged earlier are missing from the database.
    #[error("integrity check failed: the database holds {found} commits but {expected} were acknowledged; sled dropped the tail of its log (a damaged file) — restore it from an export")]
    Truncated {
        /// Commits acknowledged (recorded beside the database).
        expected: u64,
        /// Commits the database holds.
        found: u64,
    },
    /// The audit log could not be written or read.
    #[error("audit log: {0}")]
    Audit(String),
    /// The audit log's checkpoints are signed by another key than the one
    /// it was opened with, or its signer key file is missing or unreadable.
    #[error("{path}: {reason}")]
    AuditSigner {
        /// The signer key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The audit log was edited, cut, reordered or has a bad checkpoint.
    #[error(transparent)]
    AuditBroken(#[from] crate::AuditViolation),
    /// The verifier state location is malformed or its backend could not
    /// be opened.
    #[error("verifier state: {0}")]
    State(String),
    /// An export file is malformed, truncated or not an export.
    #[error("invalid export: {0}")]
    BadExport(String),
}

impl StoreError {
    /// Maps an I/O error on `path` to [`StoreError::File`].
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::File { path, source }
    }
}
