//! The statements a proof covers, as a small graph to read by IRI: every
//! decision reads its values from here, never from the JSON beside it.

use crate::ParseError;
use chrono::{DateTime, Utc};
use rdf_types::{Id, LexicalQuad, Literal, LiteralType, Term};
use ssi::json_ld::ExpandedDocument;
use std::collections::BTreeMap;

/// `rdf:type`.
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// The VC 2.0 vocabulary (`https://www.w3.org/2018/credentials#`).
pub const CRED: &str = "https://www.w3.org/2018/credentials#";
/// The Bitstring Status List vocabulary.
pub const STATUS: &str = "https://www.w3.org/ns/credentials/status#";
const XSD_DATE_TIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";
const XSD_DATE_TIME_STAMP: &str = "http://www.w3.org/2001/XMLSchema#dateTimeStamp";

/// How deep nested claim objects are read.
const MAX_CLAIM_DEPTH: usize = 8;

/// A node of the graph: an IRI or a blank node.
pub type Node = Id;

/// The default-graph statements of one document (the statements of named
/// graphs — a presentation's credentials, proofs — are not its own).
#[derive(Debug, Clone, Default)]
pub struct Statements {
    triples: Vec<(Node, String, Term)>,
}

/// One value of a claim, read from the statements.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ClaimValue {
    /// A literal's lexical form, or an IRI.
    Text(String),
    /// A nested object: a node with statements of its own.
    Node {
        /// Its IRI, when it has one (not a blank node).
        id: Option<String>,
        /// Its statements.
        claims: Claims,
    },
}

impl ClaimValue {
    /// The text of a literal or IRI value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            Self::Node { .. } => None,
        }
    }
}

/// Claims of one node: predicate IRI → values.
pub type Claims = BTreeMap<String, Vec<ClaimValue>>;

fn malformed(reason: impl Into<String>) -> ParseError {
    ParseError::Malformed(reason.into())
}

impl Statements {
    /// The default-graph statements among `quads`.
    pub fn from_quads(quads: impl IntoIterator<Item = LexicalQuad>) -> Self {
        let triples = quads
            .into_iter()
            .filter(|q| q.3.is_none())
            .map(|q| (q.0, q.1.as_str().to_owned(), q.2))
            .collect();
        Self { triples }
    }

    /// The statements of an expanded document.
    pub fn from_expanded(expanded: &ExpandedDocument) -> Result<Self, ParseError> {
        let quads =
            ssi_di_sd_primitives::skolemize::expanded_to_deskolemized_nquads("bnid", expanded)
                .map_err(|e| malformed(format!("no RDF statements: {e}")))?;
        Ok(Self::from_quads(quads))
    }

    /// Every node with `rdf:type` `ty`.
    pub fn nodes_of_type(&self, ty: &str) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = self
            .triples
            .iter()
            .filter(|(_, p, o)| p == RDF_TYPE && iri_of(o) == Some(ty))
            .map(|(s, _, _)| s)
            .collect();
        nodes.dedup();
        nodes
    }

    /// The one node of type `ty`.
    pub fn only_node_of_type(&self, ty: &str) -> Result<&Node, ParseError> {
        match self.nodes_of_type(ty).as_slice() {
            [one] => Ok(one),
            [] => Err(malformed(format!("no statement says something is a {ty}"))),
            _ => Err(malformed(format!("more than one {ty} in one document"))),
        }
    }

    /// The objects of `subject`'s `predicate`.
    pub fn objects<'a>(&'a self, subject: &Node, predicate: &str) -> Vec<&'a Term> {
        self.triples
            .iter()
            .filter(|(s, p, _)| s == subject && p == predicate)
            .map(|(_, _, o)| o)
            .collect()
    }

    /// The types of `subject` (IRIs).
    pub fn types(&self, subject: &Node) -> Vec<String> {
        self.objects(subject, RDF_TYPE)
            .into_iter()
            .filter_map(iri_of)
            .map(str::to_owned)
            .collect()
    }

    /// At most one object of `predicate`.
    pub fn at_most_one<'a>(
        &'a self,
        subject: &Node,
        predicate: &str,
    ) -> Result<Option<&'a Term>, ParseError> {
        match self.objects(subject, predicate).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => Err(malformed(format!("{predicate} must have one value"))),
        }
    }

    /// Exactly one object of `predicate`.
    pub fn exactly_one<'a>(
        &'a self,
        subject: &Node,
        predicate: &str,
    ) -> Result<&'a Term, ParseError> {
        self.at_most_one(subject, predicate)?
            .ok_or_else(|| malformed(format!("{predicate} is not stated")))
    }

    /// Exactly one IRI object of `predicate`.
    pub fn iri(&self, subject: &Node, predicate: &str) -> Result<String, ParseError> {
        iri_of(self.exactly_one(subject, predicate)?)
            .map(str::to_owned)
            .ok_or_else(|| malformed(format!("{predicate} must be an IRI")))
    }

    /// At most one literal object of `predicate`: its lexical form.
    pub fn text(&self, subject: &Node, predicate: &str) -> Result<Option<String>, ParseError> {
        match self.at_most_one(subject, predicate)? {
            None => Ok(None),
            Some(Term::Literal(l)) => Ok(Some(l.value.clone())),
            Some(_) => Err(malformed(format!("{predicate} must be a literal"))),
        }
    }

    /// At most one `xsd:dateTime` literal of `predicate`, with a time zone.
    pub fn date_time(
        &self,
        subject: &Node,
        predicate: &str,
    ) -> Result<Option<DateTime<Utc>>, ParseError> {
        let Some(term) = self.at_most_one(subject, predicate)? else {
            return Ok(None);
        };
        let parsed = match term {
            Term::Literal(Literal {
                value,
                type_: LiteralType::Any(ty),
            }) if ty.as_str() == XSD_DATE_TIME || ty.as_str() == XSD_DATE_TIME_STAMP => {
                DateTime::parse_from_rfc3339(value).ok()
            }
            _ => None,
        };
        parsed.map(|t| Some(t.with_timezone(&Utc))).ok_or_else(|| {
            malformed(format!(
                "{predicate} must be an xsd:dateTime with a time zone"
            ))
        })
    }

    /// Every statement about `subject` but its types, nested objects read
    /// to a bounded depth.
    pub fn claims(&self, subject: &Node) -> Result<Claims, ParseError> {
        self.claims_at(subject, 0)
    }

    fn claims_at(&self, subject: &Node, depth: usize) -> Result<Claims, ParseError> {
        if depth > MAX_CLAIM_DEPTH {
            return Err(malformed("claims nest too deeply"));
        }
        let mut claims = Claims::new();
        for (s, p, o) in &self.triples {
            if s != subject || p == RDF_TYPE {
                continue;
            }
            let value = match o {
                Term::Literal(l) => ClaimValue::Text(l.value.clone()),
                Term::Id(id) if self.has_statements(id) => ClaimValue::Node {
                    id: iri_of(o).map(str::to_owned),
                    claims: self.claims_at(id, depth + 1)?,
                },
                Term::Id(Id::Iri(iri)) => ClaimValue::Text(iri.as_str().to_owned()),
                Term::Id(Id::Blank(_)) => ClaimValue::Node {
                    id: None,
                    claims: Claims::new(),
                },
            };
            claims.entry(p.clone()).or_default().push(value);
        }
        Ok(claims)
    }

    fn has_statements(&self, node: &Node) -> bool {
        self.triples
            .iter()
            .any(|(s, p, _)| s == node && p != RDF_TYPE)
    }
}

/// The IRI of a term that is one.
pub fn iri_of(term: &Term) -> Option<&str> {
    match term {
        Term::Id(Id::Iri(iri)) => Some(iri.as_str()),
        _ => None,
    }
}

/// The node a term names, if it is a node.
pub fn node_of(term: &Term) -> Option<&Node> {
    match term {
        Term::Id(id) => Some(id),
        Term::Literal(_) => None,
    }
}

impl Statements {
    /// Every node that is the subject of a statement.
    pub fn nodes_with_statements(&self) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = Vec::new();
        for (s, _, _) in &self.triples {
            if !nodes.contains(&s) {
                nodes.push(s);
            }
        }
        nodes
    }

    /// The predicates of `subject` other than `rdf:type`.
    pub fn predicates(&self, subject: &Node) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (s, p, _) in &self.triples {
            if s == subject && p != RDF_TYPE && !out.contains(p) {
                out.push(p.clone());
            }
        }
        out
    }

    /// The values along `predicates` from `subject`: the objects of the
    /// last predicate, nested objects as [`ClaimValue::Node`].
    pub fn values_at(
        &self,
        subject: &Node,
        predicates: &[String],
    ) -> Result<Vec<ClaimValue>, ParseError> {
        let Some((last, inner)) = predicates.split_last() else {
            return Ok(Vec::new());
        };
        let mut nodes = vec![subject.clone()];
        for predicate in inner {
            nodes = nodes
                .iter()
                .flat_map(|n| self.objects(n, predicate))
                .filter_map(node_of)
                .cloned()
                .collect();
        }
        let mut values = Vec::new();
        for node in &nodes {
            let claims = self.claims(node)?;
            values.extend(claims.get(last).cloned().unwrap_or_default());
        }
        Ok(values)
    }
}
