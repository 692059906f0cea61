//! Backends of the verifier state ([`credence_core::VerifierState`]):
//! [`SledState`] in a directory of one node (survives restarts) and
//! [`RedisState`] on a Redis server that replicas share. [`open_state`]
//! picks one from `sled:DIR` or `redis://HOST:PORT/DB`.

mod redis_state;
mod sled_state;

pub use redis_state::{RedisOptions, RedisState};
pub use sled_state::SledState;

use crate::StoreError;
use credence_core::VerifierState;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the verifier state lives, parsed from a `--state` value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateLocation {
    /// `sled:DIR`: a sled database in `DIR` (one process at a time).
    Sled(PathBuf),
    /// `redis://…`: a Redis server (replicas share it).
    Redis(String),
}

impl std::str::FromStr for StateLocation {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(dir) = s.strip_prefix("sled:") {
            if dir.is_empty() {
                return Err(StoreError::State(
                    "sled: needs a directory (sled:DIR or redis://HOST:PORT/DB)".into(),
                ));
            }
            return Ok(Self::Sled(PathBuf::from(dir)));
        }
        if s.starts_with("rediss://") {
            return Err(StoreError::State(
                "rediss:// (TLS) is not built in: reach Redis over a private network or a TLS tunnel (sled:DIR or redis://HOST:PORT/DB)".into(),
            ));
        }
        if s.starts_with("redis://") {
            return Ok(Self::Redis(s.to_owned()));
        }
        Err(StoreError::State(format!(
            "state {s:?}: expected sled:DIR or redis://HOST:PORT/DB"
        )))
    }
}

/// Opens the state at `location`: the sled database (created if absent),
/// or a Redis connection (lazy: an unreachable server fails requests,
/// closed, until it answers).
pub fn open_state(location: &StateLocation) -> Result<Arc<dyn VerifierState>, StoreError> {
    Ok(match location {
        StateLocation::Sled(dir) => Arc::new(SledState::open(dir)?),
        StateLocation::Redis(url) => Arc::new(RedisState::connect(url, RedisOptions::default())?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_bad_ones_are_refused() {
        assert_eq!(
            "sled:/tmp/x".parse::<StateLocation>().unwrap(),
            StateLocation::Sled("/tmp/x".into())
        );
        assert_eq!(
            "redis://127.0.0.1:6379/2".parse::<StateLocation>().unwrap(),
            StateLocation::Redis("redis://127.0.0.1:6379/2".into())
        );
        for bad in ["sled:", "/tmp/x", "memcached://x", "", "rediss://h:6380/0"] {
            assert!(
                matches!(bad.parse::<StateLocation>(), Err(StoreError::State(_))),
                "{bad}"
            );
        }
    }
}
