//! JSON-LD safe mode: a document is accepted only if everything it says
//! becomes a statement, in the one form the statements compact back to.
//!
//! The document is expanded with the trusted contexts under a strict
//! policy (an undefined term or an invalid IRI is an error, not a silent
//! drop), every identifier of the expansion must be a valid IRI or blank
//! node (an invalid one would be dropped from the RDF the proof covers),
//! and the expansion compacted back through the document's own contexts
//! must equal the document received ([`super::compare`]). Past this check,
//! the JSON and its statements say the same thing.

use super::compare::same_statements;
use super::processed::ProcessedContexts;
use crate::ParseError;
use serde_json::Value;
use ssi::json_ld::context_processing::ProcessedOwned;
use ssi::json_ld::object::FragmentRef;
use ssi::json_ld::{Compact, ContextLoader, ExpandedDocument, Id};

pub(crate) fn unsigned(reason: impl ToString) -> ParseError {
    ParseError::UnsignedMember {
        path: "(document)".into(),
        reason: reason.to_string(),
    }
}

/// Checks that `expanded`, the strict expansion of `document`, is in safe
/// form: valid identifiers, and compacted back it is `document`.
pub(crate) async fn check_round_trip(
    document: &Value,
    expanded: &ExpandedDocument,
    loader: &ContextLoader,
    contexts: &ProcessedContexts,
) -> Result<(), ParseError> {
    check_identifiers(expanded)?;
    let context = document.get("@context").unwrap_or(&Value::Null);
    let processed = contexts.get(context, loader).await?;
    let compacted = expanded
        .compact(ProcessedOwned::as_ref(&processed), loader)
        .await
        .map_err(|e| unsigned(format!("JSON-LD compaction failed: {e}")))?;
    same_statements(document, &compacted.into_serde_json())
}

/// Every identifier (node id, type, property) must be a valid IRI or blank
/// node identifier: an invalid one makes no RDF statement.
fn check_identifiers(expanded: &ExpandedDocument) -> Result<(), ParseError> {
    for fragment in expanded.traverse() {
        if let FragmentRef::NodeFragment(node) = fragment {
            if let Some(Id::Invalid(id)) = node.into_id() {
                return Err(ParseError::UnsignedMember {
                    path: id.clone(),
                    reason: "not an absolute IRI: it makes no statement".into(),
                });
            }
        }
    }
    Ok(())
}
