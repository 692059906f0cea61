//! A bounded map with a time to live, for resolved documents and
//! fetched status lists.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Cache settings for resolved documents.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// How long a resolved did:web document is reused.
    pub ttl: Duration,
    /// How many documents are kept; the oldest goes first.
    pub capacity: usize,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            capacity: 1024,
        }
    }
}

/// A bounded map with a time to live, oldest entry evicted first.
#[derive(Debug)]
pub struct TtlCache<V> {
    config: CacheConfig,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> TtlCache<V> {
    /// An empty cache.
    pub fn new(config: CacheConfig) -> Self {
        Self {
            config,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The live value under `key`.
    pub fn get(&self, key: &str) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.config.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` under `key`, evicting expired and then oldest entries.
    pub fn put(&self, key: &str, value: V) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let ttl = self.config.ttl;
        map.retain(|_, (at, _)| at.elapsed() < ttl);
        while map.len() >= self.config.capacity.max(1) {
            let oldest = map
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(key.to_owned(), (Instant::now(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_is_bounded_and_expires() {
        let cache = TtlCache::new(CacheConfig {
            ttl: Duration::from_millis(50),
            capacity: 2,
        });
        cache.put("a", 1);
        cache.put("b", 2);
        cache.put("c", 3);
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.get("c"), Some(3));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("c"), None);
    }
}
