//! Delegation credentials: one link of the chain human → orchestrator →
//! sub-agent. Each link is a VC 2.0 credential signed (eddsa-rdfc-2022) by
//! the delegator, naming the delegate, the human principal, what may be
//! done (capabilities), where (audiences), until when, how many further
//! hops are allowed, why, and its parent link by id and digest.
//!
//! This module builds and parses links; signing is the delegator's role
//! and checking a chain is the verifier's.

use crate::context::{CREDENCE_CONTEXT_URL, VC_V2_CONTEXT_URL};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The credential type of a delegation link.
pub const DELEGATION_CREDENTIAL_TYPE: &str = "DelegationCredential";

/// The most hops a chain may have (links from the principal to the agent).
pub const MAX_CHAIN_LENGTH: usize = 8;

/// What a delegator grants its delegate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationGrant {
    /// The delegate's DID (an agent).
    pub delegate: String,
    /// The human on whose behalf the chain acts.
    pub principal: String,
    /// Capabilities the delegate may use (`invoices.read`, …).
    pub capabilities: Vec<String>,
    /// Audiences (resource identifiers) the delegate may act at; empty =
    /// not restricted by this link.
    pub audiences: Vec<String>,
    /// How many further delegations the delegate may make.
    pub max_depth: u32,
    /// Why the delegate acts.
    pub purpose: String,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity.
    pub valid_until: DateTime<Utc>,
    /// `credentialStatus` entries in the organization's status lists, so
    /// the link can be revoked; `None` = not revocable (short-lived links).
    pub status: Option<Value>,
}

/// A link's reference to its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    /// The parent link's `id`.
    pub id: String,
    /// [`link_digest`] of the parent.
    pub digest: String,
}

/// A parsed (not yet verified) delegation link.
#[derive(Debug, Clone, PartialEq)]
pub struct DelegationLink {
    /// The link's `id`.
    pub id: String,
    /// Who signed it (the `issuer`).
    pub delegator: String,
    /// The grant it carries.
    pub grant: DelegationGrant,
    /// Its parent, absent on the root link.
    pub parent: Option<ParentRef>,
    /// The document as received.
    pub document: Value,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The unsigned delegation credential `id` from `delegator`.
pub fn delegation_document(
    id: &str,
    delegator: &str,
    grant: &DelegationGrant,
    parent: Option<&ParentRef>,
) -> Value {
    let mut subject = json!({
        "id": grant.delegate,
        "principal": grant.principal,
        "maxDepth": grant.max_depth,
        "purpose": grant.purpose,
    });
    // An empty list makes no statement: it is left out, not sent as [].
    if !grant.capabilities.is_empty() {
        subject["capabilities"] = json!(grant.capabilities);
    }
    if !grant.audiences.is_empty() {
        subject["audiences"] = json!(grant.audiences);
    }
    if let Some(parent) = parent {
        subject["parentDelegation"] = json!(parent.id);
        subject["parentDigest"] = json!(parent.digest);
    }
    let mut document = json!({
        "@context": [VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL],
        "id": id,
        "type": ["VerifiableCredential", DELEGATION_CREDENTIAL_TYPE],
        "issuer": delegator,
        "validFrom": timestamp(grant.valid_from),
        "validUntil": timestamp(grant.valid_until),
        "credentialSubject": subject,
    });
    if let Some(status) = &grant.status {
        document["credentialStatus"] = status.clone();
    }
    document
}

/// The digest a child names its parent by: hex SHA-256 of the parent's
/// `proof.proofValue`. The signature covers the canonical form of the
/// whole parent, so the digest pins its content without re-canonicalizing.
pub fn link_digest(signed: &Value) -> Option<String> {
    let value = signed.pointer("/proof/proofValue")?.as_str()?;
    Some(hex_sha256(value.as_bytes()))
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn strings(v: Option<&Value>, name: &str) -> Result<Vec<String>, String> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{name} must hold strings"))
            })
            .collect(),
        Some(_) => Err(format!("{name} must be a list of strings")),
    }
}

fn time(doc: &Value, name: &str) -> Result<DateTime<Utc>, String> {
    let s = doc
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("a delegation needs {name}"))?;
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{name} is not a dateTime"))
}

impl DelegationLink {
    /// Parses a delegation credential's shape (no proof is checked).
    pub fn parse(document: &Value) -> Result<Self, String> {
        let str_at = |v: &Value, name: &str| {
            v.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("a delegation needs {name}"))
        };
        let types = strings(document.get("type"), "type")?;
        if !types.iter().any(|t| t == DELEGATION_CREDENTIAL_TYPE) {
            return Err(format!("type must include {DELEGATION_CREDENTIAL_TYPE}"));
        }
        let subject = document
            .get("credentialSubject")
            .filter(|s| s.is_object())
            .ok_or("a delegation needs a credentialSubject object")?;
        let max_depth = subject
            .get("maxDepth")
            .and_then(Value::as_u64)
            .and_then(|d| u32::try_from(d).ok())
            .ok_or("maxDepth must be a non-negative integer")?;
        let parent = match (subject.get("parentDelegation"), subject.get("parentDigest")) {
            (None, None) => None,
            (Some(Value::String(id)), Some(Value::String(digest))) => Some(ParentRef {
                id: id.clone(),
                digest: digest.clone(),
            }),
            _ => return Err("parentDelegation and parentDigest go together, as strings".into()),
        };
        Ok(Self {
            id: str_at(document, "id")?,
            delegator: str_at(document, "issuer")?,
            grant: DelegationGrant {
                delegate: str_at(subject, "id")?,
                principal: str_at(subject, "principal")?,
                capabilities: strings(subject.get("capabilities"), "capabilities")?,
                audiences: strings(subject.get("audiences"), "audiences")?,
                max_depth,
                purpose: str_at(subject, "purpose")?,
                valid_from: time(document, "validFrom")?,
                valid_until: time(document, "validUntil")?,
                status: document.get("credentialStatus").cloned(),
            },
            parent,
            document: document.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_link_parses_back() {
        let now = Utc::now();
        let grant = DelegationGrant {
            delegate: "did:key:zB".into(),
            principal: "did:key:zH".into(),
            capabilities: vec!["invoices.read".into()],
            audiences: vec!["https://tool.example".into()],
            max_depth: 1,
            purpose: "pay the March invoices".into(),
            valid_from: now,
            valid_until: now + chrono::Duration::hours(1),
            status: None,
        };
        let parent = ParentRef {
            id: "urn:uuid:1".into(),
            digest: "ab".into(),
        };
        let doc = delegation_document("urn:uuid:2", "did:key:zA", &grant, Some(&parent));
        let link = DelegationLink::parse(&doc).unwrap();
        assert_eq!(link.delegator, "did:key:zA");
        assert_eq!(link.parent, Some(parent));
        assert_eq!(link.grant.capabilities, grant.capabilities);
        assert_eq!(link.grant.max_depth, 1);
        let mut broken = doc.clone();
        broken["credentialSubject"]["maxDepth"] = json!(-1);
        assert!(DelegationLink::parse(&broken).is_err());
        broken["credentialSubject"]["maxDepth"] = json!(1);
        broken["credentialSubject"]
            .as_object_mut()
            .unwrap()
            .remove("parentDigest");
        assert!(DelegationLink::parse(&broken).is_err());
    }
}
