//! DID resolution for the verifier: did:key and did:jwk computed locally,
//! did:web fetched over HTTPS (plain http only for loopback hosts) with
//! timeouts, a size limit, the `id` check and a bounded TTL cache.

use crate::http::{FetchError, FetchLimits, Fetcher};
use crate::VerifyError;
use credence_bbs2023::BbsPublicKey;
pub use credence_core::did::{
    authorized_in, authorized_method, check_document_id, did_of, did_web_for_origin, did_web_url,
    resolve_document, AuthorizedMethod, DidError, KnownDocuments, LocalResolver, ResolveDid,
    ResolveFuture,
};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

impl From<DidError> for VerifyError {
    fn from(e: DidError) -> Self {
        match e {
            DidError::ResolutionFailed { did, reason } => Self::ResolutionFailed { did, reason },
            DidError::KeyNotAuthorized { method, purpose } => {
                Self::KeyNotAuthorized { method, purpose }
            }
        }
    }
}

/// The method's key as a BBS public key.
pub fn bbs_key(method: &AuthorizedMethod) -> Result<BbsPublicKey, VerifyError> {
    BbsPublicKey::from_multikey(method.public_key_multibase()?).map_err(|e| {
        VerifyError::ResolutionFailed {
            did: method.did.clone(),
            reason: e.to_string(),
        }
    })
}

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
pub(crate) struct TtlCache<V> {
    config: CacheConfig,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(config: CacheConfig) -> Self {
        Self {
            config,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.config.ttl)
            .map(|(_, v)| v.clone())
    }

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

/// The verifier's resolver: did:key and did:jwk locally, did:web over
/// the network with [`FetchLimits`] and a [`CacheConfig`] cache.
#[derive(Debug)]
pub struct DidResolver {
    fetcher: Fetcher,
    cache: TtlCache<Value>,
}

impl DidResolver {
    /// A resolver with the given limits and cache.
    pub fn new(limits: FetchLimits, cache: CacheConfig) -> Self {
        Self {
            fetcher: Fetcher::new(limits),
            cache: TtlCache::new(cache),
        }
    }
}

impl Default for DidResolver {
    /// Default limits (3 s connect, 5 s total, 256 KiB) and cache
    /// (5 minutes, 1 024 documents).
    fn default() -> Self {
        Self::new(FetchLimits::default(), CacheConfig::default())
    }
}

impl DidResolver {
    async fn resolve_web(&self, did: &str) -> Result<Value, DidError> {
        if let Some(doc) = self.cache.get(did) {
            return Ok(doc);
        }
        let url = did_web_url(did)?;
        let document = self
            .fetcher
            .get_json(&url)
            .await
            .map_err(|e: FetchError| DidError::failed(did, format!("{url}: {e}")))?;
        check_document_id(did, &document)?;
        self.cache.put(did, document.clone());
        Ok(document)
    }
}

impl ResolveDid for DidResolver {
    fn resolve_did<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            if did.starts_with("did:web:") {
                self.resolve_web(did).await
            } else {
                credence_core::did::resolve_local(did).await
            }
        })
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
