//! IETF Token Status Lists of SD-JWT VC issuers: the status list token at
//! the credential's `status.status_list.uri`, fetched (bounded HTTP, or
//! supplied up front for offline verification), verified — `typ`
//! `statuslist+jwt`, signed by a key the credential's issuer authorizes
//! for `assertionMethod`, `sub` = the URI, unexpired, bounded
//! decompression — cached, and read at the credential's index. Anything
//! that cannot be established fails closed.

use super::issuer::issuer_key;
use crate::StatusError;
use credence_did::{CacheConfig, FetchLimits, Fetcher, ResolveDid, TtlCache};
use credence_sdjwt::status_list::StatusReference;
use credence_sdjwt::status_list::{verify_status_list_token, Status, StatusList, STATUS_LIST_TYP};
use std::collections::HashMap;
use std::sync::Arc;

/// Fetches (or takes from those supplied), verifies and caches status list
/// tokens.
#[derive(Debug)]
pub(crate) struct TokenStatusLists {
    fetcher: Fetcher,
    /// Verified lists with the `exp` of their token.
    cache: TtlCache<Arc<(StatusList, i64)>>,
    provided: Option<Arc<HashMap<String, String>>>,
}

impl TokenStatusLists {
    /// Lists fetched with `limits`, cached as `cache` says.
    pub fn new(limits: FetchLimits, cache: CacheConfig) -> Self {
        Self {
            fetcher: Fetcher::new(limits),
            cache: TtlCache::new(cache),
            provided: None,
        }
    }

    /// Only the tokens in `tokens` (URI → token); nothing is fetched.
    pub fn provided(tokens: HashMap<String, String>) -> Self {
        Self {
            provided: Some(Arc::new(tokens)),
            ..Self::new(FetchLimits::default(), CacheConfig::default())
        }
    }

    /// The credential's status: valid, or why not.
    pub async fn check(
        &self,
        reference: &StatusReference,
        issuer: &str,
        resolver: &dyn ResolveDid,
        now: i64,
    ) -> Result<(), StatusError> {
        let list = self.list(&reference.uri, issuer, resolver, now).await?;
        let invalid = |reason: String| StatusError::ListInvalid {
            url: reference.uri.clone(),
            reason,
        };
        let index = usize::try_from(reference.index).map_err(|e| invalid(e.to_string()))?;
        match list
            .0
            .get(reference.index)
            .map_err(|e| invalid(e.to_string()))?
        {
            Status::Valid => Ok(()),
            Status::Suspended => Err(StatusError::Suspended { index }),
            Status::Invalid | Status::Other(_) => Err(StatusError::Revoked { index }),
        }
    }

    async fn list(
        &self,
        uri: &str,
        issuer: &str,
        resolver: &dyn ResolveDid,
        now: i64,
    ) -> Result<Arc<(StatusList, i64)>, StatusError> {
        let key = format!("{issuer} {uri}");
        // Kept for the cache's TTL, but never past its token's `exp`.
        if let Some(hit) = self.cache.get(&key).filter(|hit| now < hit.1) {
            return Ok(hit);
        }
        let token = match &self.provided {
            Some(tokens) => tokens
                .get(uri)
                .cloned()
                .ok_or_else(|| StatusError::Unavailable {
                    url: uri.to_owned(),
                    reason: "not supplied for offline verification".into(),
                })?,
            None => self
                .fetcher
                .get_text(uri, "application/statuslist+jwt")
                .await
                .map_err(|e| StatusError::Unavailable {
                    url: uri.to_owned(),
                    reason: e.to_string(),
                })?,
        };
        let invalid = |reason: String| StatusError::ListInvalid {
            url: uri.to_owned(),
            reason,
        };
        let token = token.trim();
        let header = credence_sdjwt::jws::header_of(token, &[STATUS_LIST_TYP])
            .map_err(|e| invalid(e.to_string()))?;
        let (_, jwk) = issuer_key(resolver, issuer, header.key_id.as_deref())
            .await
            .map_err(|e| invalid(format!("not signed by the issuer: {e}")))?;
        let verified =
            verify_status_list_token(token, &jwk, uri, now).map_err(|e| invalid(e.to_string()))?;
        let list = Arc::new((verified.list, verified.expires_at));
        self.cache.put(&key, list.clone());
        Ok(list)
    }
}
