//! W3C Bitstring Status Lists: which credentials this issuer has revoked or
//! suspended, and the signed `BitstringStatusListCredential`s it publishes.

use crate::issuer::timestamp;
use crate::{IssueError, Issuer};
use chrono::{Duration, Utc};
use credence_core::VC_V2_CONTEXT_URL;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ssi::status::bitstring_status_list::{BitString, StatusSize};
use std::collections::BTreeSet;

/// Entries per status list: 131 072, the spec's minimum size, so that one
/// index reveals little about which credential it is.
pub const STATUS_LIST_LENGTH: usize = 131_072;

/// The two status purposes Credence publishes.
pub const STATUS_PURPOSES: [&str; 2] = ["revocation", "suspension"];

/// Where one credential's status lives: the same index in the issuer's
/// revocation list and its suspension list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusAssignment {
    /// The issuer's origin; lists are at `{origin}/status/{purpose}`.
    pub origin: String,
    /// The credential's index in both lists.
    pub index: usize,
}

impl StatusAssignment {
    /// The URL of the list for `purpose`.
    pub fn list_url(&self, purpose: &str) -> String {
        format!("{}/status/{purpose}", self.origin)
    }

    /// The credential's `credentialStatus` value: one
    /// `BitstringStatusListEntry` per purpose.
    pub fn entries(&self) -> Value {
        Value::Array(
            STATUS_PURPOSES
                .iter()
                .map(|purpose| {
                    let list = self.list_url(purpose);
                    json!({
                        "id": format!("{list}#{}", self.index),
                        "type": "BitstringStatusListEntry",
                        "statusPurpose": purpose,
                        "statusListIndex": self.index.to_string(),
                        "statusListCredential": list,
                    })
                })
                .collect(),
        )
    }
}

/// The issuer's status lists: assigned indexes and the set bits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRegistry {
    assigned: BTreeSet<usize>,
    revoked: BTreeSet<usize>,
    suspended: BTreeSet<usize>,
}

impl StatusRegistry {
    /// Assigns a random unused index (random, so indexes do not reveal
    /// issuance order).
    pub fn assign(&mut self) -> Result<usize, IssueError> {
        if self.assigned.len() >= STATUS_LIST_LENGTH {
            return Err(IssueError::StatusListFull);
        }
        let mut rng = rand::rngs::OsRng;
        loop {
            let index = rng.gen_range(0..STATUS_LIST_LENGTH);
            if self.assigned.insert(index) {
                return Ok(index);
            }
        }
    }

    fn set_of(&mut self, purpose: &str) -> Result<&mut BTreeSet<usize>, IssueError> {
        match purpose {
            "revocation" => Ok(&mut self.revoked),
            "suspension" => Ok(&mut self.suspended),
            other => Err(IssueError::StatusSigning(format!(
                "unknown status purpose `{other}`"
            ))),
        }
    }

    /// Sets (`on`) or clears the `purpose` bit of `index`. Revocation is
    /// final: clearing it is refused. Returns whether anything changed.
    pub fn set(&mut self, index: usize, purpose: &str, on: bool) -> Result<bool, IssueError> {
        if !self.assigned.contains(&index) {
            return Err(IssueError::UnknownIndex(index));
        }
        if purpose == "revocation" && !on && self.revoked.contains(&index) {
            return Err(IssueError::StatusSigning(
                "revocation is final and cannot be undone".into(),
            ));
        }
        let set = self.set_of(purpose)?;
        Ok(if on {
            set.insert(index)
        } else {
            set.remove(&index)
        })
    }

    /// Whether `index` is revoked and whether it is suspended.
    pub fn status(&self, index: usize) -> (bool, bool) {
        (
            self.revoked.contains(&index),
            self.suspended.contains(&index),
        )
    }

    /// Every index that is not valid, with its IETF Token Status List
    /// value: 1 revoked (final, so it wins), 2 suspended.
    pub fn token_statuses(&self) -> impl Iterator<Item = (usize, u8)> + '_ {
        let suspended = self
            .suspended
            .iter()
            .filter(|i| !self.revoked.contains(i))
            .map(|i| (*i, 2));
        self.revoked.iter().map(|i| (*i, 1)).chain(suspended)
    }

    /// How many indexes are assigned.
    pub fn assigned(&self) -> usize {
        self.assigned.len()
    }

    /// The GZIP-compressed, multibase-encoded bitstring for `purpose`.
    pub fn encoded_list(&self, purpose: &str) -> Result<Value, IssueError> {
        let set = match purpose {
            "revocation" => &self.revoked,
            "suspension" => &self.suspended,
            other => {
                return Err(IssueError::StatusSigning(format!(
                    "unknown status purpose `{other}`"
                )))
            }
        };
        let mut bits = BitString::new_zeroed(StatusSize::DEFAULT, STATUS_LIST_LENGTH);
        for &index in set {
            bits.set(StatusSize::DEFAULT, index, 1)
                .map_err(|_| IssueError::UnknownIndex(index))?;
        }
        serde_json::to_value(bits.encode()).map_err(|e| IssueError::StatusSigning(e.to_string()))
    }

    /// The signed `BitstringStatusListCredential` for `purpose`, valid for
    /// `valid_for` from now, telling verifiers to cache it for `ttl_ms`.
    pub async fn credential(
        &self,
        issuer: &Issuer,
        purpose: &str,
        valid_for: Duration,
        ttl_ms: u64,
    ) -> Result<Value, IssueError> {
        self.credential_at(issuer, purpose, Utc::now(), valid_for, ttl_ms)
            .await
    }

    /// As [`StatusRegistry::credential`], valid from `now` (for lists
    /// signed ahead of time, and for fixed-clock test vectors).
    pub async fn credential_at(
        &self,
        issuer: &Issuer,
        purpose: &str,
        now: chrono::DateTime<Utc>,
        valid_for: Duration,
        ttl_ms: u64,
    ) -> Result<Value, IssueError> {
        let origin = issuer.origin().ok_or(IssueError::NoStatusKey)?;
        let url = format!("{origin}/status/{purpose}");
        let document = json!({
            "@context": [VC_V2_CONTEXT_URL],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer.did(),
            "validFrom": timestamp(now),
            "validUntil": timestamp(now + valid_for),
            "credentialSubject": {
                "id": format!("{url}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": purpose,
                "ttl": ttl_ms,
                "encodedList": self.encoded_list(purpose)?,
            }
        });
        issuer.sign_eddsa(document).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_unique_and_bits_toggle() {
        let mut reg = StatusRegistry::default();
        let a = reg.assign().unwrap();
        let b = reg.assign().unwrap();
        assert_ne!(a, b);
        assert!(reg.set(a, "suspension", true).unwrap());
        assert_eq!(reg.status(a), (false, true));
        assert!(reg.set(a, "suspension", false).unwrap());
        assert!(reg.set(b, "revocation", true).unwrap());
        assert!(reg.set(b, "revocation", false).is_err());
        assert!(matches!(
            reg.set(STATUS_LIST_LENGTH + 5, "revocation", true),
            Err(IssueError::UnknownIndex(_))
        ));
    }
}

#[cfg(test)]
mod token_status_tests {
    use super::*;

    #[test]
    fn token_statuses_report_revoked_over_suspended() {
        let mut registry = StatusRegistry::default();
        let (a, b, c) = (
            registry.assign().expect("index"),
            registry.assign().expect("index"),
            registry.assign().expect("index"),
        );
        registry.set(a, "suspension", true).expect("sets");
        registry.set(b, "suspension", true).expect("sets");
        registry.set(b, "revocation", true).expect("sets");
        let mut got: Vec<(usize, u8)> = registry.token_statuses().collect();
        got.sort();
        let mut want = vec![(a, 2), (b, 1)];
        want.sort();
        assert_eq!(got, want);
        assert!(!got.iter().any(|(i, _)| *i == c));
    }
}
