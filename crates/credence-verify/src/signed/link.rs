//! What a delegation link states, read from its statements.

use super::credential::{CredentialStatements, StatusEntry};
use super::graph::Statements;
use crate::ParseError;
use chrono::{DateTime, Utc};
use credence_core::CREDENCE_VOCAB;

/// A delegation link's statements: the grant its delegator signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkStatements {
    /// The link's `id`.
    pub id: String,
    /// The delegator (the credential's issuer).
    pub delegator: String,
    /// The delegate (the subject's id).
    pub delegate: String,
    /// The human principal the chain acts for.
    pub principal: String,
    /// Capabilities granted.
    pub capabilities: Vec<String>,
    /// Audiences allowed; empty = not restricted by this link.
    pub audiences: Vec<String>,
    /// Further hops allowed.
    pub max_depth: u32,
    /// Why the delegate acts.
    pub purpose: String,
    /// The parent link's id and digest (absent on the root).
    pub parent: Option<(String, String)>,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity.
    pub valid_until: DateTime<Utc>,
    /// Status entries in the organization's lists.
    pub status: Vec<StatusEntry>,
}

fn malformed(reason: impl Into<String>) -> ParseError {
    ParseError::Malformed(reason.into())
}

fn term(name: &str) -> String {
    format!("{CREDENCE_VOCAB}{name}")
}

impl LinkStatements {
    /// Reads a delegation link from its statements.
    pub fn read(statements: Statements) -> Result<Self, ParseError> {
        let vc = CredentialStatements::read(statements)?;
        if !vc.has_type(&term("DelegationCredential")) {
            return Err(malformed(
                "a delegation link must be a DelegationCredential",
            ));
        }
        let s = &vc.statements;
        let subject = &vc.subject;
        let texts = |name: &str| -> Vec<String> {
            s.objects(subject, &term(name))
                .into_iter()
                .filter_map(|t| match t {
                    rdf_types::Term::Literal(l) => Some(l.value.clone()),
                    _ => None,
                })
                .collect()
        };
        let required = |name: &str| -> Result<String, ParseError> {
            s.text(subject, &term(name))?
                .ok_or_else(|| malformed(format!("a delegation needs {name}")))
        };
        let max_depth = required("maxDepth")?;
        let max_depth: u32 = if max_depth.bytes().all(|b| b.is_ascii_digit()) {
            max_depth.parse().ok()
        } else {
            None
        }
        .ok_or_else(|| malformed("maxDepth must be a non-negative integer"))?;
        let parent = match (
            s.at_most_one(subject, &term("parentDelegation"))?,
            s.text(subject, &term("parentDigest"))?,
        ) {
            (None, None) => None,
            (Some(p), Some(digest)) => Some((
                super::graph::iri_of(p)
                    .ok_or_else(|| malformed("parentDelegation must be an IRI"))?
                    .to_owned(),
                digest,
            )),
            _ => return Err(malformed("parentDelegation and parentDigest go together")),
        };
        let capabilities = texts("capabilities");
        let audiences = texts("audiences");
        if capabilities.len() != s.objects(subject, &term("capabilities")).len()
            || audiences.len() != s.objects(subject, &term("audiences")).len()
        {
            return Err(malformed("capabilities and audiences must be strings"));
        }
        Ok(Self {
            id: vc
                .id
                .clone()
                .ok_or_else(|| malformed("a delegation needs an id"))?,
            delegate: vc.subject_id.clone().ok_or_else(|| {
                malformed("a delegation names its delegate (credentialSubject.id)")
            })?,
            principal: s
                .iri(subject, &term("principal"))
                .map_err(|_| malformed("a delegation names one principal DID"))?,
            capabilities,
            audiences,
            max_depth,
            purpose: required("purpose")?,
            parent,
            valid_from: vc
                .valid_from
                .ok_or_else(|| malformed("a delegation needs validFrom"))?,
            valid_until: vc
                .valid_until
                .ok_or_else(|| malformed("a delegation needs validUntil"))?,
            status: vc.status.clone(),
            delegator: vc.issuer.clone(),
        })
    }
}
