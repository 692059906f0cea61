//! The verifier's mutable state behind one trait: what makes a nonce,
//! a DPoP `jti`, a step token or a response code single-use, and what
//! makes a token revoked. Every entry expires; the backends (sled for one
//! node, Redis for replicas: `credence-store`) keep it across restarts and
//! share it across replicas. [`MemoryState`] is for tests and embedders
//! that accept losing it on restart.
//!
//! The operations are the atomic ones the checks need: store-if-absent
//! (`SET NX`), read, take-once (`GETDEL`) and overwrite. A backend that
//! cannot answer returns [`StateError::Unavailable`], and the caller
//! refuses (fail closed): no token is minted without its single-use record.

mod key;
mod memory;

pub use key::StateKey;
pub use memory::MemoryState;

use std::future::Future;
use std::pin::Pin;

/// A future a [`VerifierState`] returns.
pub type StateFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StateError>> + Send + 'a>>;

/// Why the state backend could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The backend is unreachable, timed out or failed to write: the
    /// decision waiting on it is refused, to be retried later.
    #[error("state backend unavailable: {0}")]
    Unavailable(String),
    /// A stored entry is not in the format this version writes.
    #[error("state entry unreadable: {0}")]
    Corrupt(String),
}

impl StateError {
    /// The reason code on the wire (`temporarily_unavailable`, OAuth's).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "temporarily_unavailable",
            Self::Corrupt(_) => "state_corrupt",
        }
    }
}

/// Atomic, expiring key-value operations: the verifier state backend.
///
/// Times are Unix seconds of the caller's clock; `expires_at` ≤ `now`
/// still keeps an entry for one second (an entry is never stored dead).
/// An expired entry reads as absent.
pub trait VerifierState: Send + Sync + std::fmt::Debug {
    /// Stores `value` at `key` until `expires_at` unless a live entry is
    /// there: true when stored. Of concurrent callers, exactly one wins.
    fn insert_new<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, bool>;

    /// Stores `value` at `key` until `expires_at`, replacing what was there.
    fn put<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, ()>;

    /// The live entry at `key`.
    fn get<'a>(&'a self, key: &'a StateKey, now: i64) -> StateFuture<'a, Option<Vec<u8>>>;

    /// Removes and returns the live entry at `key`: of concurrent callers,
    /// at most one gets it.
    fn take<'a>(&'a self, key: &'a StateKey, now: i64) -> StateFuture<'a, Option<Vec<u8>>>;

    /// Whether the backend answers (readiness).
    fn ping(&self) -> StateFuture<'_, ()>;

    /// Where the state lives, for logs (`sled:/var/lib/…`, `redis://…`),
    /// without credentials.
    fn describe(&self) -> String;
}

/// How much longer than its own window a replay mark is kept: a proof or
/// token accepted until `t` (inclusive) at a replica whose clock runs up
/// to [`crate::MAX_CLOCK_SKEW_SECS`] behind the one that marked it is
/// still refused.
pub const REPLAY_MARGIN_SECS: i64 = crate::MAX_CLOCK_SKEW_SECS + 1;

/// Until when a replay mark for something acceptable until `t` is kept.
pub fn replay_mark_until(t: i64) -> i64 {
    t.saturating_add(REPLAY_MARGIN_SECS)
}

/// Seconds an entry stored at `now` lives: at least one.
pub fn ttl_secs(expires_at: i64, now: i64) -> u64 {
    expires_at.saturating_sub(now).max(1) as u64
}
