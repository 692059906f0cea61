//! The network resolver: did:key and did:jwk locally, did:web fetched
//! over HTTPS (plain http only for loopback hosts) with timeouts, a size
//! limit, the `id` check and a bounded TTL cache.

use crate::{
    check_document_id, did_web_url, CacheConfig, DidError, FetchError, FetchLimits, Fetcher,
    ResolveDid, ResolveFuture, TtlCache,
};
use serde_json::Value;

/// The verifier's resolver: did:key and did:jwk locally, did:web over
/// the network with [`FetchLimits`] and a [`CacheConfig`] cache.
#[derive(Debug)]
pub struct DidResolver {
    fetcher: Fetcher,
    cache: TtlCache<Value>,
    /// did:key / did:jwk documents: computed from the DID alone, so a
    /// cached one is the one resolution would give; kept because a did:key
    /// of a BLS12-381 key costs a point decompression and subgroup check.
    local: TtlCache<Value>,
}

impl DidResolver {
    /// A resolver with the given limits and cache.
    pub fn new(limits: FetchLimits, cache: CacheConfig) -> Self {
        Self {
            fetcher: Fetcher::new(limits),
            cache: TtlCache::new(cache.clone()),
            local: TtlCache::new(cache),
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

impl DidResolver {
    async fn resolve_local(&self, did: &str) -> Result<Value, DidError> {
        if let Some(doc) = self.local.get(did) {
            return Ok(doc);
        }
        let document = crate::resolve_local(did).await?;
        self.local.put(did, document.clone());
        Ok(document)
    }
}

impl ResolveDid for DidResolver {
    fn resolve_did<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            if did.starts_with("did:web:") {
                self.resolve_web(did).await
            } else {
                self.resolve_local(did).await
            }
        })
    }
}
