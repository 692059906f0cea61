//! Revocation and suspension: W3C Bitstring Status List checks.
//!
//! For every `BitstringStatusListEntry` of a credential, the verifier
//! fetches the list credential (bounded HTTP), checks it is a
//! `BitstringStatusListCredential` of the same issuer, signed with
//! `eddsa-rdfc-2022` by a key the issuer's DID document authorizes for
//! `assertionMethod`, currently valid and for the entry's purpose, caches
//! it (the shorter of its `ttl` and the configured TTL), and reads the bit.
//! A list that cannot be fetched or verified fails closed.

use crate::VerifyError;
use chrono::{DateTime, Utc};
use credence_did::{authorized_method, CacheConfig, FetchLimits, Fetcher, ResolveDid, TtlCache};
use serde_json::Value;
use ssi::json_ld::ContextLoader;
use ssi::status::bitstring_status_list::{BitString, EncodedList, StatusSize};
use std::collections::HashMap;
use std::sync::Arc;

/// How far a status list's `validFrom` may be ahead of the verifier's clock.
const MAX_CLOCK_SKEW_SECS: i64 = 60;

/// The most a decoded status list may expand to (16 MiB of bits).
const MAX_LIST_BYTES: u64 = 16 * 1024 * 1024;

/// A verified status list.
#[derive(Debug)]
struct VerifiedList {
    issuer: String,
    purpose: String,
    bits: BitString,
}

/// Fetches, verifies and caches status lists.
#[derive(Debug)]
pub(crate) struct StatusChecker {
    fetcher: Fetcher,
    cache: TtlCache<Arc<VerifiedList>>,
    /// Lists supplied up front (offline verification): used instead of
    /// fetching; a URL not among them is unavailable.
    provided: Option<Arc<HashMap<String, Value>>>,
}

fn unavailable(url: &str, reason: impl ToString) -> VerifyError {
    VerifyError::StatusUnavailable {
        url: url.to_owned(),
        reason: reason.to_string(),
    }
}

fn invalid(url: &str, reason: impl ToString) -> VerifyError {
    VerifyError::StatusListInvalid {
        url: url.to_owned(),
        reason: reason.to_string(),
    }
}

impl StatusChecker {
    pub fn new(limits: FetchLimits, cache: CacheConfig) -> Self {
        Self {
            fetcher: Fetcher::new(limits),
            cache: TtlCache::new(cache),
            provided: None,
        }
    }

    /// A checker that never fetches: `lists` maps each status list URL to
    /// its (signed) list credential; every list is still verified.
    pub fn provided(lists: HashMap<String, Value>) -> Self {
        Self {
            provided: Some(Arc::new(lists)),
            ..Self::new(FetchLimits::default(), CacheConfig::default())
        }
    }

    /// Checks every status entry of `credential`, issued by `issuer`.
    pub async fn check(
        &self,
        credential: &Value,
        issuer: &str,
        resolver: &dyn ResolveDid,
        loader: &ContextLoader,
        now: DateTime<Utc>,
    ) -> Result<(), VerifyError> {
        let entries = match credential.get("credentialStatus") {
            None => return Ok(()),
            Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
            Some(v @ Value::Object(_)) => vec![v],
            Some(_) => {
                return Err(VerifyError::Malformed(
                    "credentialStatus must be an object or a list".into(),
                ))
            }
        };
        for entry in entries {
            let field = |name: &str| {
                entry.get(name).and_then(Value::as_str).ok_or_else(|| {
                    VerifyError::Malformed(format!("credentialStatus entry without {name}"))
                })
            };
            if field("type")? != "BitstringStatusListEntry" {
                return Err(VerifyError::Malformed(format!(
                    "unsupported credentialStatus type {}",
                    field("type")?
                )));
            }
            let purpose = field("statusPurpose")?;
            let url = field("statusListCredential")?;
            let index: usize = field("statusListIndex")?.parse().map_err(|_| {
                VerifyError::Malformed("statusListIndex must be a decimal integer".into())
            })?;
            let list = self.list(url, issuer, resolver, loader, now).await?;
            if list.issuer != issuer {
                return Err(invalid(url, "issued by another issuer"));
            }
            if list.purpose != purpose {
                return Err(invalid(
                    url,
                    format!("a {} list, the entry wants {purpose}", list.purpose),
                ));
            }
            let bit = list
                .bits
                .get(StatusSize::DEFAULT, index)
                .ok_or_else(|| invalid(url, format!("index {index} is outside the list")))?;
            if bit != 0 {
                return Err(match purpose {
                    "revocation" => VerifyError::Revoked { index },
                    "suspension" => VerifyError::Suspended { index },
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
        resolver: &dyn ResolveDid,
        loader: &ContextLoader,
        now: DateTime<Utc>,
    ) -> Result<Arc<VerifiedList>, VerifyError> {
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
        let list = Arc::new(verify_list(&document, url, issuer, resolver, loader, now).await?);
        self.cache.put(url, list.clone());
        Ok(list)
    }
}

async fn verify_list(
    document: &Value,
    url: &str,
    issuer: &str,
    resolver: &dyn ResolveDid,
    loader: &ContextLoader,
    now: DateTime<Utc>,
) -> Result<VerifiedList, VerifyError> {
    let types: Vec<&str> = document
        .get("type")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !types.contains(&"BitstringStatusListCredential") {
        return Err(invalid(url, "not a BitstringStatusListCredential"));
    }
    if document.get("issuer").and_then(Value::as_str) != Some(issuer) {
        return Err(invalid(url, "issued by another issuer"));
    }
    // Lists are signed when served: allow the issuer's clock to run a
    // little ahead of ours.
    let skew = chrono::Duration::seconds(MAX_CLOCK_SKEW_SECS);
    for (name, future_ok) in [("validFrom", false), ("validUntil", true)] {
        if let Some(t) = document.get(name).and_then(Value::as_str) {
            let t = DateTime::parse_from_rfc3339(t)
                .map_err(|_| invalid(url, format!("{name} is not a dateTime")))?;
            let late = if future_ok { t > now } else { t > now + skew };
            if late != future_ok {
                return Err(invalid(url, format!("outside its validity ({name} {t})")));
            }
        }
    }
    let proof = document
        .get("proof")
        .ok_or_else(|| invalid(url, "no proof"))?;
    let method = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(url, "proof without verificationMethod"))?;
    if proof.get("cryptosuite").and_then(Value::as_str) != Some("eddsa-rdfc-2022")
        || proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod")
    {
        return Err(invalid(
            url,
            "proof must be eddsa-rdfc-2022 for assertionMethod",
        ));
    }
    if credence_did::did_of(method) != issuer {
        return Err(invalid(url, "signed by a key of another DID"));
    }
    let authorized = authorized_method(resolver, method, "assertionMethod")
        .await
        .map_err(|e| invalid(url, e))?;
    let issuer_doc = resolver
        .resolve_did(&authorized.did)
        .await
        .map_err(|e| invalid(url, e))?;
    credence_core::verify_eddsa_rdfc(document, issuer_doc, loader, now)
        .await
        .map_err(|e| invalid(url, format!("bad signature: {e}")))?;
    let subject = document
        .get("credentialSubject")
        .ok_or_else(|| invalid(url, "no credentialSubject"))?;
    let purpose = subject
        .get("statusPurpose")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(url, "no statusPurpose"))?;
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(url, "no encodedList"))?;
    let bytes = EncodedList::new(encoded.to_owned())
        .decode(Some(MAX_LIST_BYTES))
        .map_err(|e| invalid(url, format!("encodedList: {e}")))?;
    Ok(VerifiedList {
        issuer: issuer.to_owned(),
        purpose: purpose.to_owned(),
        bits: BitString::from_bytes(bytes),
    })
}
