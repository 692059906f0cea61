//! The issuers' W3C Bitstring Status Lists: fetched (bounded HTTP) or
//! supplied up front (offline), each verified as a document of its own —
//! safe mode, a `BitstringStatusListCredential` of the expected issuer,
//! signed `eddsa-rdfc-2022` by a key the issuer authorizes for
//! `assertionMethod`, currently valid — then cached (the configured TTL)
//! and read by index. A list that cannot be fetched or verified, or whose
//! decoded size exceeds the limit, fails closed.

use crate::checks::proofs::{verify_eddsa, ProofEnv};
use crate::parse::ProofHeader;
use crate::signed::credential::{CredentialStatements, StatusEntry};
use crate::signed::graph::STATUS;
use crate::{ProofTarget, StatusError};
use chrono::Duration;
use credence_core::{MAX_CLOCK_SKEW_SECS, VC_V2_CONTEXT_URL};
use credence_did::{CacheConfig, FetchLimits, Fetcher, TtlCache};
use serde_json::Value;
use ssi::status::bitstring_status_list::{BitString, EncodedList, StatusSize};
use std::collections::HashMap;
use std::sync::Arc;

/// The most a decoded status list may expand to (16 MiB of bits).
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// A verified status list.
#[derive(Debug)]
struct VerifiedList {
    issuer: String,
    purpose: String,
    bits: BitString,
    /// How many one-bit entries it holds.
    entries: usize,
}

/// Fetches (or takes from those supplied), verifies and caches status lists.
#[derive(Debug)]
pub(crate) struct StatusLists {
    fetcher: Fetcher,
    cache: TtlCache<Arc<VerifiedList>>,
    provided: Option<Arc<HashMap<String, Value>>>,
}

fn unavailable(url: &str, reason: impl ToString) -> StatusError {
    StatusError::Unavailable {
        url: url.to_owned(),
        reason: reason.to_string(),
    }
}

fn invalid(url: &str, reason: impl ToString) -> StatusError {
    StatusError::ListInvalid {
        url: url.to_owned(),
        reason: reason.to_string(),
    }
}

impl StatusLists {
    /// Lists fetched with `limits`, cached as `cache` says.
    pub fn new(limits: FetchLimits, cache: CacheConfig) -> Self {
        Self {
            fetcher: Fetcher::new(limits),
            cache: TtlCache::new(cache),
            provided: None,
        }
    }

    /// Lists never fetched: `lists` maps each URL to its signed list
    /// credential (each still verified); another URL is unavailable.
    pub fn provided(lists: HashMap<String, Value>) -> Self {
        Self {
            provided: Some(Arc::new(lists)),
            ..Self::new(FetchLimits::default(), CacheConfig::default())
        }
    }

    /// Checks every entry, in lists of `issuer`.
    pub async fn check(
        &self,
        entries: &[StatusEntry],
        issuer: &str,
        env: ProofEnv<'_>,
    ) -> Result<(), StatusError> {
        for entry in entries {
            let url = entry.list.as_str();
            let list = self.list(url, issuer, env).await?;
            if list.issuer != issuer {
                return Err(invalid(url, "issued by another issuer"));
            }
            if list.purpose != entry.purpose {
                return Err(invalid(
                    url,
                    format!("a {} list, the entry wants {}", list.purpose, entry.purpose),
                ));
            }
            let index = entry.index;
            // (ssi's lookup does unchecked arithmetic on the index.)
            if index >= list.entries {
                return Err(invalid(url, format!("index {index} is outside the list")));
            }
            let bit = list
                .bits
                .get(StatusSize::DEFAULT, index)
                .ok_or_else(|| invalid(url, format!("index {index} is outside the list")))?;
            if bit != 0 {
                return Err(match entry.purpose.as_str() {
                    "revocation" => StatusError::Revoked { index },
                    "suspension" => StatusError::Suspended { index },
                    other => invalid(url, format!("unsupported status purpose {other}")),
                });
            }
        }
        Ok(())
    }

    async fn list(
        &self,
        url: &str,
        issuer: &str,
        env: ProofEnv<'_>,
    ) -> Result<Arc<VerifiedList>, StatusError> {
        if let Some(list) = self.cache.get(url) {
            return Ok(list);
        }
        let document = match &self.provided {
            Some(lists) => lists
                .get(url)
                .cloned()
                .ok_or_else(|| unavailable(url, "not among the status lists provided"))?,
            None => self
                .fetcher
                .get_json(url)
                .await
                .map_err(|e| unavailable(url, e))?,
        };
        let list = Arc::new(verify_list(&document, url, issuer, env).await?);
        self.cache.put(url, list.clone());
        Ok(list)
    }
}

async fn verify_list(
    document: &Value,
    url: &str,
    issuer: &str,
    env: ProofEnv<'_>,
) -> Result<VerifiedList, StatusError> {
    let statements = env
        .safe
        .statements(document, &[VC_V2_CONTEXT_URL], &[])
        .await
        .map_err(|e| invalid(url, e))?;
    let list = CredentialStatements::read(statements).map_err(|e| invalid(url, e))?;
    if !list.has_type(&format!("{STATUS}BitstringStatusListCredential")) {
        return Err(invalid(url, "not a BitstringStatusListCredential"));
    }
    if list.issuer != issuer {
        return Err(invalid(url, "issued by another issuer"));
    }
    // Lists are signed when served: allow the issuer's clock to run a
    // little ahead of ours.
    if let Some(from) = list
        .valid_from
        .filter(|t| *t > env.now + Duration::seconds(MAX_CLOCK_SKEW_SECS))
    {
        return Err(invalid(
            url,
            format!("outside its validity (validFrom {from})"),
        ));
    }
    if let Some(until) = list.valid_until.filter(|t| *t <= env.now) {
        return Err(invalid(
            url,
            format!("outside its validity (validUntil {until})"),
        ));
    }
    let header =
        ProofHeader::parse(document, ProofTarget::StatusList).map_err(|e| invalid(url, e))?;
    verify_eddsa(document, &header, issuer, "assertionMethod", env)
        .await
        .map_err(|e| match e {
            crate::VerifyError::BadProof { reason, .. } => {
                invalid(url, format!("bad signature: {reason}"))
            }
            other => invalid(url, other),
        })?;
    let text = |name: &str| {
        list.statements
            .text(&list.subject, &format!("{STATUS}{name}"))
            .map_err(|e| invalid(url, e))?
            .ok_or_else(|| invalid(url, format!("no {name}")))
    };
    let purpose = text("statusPurpose")?;
    let encoded = text("encodedList")?;
    let bytes = decode_bounded(&encoded, url)?;
    Ok(VerifiedList {
        issuer: issuer.to_owned(),
        purpose,
        entries: bytes.len() * 8,
        bits: BitString::from_bytes(bytes),
    })
}

/// Decodes an `encodedList`, refusing (never truncating) one that expands
/// beyond [`MAX_LIST_BYTES`].
fn decode_bounded(encoded: &str, url: &str) -> Result<Vec<u8>, StatusError> {
    let bytes = EncodedList::new(encoded.to_owned())
        .decode(Some(MAX_LIST_BYTES as u64 + 1))
        .map_err(|e| invalid(url, format!("encodedList: {e}")))?;
    if bytes.len() > MAX_LIST_BYTES {
        return Err(invalid(
            url,
            format!("the list expands beyond {MAX_LIST_BYTES} bytes"),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_list_is_refused_not_truncated() {
        let encoded = |bytes: usize| {
            let list = BitString::new_zeroed(StatusSize::DEFAULT, bytes * 8);
            serde_json::to_value(list.encode())
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        };
        let err = decode_bounded(&encoded(MAX_LIST_BYTES + 1), "https://x.example/l").unwrap_err();
        assert_eq!(err.code(), "status_list_invalid");
        assert_eq!(
            decode_bounded(&encoded(MAX_LIST_BYTES), "u").unwrap().len(),
            MAX_LIST_BYTES
        );
    }
}
