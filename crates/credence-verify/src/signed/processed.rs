//! Processed JSON-LD contexts, reused: a document's top-level `@context`
//! list is processed once per distinct list (and policy), and every
//! expansion and compaction with that list starts from the result.
//!
//! JSON-LD 1.1 (json-ld 0.21, which ssi 0.16 uses) processes a document's
//! `@context` on every expansion and keeps nothing. Expanding the document
//! without its top-level `@context`, from the processed context as the
//! initial active context, is the same algorithm with step 1 already done:
//! the expansion algorithm processes a top-level `@context` against the
//! (empty) active context and carries on with the result. Scoped contexts
//! (type- and property-scoped, and a credential's own `@context` inside a
//! presentation) are still processed where they apply.

use super::bounded::Bounded;
use crate::ParseError;
use serde_json::Value;
use ssi::json_ld::context_processing::{Process, ProcessedOwned};
use ssi::json_ld::expansion::{Action, Expand, Options, Policy};
use ssi::json_ld::{ContextLoader, ExpandedDocument};
use std::sync::Arc;

/// A processed `@context` (its syntax and the active context it makes).
pub(crate) type Processed = ProcessedOwned<ssi::json_ld::IriBuf, ssi::json_ld::BlankIdBuf>;

/// Processed `@context` values, by their JSON text (a bounded number: the
/// accepted-context check bounds what can reach it to lists of trusted
/// URLs).
#[derive(Default)]
pub(crate) struct ProcessedContexts(Bounded<Arc<Processed>>);

impl ProcessedContexts {
    /// The processed form of `context` (a document's top-level `@context`).
    pub async fn get(
        &self,
        context: &Value,
        loader: &ContextLoader,
    ) -> Result<Arc<Processed>, ParseError> {
        let key = context.to_string();
        if let Some(hit) = self.0.get(&key) {
            return Ok(hit);
        }
        let syntax: ssi::json_ld::syntax::context::Context =
            json_syntax::from_value(json_syntax::Value::from_serde_json(context.clone()))
                .map_err(|_| ParseError::Malformed("@context is not a JSON-LD context".into()))?;
        let processed = syntax
            .process(&mut (), loader, None)
            .await
            .map_err(|e| ParseError::UnsupportedContext(e.to_string()))?
            .processed;
        let processed = Arc::new(ProcessedOwned::new(syntax, processed));
        self.0.put(key, processed.clone());
        Ok(processed)
    }
}

/// Strict expansion (an undefined term or an invalid IRI is an error, as
/// ssi's own expansion of compact JSON-LD) of `document` from its processed
/// top-level `@context`.
pub(crate) async fn expand(
    document: &Value,
    loader: &ContextLoader,
    contexts: &ProcessedContexts,
) -> Result<ExpandedDocument, ExpandError> {
    let Value::Object(members) = document else {
        return Err(ExpandError::NotAnObject);
    };
    let Some(context) = members.get("@context") else {
        return Err(ExpandError::NoContext);
    };
    let processed = contexts
        .get(context, loader)
        .await
        .map_err(ExpandError::Context)?;
    let mut bare = members.clone();
    bare.remove("@context");
    let bare = json_syntax::Value::from_serde_json(Value::Object(bare));
    let options = Options {
        policy: Policy {
            invalid: Action::Reject,
            allow_undefined: false,
            ..Default::default()
        },
        ..Default::default()
    };
    bare.expand_full(
        &mut (),
        processed.processed().clone(),
        None,
        loader,
        options,
        (),
    )
    .await
    .map_err(|e| ExpandError::Refused(e.to_string()))
}

/// Why a document could not be expanded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ExpandError {
    /// The document is not a JSON object.
    #[error("not a JSON object")]
    NotAnObject,
    /// It has no top-level `@context`.
    #[error("no @context")]
    NoContext,
    /// Its `@context` could not be processed.
    #[error("JSON-LD expansion refused it: {0}")]
    Context(ParseError),
    /// The expansion algorithm refused it.
    #[error("JSON-LD expansion refused it: {0}")]
    Refused(String),
}
