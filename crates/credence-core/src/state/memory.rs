//! State in this process's memory: lost on restart, not shared. For tests
//! and embedders that accept that; services use a durable backend.

use super::{StateError, StateFuture, StateKey, VerifierState};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Entries beyond which expired ones are swept on the next write.
const SWEEP_AT: usize = 4096;

/// In-memory [`VerifierState`].
#[derive(Debug, Default)]
pub struct MemoryState {
    entries: Mutex<HashMap<StateKey, (i64, Vec<u8>)>>,
}

impl MemoryState {
    fn lock(&self) -> MutexGuard<'_, HashMap<StateKey, (i64, Vec<u8>)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write(
        &self,
        key: &StateKey,
        value: &[u8],
        expires_at: i64,
        now: i64,
        replace: bool,
    ) -> bool {
        let mut map = self.lock();
        if map.len() >= SWEEP_AT {
            map.retain(|_, (exp, _)| *exp > now);
        }
        let live = map.get(key).is_some_and(|(exp, _)| *exp > now);
        if live && !replace {
            return false;
        }
        map.insert(key.clone(), (expires_at.max(now + 1), value.to_vec()));
        true
    }
}

fn ready<'a, T: Send + 'a>(value: Result<T, StateError>) -> StateFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl VerifierState for MemoryState {
    fn insert_new<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, bool> {
        ready(Ok(self.write(key, value, expires_at, now, false)))
    }

    fn put<'a>(
        &'a self,
        key: &'a StateKey,
        value: &'a [u8],
        expires_at: i64,
        now: i64,
    ) -> StateFuture<'a, ()> {
        self.write(key, value, expires_at, now, true);
        ready(Ok(()))
    }

    fn get<'a>(&'a self, key: &'a StateKey, now: i64) -> StateFuture<'a, Option<Vec<u8>>> {
        let map = self.lock();
        let live = map.get(key).filter(|(exp, _)| *exp > now);
        ready(Ok(live.map(|(_, v)| v.clone())))
    }

    fn take<'a>(&'a self, key: &'a StateKey, now: i64) -> StateFuture<'a, Option<Vec<u8>>> {
        let taken = self.lock().remove(key).filter(|(exp, _)| *exp > now);
        ready(Ok(taken.map(|(_, v)| v)))
    }

    fn ping(&self) -> StateFuture<'_, ()> {
        ready(Ok(()))
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_are_stored_once_taken_once_and_expire() {
        let state = MemoryState::default();
        let key = StateKey::dpop_jti("j");
        assert!(state.insert_new(&key, b"1", 100, 0).await.unwrap());
        assert!(!state.insert_new(&key, b"2", 100, 50).await.unwrap());
        assert_eq!(
            state.get(&key, 50).await.unwrap().as_deref(),
            Some(&b"1"[..])
        );
        assert_eq!(state.get(&key, 100).await.unwrap(), None, "expired");
        assert!(state.insert_new(&key, b"3", 200, 100).await.unwrap());
        assert_eq!(
            state.take(&key, 101).await.unwrap().as_deref(),
            Some(&b"3"[..])
        );
        assert_eq!(state.take(&key, 101).await.unwrap(), None);
    }
}
