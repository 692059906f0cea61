//! What a credential states, read from its statements: types, issuer,
//! validity, subject and status entries.

use super::graph::{iri_of, node_of, Node, Statements, CRED, STATUS};
use crate::ParseError;
use chrono::{DateTime, Utc};

/// One `BitstringStatusListEntry`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusEntry {
    /// `statusPurpose` (`revocation`, `suspension`).
    pub purpose: String,
    /// `statusListCredential`: the list's URL.
    pub list: String,
    /// `statusListIndex`.
    pub index: usize,
}

/// A verifiable credential's statements.
#[derive(Debug, Clone)]
pub struct CredentialStatements {
    /// The credential node.
    pub node: Node,
    /// Its `id`, when it has one.
    pub id: Option<String>,
    /// Its types, as IRIs.
    pub types: Vec<String>,
    /// The issuer's IRI (a DID).
    pub issuer: String,
    /// `validFrom`.
    pub valid_from: Option<DateTime<Utc>>,
    /// `validUntil`.
    pub valid_until: Option<DateTime<Utc>>,
    /// The one `credentialSubject` node.
    pub subject: Node,
    /// The subject's IRI, when it has one.
    pub subject_id: Option<String>,
    /// Its status entries.
    pub status: Vec<StatusEntry>,
    /// Every statement of the document.
    pub statements: Statements,
}

fn malformed(reason: impl Into<String>) -> ParseError {
    ParseError::Malformed(reason.into())
}

impl CredentialStatements {
    /// Reads the one credential `statements` describe.
    pub fn read(statements: Statements) -> Result<Self, ParseError> {
        let node = statements
            .only_node_of_type(&format!("{CRED}VerifiableCredential"))?
            .clone();
        let subject_term = statements.exactly_one(&node, &format!("{CRED}credentialSubject"))?;
        let subject = node_of(subject_term)
            .ok_or_else(|| malformed("credentialSubject must be an object"))?
            .clone();
        let status = statements
            .objects(&node, &format!("{CRED}credentialStatus"))
            .into_iter()
            .map(|t| {
                node_of(t)
                    .ok_or_else(|| malformed("credentialStatus must be an object"))
                    .and_then(|entry| status_entry(&statements, entry))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            id: iri_of_node(&node),
            types: statements.types(&node),
            issuer: statements
                .iri(&node, &format!("{CRED}issuer"))
                .map_err(|_| malformed("issuer must be one IRI (a DID)"))?,
            valid_from: statements.date_time(&node, &format!("{CRED}validFrom"))?,
            valid_until: statements.date_time(&node, &format!("{CRED}validUntil"))?,
            subject_id: iri_of(subject_term).map(str::to_owned),
            subject,
            status,
            node,
            statements,
        })
    }

    /// Whether the credential has type `iri`.
    pub fn has_type(&self, iri: &str) -> bool {
        self.types.iter().any(|t| t == iri)
    }
}

fn iri_of_node(node: &Node) -> Option<String> {
    match node {
        rdf_types::Id::Iri(iri) => Some(iri.as_str().to_owned()),
        rdf_types::Id::Blank(_) => None,
    }
}

fn status_entry(statements: &Statements, entry: &Node) -> Result<StatusEntry, ParseError> {
    let ty = format!("{STATUS}BitstringStatusListEntry");
    if !statements.types(entry).contains(&ty) {
        return Err(malformed(
            "unsupported credentialStatus type (BitstringStatusListEntry expected)",
        ));
    }
    let purpose = statements
        .text(entry, &format!("{STATUS}statusPurpose"))?
        .ok_or_else(|| malformed("credentialStatus entry without statusPurpose"))?;
    let index = statements
        .text(entry, &format!("{STATUS}statusListIndex"))?
        .ok_or_else(|| malformed("credentialStatus entry without statusListIndex"))?;
    let index = parse_index(&index)?;
    let list = statements
        .iri(entry, &format!("{STATUS}statusListCredential"))
        .map_err(|_| malformed("statusListCredential must be one URL"))?;
    Ok(StatusEntry {
        purpose,
        list,
        index,
    })
}

/// A decimal index without sign, leading `+` or spaces, within what a
/// status list can hold.
fn parse_index(text: &str) -> Result<usize, ParseError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("statusListIndex must be a decimal integer"));
    }
    text.parse::<u32>()
        .map(|i| i as usize)
        .map_err(|_| malformed("statusListIndex is out of range"))
}
