//! Wire JSON into typed, still unverified values, once, at the edge.
//!
//! A presentation off the wire becomes an [`UnverifiedPresentation`]: its
//! holder, its one proof's typed header, its credentials and delegation
//! links as documents of their own. Nothing here is trusted; only
//! [`crate::Verifier::verify`] turns it into a
//! [`crate::VerifiedPresentation`]. Every field of a proof header is
//! covered by that proof's signature (its proof configuration is part of
//! what is signed), and the document passes JSON-LD safe mode before any
//! of it is read.

use crate::{ParseError, ProofTarget};
use chrono::{DateTime, Utc};
use credence_core::{DELEGATION_CREDENTIAL_TYPE, MAX_CREDENTIAL_QUERIES};
use serde_json::{Map, Value};

/// The most credentials (delegation links included) one presentation holds.
pub const MAX_CREDENTIALS: usize = 16;

fn malformed(msg: impl Into<String>) -> ParseError {
    ParseError::Malformed(msg.into())
}

/// One Data Integrity proof's options: what the signature is claimed to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofHeader {
    /// Which document it secures.
    pub target: ProofTarget,
    /// `cryptosuite` (`eddsa-rdfc-2022`, `bbs-2023`).
    pub suite: String,
    /// `verificationMethod`: the DID URL of the signing key.
    pub method: String,
    /// `proofPurpose` (`assertionMethod`, `authentication`).
    pub purpose: String,
    /// `challenge`, when bound to a verifier's nonce.
    pub challenge: Option<String>,
    /// `domain`, when bound to a verifier (exactly one).
    pub domain: Option<String>,
    /// `created`.
    pub created: Option<DateTime<Utc>>,
    /// `expires`.
    pub expires: Option<DateTime<Utc>>,
}

fn text(proof: &Map<String, Value>, key: &str) -> Result<Option<String>, ParseError> {
    match proof.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(format!("proof.{key} must be a string"))),
    }
}

fn time(proof: &Map<String, Value>, key: &str) -> Result<Option<DateTime<Utc>>, ParseError> {
    text(proof, key)?
        .map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| malformed(format!("proof.{key} is not a dateTime")))
        })
        .transpose()
}

impl ProofHeader {
    /// Reads the one `DataIntegrityProof` of `document`.
    pub fn parse(document: &Value, target: ProofTarget) -> Result<Self, ParseError> {
        let proof = match document.get("proof") {
            Some(Value::Object(p)) => p,
            Some(Value::Array(_)) => {
                return Err(malformed(format!(
                    "{target}: proof sets are not accepted, one proof expected"
                )))
            }
            _ => return Err(malformed(format!("{target}: exactly one proof expected"))),
        };
        let required = |key: &str| {
            text(proof, key)?.ok_or_else(|| malformed(format!("{target} proof has no {key}")))
        };
        if required("type")? != "DataIntegrityProof" {
            return Err(malformed(format!(
                "{target}: a DataIntegrityProof expected"
            )));
        }
        let domain = match proof.get("domain") {
            None => None,
            Some(Value::String(d)) => Some(d.clone()),
            Some(Value::Array(ds)) if ds.len() == 1 && ds[0].is_string() => {
                ds[0].as_str().map(str::to_owned)
            }
            Some(_) => {
                return Err(malformed(format!(
                    "{target} proof needs exactly one domain"
                )))
            }
        };
        Ok(Self {
            target,
            suite: required("cryptosuite")?,
            method: required("verificationMethod")?,
            purpose: required("proofPurpose")?,
            challenge: text(proof, "challenge")?,
            domain,
            created: time(proof, "created")?,
            expires: time(proof, "expires")?,
        })
    }
}

/// A presentation parsed from JSON, nothing checked but its shape.
#[derive(Debug, Clone)]
pub struct UnverifiedPresentation {
    pub(crate) json: Value,
    pub(crate) holder: String,
    pub(crate) proof: ProofHeader,
    pub(crate) credentials: Vec<Value>,
    pub(crate) delegations: Vec<Value>,
}

fn types_of(doc: &Value) -> Vec<&str> {
    match doc.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The same proof twice (one credential presented as two answers).
fn refuse_duplicates(credentials: &[Value]) -> Result<(), ParseError> {
    let mut seen = std::collections::BTreeSet::new();
    for c in credentials {
        if let Some(value) = c.pointer("/proof/proofValue").and_then(Value::as_str) {
            if !seen.insert(value) {
                return Err(malformed("the same credential proof appears twice"));
            }
        }
    }
    Ok(())
}

impl UnverifiedPresentation {
    /// Parses a VC 2.0 Verifiable Presentation: one proof, the holder, one
    /// to eight credentials (one per answered credential query) and (optionally) the holder's delegation links, each an
    /// embedded document with its own `@context`.
    pub fn parse(json: &Value) -> Result<Self, ParseError> {
        let obj = json
            .as_object()
            .ok_or_else(|| malformed("a presentation must be a JSON object"))?;
        if !types_of(json).contains(&"VerifiablePresentation") {
            return Err(malformed("type must include VerifiablePresentation"));
        }
        let holder = match obj.get("holder") {
            Some(Value::String(h)) => h.clone(),
            _ => return Err(malformed("holder must be a DID string")),
        };
        let items = match obj.get("verifiableCredential") {
            Some(Value::Array(items)) if !items.is_empty() => items.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => return Err(malformed("verifiableCredential must hold credentials")),
        };
        if items.len() > MAX_CREDENTIALS || items.iter().any(|c| !c.is_object()) {
            return Err(malformed(format!(
                "verifiableCredential holds 1..={MAX_CREDENTIALS} embedded JSON objects"
            )));
        }
        let (delegations, others): (Vec<Value>, Vec<Value>) = items
            .into_iter()
            .partition(|c| types_of(c).contains(&DELEGATION_CREDENTIAL_TYPE));
        if others.is_empty() || others.len() > MAX_CREDENTIAL_QUERIES {
            return Err(malformed(format!(
                "1..={MAX_CREDENTIAL_QUERIES} credentials besides delegation links are expected, not {}",
                others.len()
            )));
        }
        refuse_duplicates(&others)?;
        Ok(Self {
            proof: ProofHeader::parse(json, ProofTarget::Presentation)?,
            json: json.clone(),
            holder,
            credentials: others,
            delegations,
        })
    }

    /// The claimed holder DID (not yet verified).
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// The presentation proof's claimed header (not yet verified).
    pub fn proof(&self) -> &ProofHeader {
        &self.proof
    }
}
