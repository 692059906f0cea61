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
use crate::ParseError;
use serde_json::Value;
use ssi::json_ld::context_processing::{Process, ProcessedOwned};
use ssi::json_ld::object::FragmentRef;
use ssi::json_ld::{
    Compact, CompactJsonLd, ContextLoader, Expandable, ExpandedDocument, Id, JsonLdObject,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn unsigned(reason: impl ToString) -> ParseError {
    ParseError::UnsignedMember {
        path: "(document)".into(),
        reason: reason.to_string(),
    }
}

/// Processed `@context` values, by their JSON text: compacting every
/// document anew through the same contexts is the bulk of safe mode's cost.
#[derive(Default)]
pub(crate) struct ProcessedContexts(Mutex<HashMap<String, Arc<Processed>>>);

type Processed = ProcessedOwned<ssi::json_ld::IriBuf, ssi::json_ld::BlankIdBuf>;

/// At most this many distinct `@context` values are kept processed.
const MAX_CONTEXTS: usize = 64;

impl ProcessedContexts {
    async fn get(
        &self,
        compact: &CompactJsonLd,
        loader: &ContextLoader,
    ) -> Result<Arc<Processed>, ParseError> {
        let key = compact
            .0
            .as_object()
            .and_then(|o| o.get("@context").next())
            .map(|c| c.to_string())
            .unwrap_or_default();
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit.clone());
        }
        let context = compact
            .json_ld_context()
            .ok_or_else(|| ParseError::Malformed("@context is not a JSON-LD context".into()))?;
        let processed = context
            .process(&mut (), loader, None)
            .await
            .map_err(|e| ParseError::UnsupportedContext(e.to_string()))?
            .processed;
        let processed = Arc::new(ProcessedOwned::new(context.into_owned(), processed));
        let mut cache = self.lock();
        if cache.len() >= MAX_CONTEXTS {
            cache.clear();
        }
        cache.insert(key, processed.clone());
        Ok(processed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Processed>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Expands `document`, checks it is in safe form, and returns the expansion.
pub(crate) async fn expand_checked(
    document: &Value,
    loader: &ContextLoader,
    contexts: &ProcessedContexts,
) -> Result<ExpandedDocument, ParseError> {
    let compact = CompactJsonLd(json_syntax::Value::from_serde_json(document.clone()));
    let expanded: ExpandedDocument = compact
        .expand(loader)
        .await
        .map_err(|e| unsigned(format!("JSON-LD expansion refused it: {e}")))?;
    check_identifiers(&expanded)?;
    let processed = contexts.get(&compact, loader).await?;
    let compacted = expanded
        .compact(ProcessedOwned::as_ref(&processed), loader)
        .await
        .map_err(|e| unsigned(format!("JSON-LD compaction failed: {e}")))?;
    same_statements(document, &compacted.into_serde_json())?;
    Ok(expanded)
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
