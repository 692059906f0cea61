//! The request: each credential answers one credential query of the DCQL
//! query — every type of one of its type sets (expanded IRIs), every
//! requested claim among its verified statements, with one of the
//! requested `values` when the query names some — no credential answers
//! two queries, and the answered queries satisfy the request's credential
//! sets (without sets: every query).

use crate::signed::credential::CredentialStatements;
use crate::signed::paths::PathResolver;
use crate::ConstraintError;
use credence_core::{CredentialQuery, DcqlQuery, PresentationRequest};
use serde_json::Value;
use ssi::json_ld::ContextLoader;
use std::collections::BTreeSet;

/// Where a credential's claim names are resolved: its own `@context` and
/// `type` as received (safe mode made them the signed ones).
pub(crate) struct Terms<'a> {
    /// The credential's `@context`.
    pub context: &'a Value,
    /// The credential's `type`.
    pub types: &'a Value,
    /// The resolver and its cache.
    pub paths: &'a PathResolver,
    /// The trusted contexts.
    pub loader: &'a ContextLoader,
}

/// The IRI every credential has.
const VERIFIABLE_CREDENTIAL: &str = "https://www.w3.org/2018/credentials#VerifiableCredential";

/// Whether `credential` answers `query`; `Err` says why not. Its types
/// count only as far as its issuer is trusted for them (`trusted`, IRIs):
/// a credential is never the answer to a query for a type its issuer may
/// not assert.
pub(crate) async fn answers(
    credential: &CredentialStatements,
    trusted: &BTreeSet<String>,
    query: &CredentialQuery,
    terms: &Terms<'_>,
) -> Result<(), ConstraintError> {
    if query.format != credence_core::LDP_VC {
        return Err(ConstraintError::WrongCredentialType(format!(
            "a Data Integrity credential does not answer a `{}` query",
            query.format
        )));
    }
    let counts = |t: &String| t == VERIFIABLE_CREDENTIAL || trusted.contains(t);
    let type_ok = query
        .meta
        .type_values
        .iter()
        .any(|set| set.iter().all(|t| counts(t) && credential.has_type(t)));
    if !type_ok {
        return Err(ConstraintError::WrongCredentialType(format!(
            "{:?}",
            credential.types
        )));
    }
    for claim in &query.claims {
        let missing = || ConstraintError::MissingClaim(claim.path.to_string());
        let iris = terms
            .paths
            .resolve(terms.context, terms.types, &claim.path.0, terms.loader)
            .await
            .ok_or_else(missing)?;
        let values = credential
            .statements
            .values_at(&credential.node, &iris)
            .map_err(|_| missing())?;
        if values.is_empty() {
            return Err(missing());
        }
        let accepted = values
            .iter()
            .any(|v| v.as_text().is_some_and(|t| claim.accepts(t)));
        if !accepted {
            return Err(ConstraintError::ClaimValueMismatch(claim.path.to_string()));
        }
    }
    Ok(())
}

/// Which queries each credential answers (by index into the query's
/// credential queries; never none), or why it answers none.
pub(crate) type Candidates = Vec<Result<Vec<usize>, ConstraintError>>;

/// Assigns each credential one query it answers, no query twice, so that
/// the request is satisfied; returns the query id of each credential.
pub(crate) fn assign(
    candidates: &Candidates,
    request: &PresentationRequest,
) -> Result<Vec<String>, ConstraintError> {
    let dcql = &request.dcql_query;
    let mut options = Vec::with_capacity(candidates.len());
    for c in candidates {
        match c {
            Ok(qs) => options.push(qs.as_slice()),
            Err(e) => return Err(e.clone()),
        }
    }
    let mut chosen = Vec::with_capacity(options.len());
    if search(&options, dcql, &mut chosen) {
        return Ok(chosen
            .iter()
            .map(|&q| dcql.credentials[q].id.clone())
            .collect());
    }
    Err(ConstraintError::RequestNotSatisfied(
        "no assignment of the credentials to distinct queries satisfies its credential sets".into(),
    ))
}

/// Backtracking over at most 8 credentials × 8 queries.
fn search(options: &[&[usize]], dcql: &DcqlQuery, chosen: &mut Vec<usize>) -> bool {
    let Some((first, rest)) = options.split_first() else {
        let answered: BTreeSet<&str> = chosen
            .iter()
            .map(|&q| dcql.credentials[q].id.as_str())
            .collect();
        return dcql.satisfied_by(&answered);
    };
    for &q in *first {
        if chosen.contains(&q) {
            continue;
        }
        chosen.push(q);
        if search(rest, dcql, chosen) {
            return true;
        }
        chosen.pop();
    }
    false
}
