//! What a document's proof covers, and nothing else.
//!
//! Every document the verifier decides on — the presentation, each
//! credential in it, each delegation link, each status list — first passes
//! JSON-LD safe mode: its `@context` is among the accepted ones
//! ([`context`]), it keeps the strict JSON profile ([`profile`]: one
//! top-level `@context`, no keyword in claim position, no member that makes
//! no statement), and it survives expansion and compaction unchanged
//! ([`round_trip`]). Decisions then read its RDF statements by IRI
//! ([`graph`]): for a bbs-2023 credential, the very statements the BBS
//! proof verified; for eddsa-rdfc-2022 documents, the statements of the
//! same expansion ssi canonicalizes. Claim names become IRIs through the
//! document's own contexts ([`paths`]).

pub(crate) mod compare;
pub(crate) mod context;
pub mod credential;
pub mod graph;
pub mod link;
pub(crate) mod paths;
pub(crate) mod processed;
pub(crate) mod profile;
pub(crate) mod round_trip;

use crate::ParseError;
use graph::Statements;
use serde_json::Value;
use ssi::json_ld::ContextLoader;

/// JSON-LD safe mode with a set of trusted contexts (a context loader),
/// keeping the contexts it has processed.
pub struct SafeMode {
    loader: ContextLoader,
    contexts: processed::ProcessedContexts,
}

impl std::fmt::Debug for SafeMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeMode").finish_non_exhaustive()
    }
}

impl SafeMode {
    /// Safe mode with the contexts `loader` serves (and nothing else).
    pub fn new(loader: ContextLoader) -> Self {
        Self {
            loader,
            contexts: Default::default(),
        }
    }

    /// Strict expansion of `document` from its processed top-level
    /// `@context` (processed once, reused). No safe-mode check: for a
    /// document's signature, over what the signer canonicalized.
    pub(crate) async fn expand(
        &self,
        document: &Value,
    ) -> Result<ssi::json_ld::ExpandedDocument, processed::ExpandError> {
        processed::expand(document, &self.loader, &self.contexts).await
    }

    /// Safe mode for one document (its `nested` members — a presentation's
    /// credentials — are documents of their own, checked separately):
    /// returns the document's statements.
    pub async fn statements(
        &self,
        document: &Value,
        accepted_contexts: &[&str],
        nested: &[&str],
    ) -> Result<Statements, ParseError> {
        safe_statements(
            document,
            accepted_contexts,
            nested,
            &self.loader,
            &self.contexts,
        )
        .await
    }
}

/// bbs-2023 canonicalization expands with the same processed contexts
/// (strictly: the document passed safe mode before its proof is checked).
impl credence_bbs2023::Expansion for SafeMode {
    async fn expand(
        &self,
        document: &serde_json::Map<String, Value>,
    ) -> Result<ssi::json_ld::ExpandedDocument, String> {
        let document = Value::Object(document.clone());
        processed::expand(&document, &self.loader, &self.contexts)
            .await
            .map_err(|e| e.to_string())
    }
}

async fn safe_statements(
    document: &Value,
    accepted_contexts: &[&str],
    nested: &[&str],
    loader: &ContextLoader,
    contexts: &processed::ProcessedContexts,
) -> Result<Statements, ParseError> {
    context::check_context(document, accepted_contexts)?;
    profile::check_profile(document, nested)?;
    let own = match document {
        Value::Object(members) if !nested.is_empty() => {
            let mut own = members.clone();
            own.retain(|k, _| !nested.contains(&k.as_str()));
            Value::Object(own)
        }
        _ => document.clone(),
    };
    let expanded = round_trip::expand_checked(&own, loader, contexts).await?;
    Statements::from_expanded(&expanded)
}

/// The most blank nodes a presentation and the documents it embeds may
/// hold together.
pub const MAX_PRESENTATION_BLANK_NODES: usize = 48;

/// The statements of every document of a presentation, each checked in
/// safe mode before anything else is read or verified.
pub(crate) struct SafeDocuments {
    /// The presentation's own statements (its credentials excluded).
    pub presentation: Statements,
    /// Each credential's statements as received, in order (its proof
    /// verifies them later; decisions read the verified ones).
    pub credentials: Vec<Statements>,
    /// Each delegation link's statements.
    pub links: Vec<Statements>,
}

/// Safe mode for a presentation and every document it embeds.
pub(crate) async fn safe_documents(
    vp: &crate::UnverifiedPresentation,
    safe: &SafeMode,
    contexts: &[&str],
) -> Result<SafeDocuments, ParseError> {
    let presentation = safe
        .statements(&vp.json, contexts, &["verifiableCredential"])
        .await?;
    let mut credentials = Vec::with_capacity(vp.credentials.len());
    for credential in &vp.credentials {
        credentials.push(safe.statements(credential, contexts, &[]).await?);
    }
    let mut links = Vec::with_capacity(vp.delegations.len());
    for link in &vp.delegations {
        links.push(safe.statements(link, contexts, &[]).await?);
    }
    // The presentation is canonicalized whole (for the holder's signature):
    // bound the blank nodes of all its documents together as well.
    let total: usize = match vp.json.as_object() {
        Some(object) => profile::blank_nodes(object),
        None => 0,
    };
    if total > MAX_PRESENTATION_BLANK_NODES {
        return Err(ParseError::Malformed(format!(
            "{total} blank nodes in the presentation; at most {MAX_PRESENTATION_BLANK_NODES}"
        )));
    }
    Ok(SafeDocuments {
        presentation,
        credentials,
        links,
    })
}
