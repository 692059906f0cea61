#![forbid(unsafe_code)]
//! Credence's persistence: one encrypted sled database per wallet directory.
//!
//! Every value is sealed with XChaCha20-Poly1305 under a random data key;
//! the data key is wrapped under a key derived from a passphrase (Argon2id)
//! or a key file (HKDF-SHA-256). Record names are bound into each seal, so a
//! value moved, altered or swapped fails authentication with a clear
//! [`StoreError::Integrity`]. Writes go in atomic batches and are durable when
//! [`Store::commit`] returns (see `docs/durability.md` for what sled 0.34
//! does and does not guarantee, and what this crate adds). Whole wallets
//! export to a single encrypted file and restore elsewhere.
//!
//! Beside wallets it keeps the append-only, hash-chained [`AuditLog`] with
//! signed checkpoints — a plain JSON-lines file with a head record, not
//! sled — which any role can open in its own directory. sled's panics on
//! damaged files are contained at this crate's boundary
//! ([`StoreError::Damaged`]).
//!
//! This crate knows nothing about credentials' meaning: it stores bytes
//! under names in a few [`Space`]s, plus keyed blind indexes. Unix only.
//!
//! ```
//! use credence_store::{KdfParams, Space, Store, Unlock};
//! let dir = tempfile::tempdir()?;
//! let secret = Unlock::passphrase("correct horse battery staple");
//! let store = Store::create(dir.path().join("w"), &secret, KdfParams::minimal())?;
//! store.put(Space::Settings, "greeting", b"hello")?;
//! drop(store);
//! let store = Store::open(dir.path().join("w"), &secret)?;
//! assert_eq!(store.get(Space::Settings, "greeting")?.as_deref().map(Vec::as_slice), Some(&b"hello"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod audit;
mod commit;
mod contain;
mod error;
mod export;
pub mod fsutil;
mod seal;
mod sled_io;
pub mod state;
mod store;
mod unlock;

pub use audit::{
    export_audit, verify_audit, AuditEntry, AuditLog, AuditRecord, AuditReport, AuditViolation,
    Checkpoint, CheckpointKey, Violation, AUDIT_DIR, CHECKPOINT_EVERY,
};
pub use commit::COMMIT_FILE;
pub use error::StoreError;
pub use export::ExportSummary;
pub use state::{open_state, RedisOptions, RedisState, SledState, StateLocation};
pub use store::{Batch, Record, Space, Store, HEADER_FILE, SCHEMA_VERSION};
pub use unlock::{KdfParams, Unlock, MIN_KEY_FILE_LEN};
