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

pub(crate) mod bounded;
pub(crate) mod compare;
pub(crate) mod context;
pub mod credential;
pub mod graph;
pub(crate) mod graph_member;
pub mod link;
pub(crate) mod memo;
pub(crate) mod paths;
pub(crate) mod processed;
pub(crate) mod profile;
pub(crate) mod round_trip;
pub(crate) mod without;

use crate::ParseError;
use graph::Statements;
use serde_json::Value;
use ssi::json_ld::{ContextLoader, ExpandedDocument};
use std::sync::Arc;

/// JSON-LD safe mode with a set of trusted contexts (a context loader),
/// keeping the contexts it has processed and the expansions it has made
/// ([`memo`]).
pub struct SafeMode {
    loader: ContextLoader,
    contexts: processed::ProcessedContexts,
    memo: memo::ExpansionMemo,
    members: bounded::Bounded<Option<graph_member::GraphMember>>,
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
            memo: Default::default(),
            members: Default::default(),
        }
    }

    /// Strict expansion of `document` from its processed top-level
    /// `@context` (processed once, reused), or the one already made of the
    /// same text. No safe-mode check: for a document's signature, over
    /// what the signer canonicalized.
    pub(crate) async fn expand(
        &self,
        document: &Value,
    ) -> Result<Arc<ExpandedDocument>, processed::ExpandError> {
        let key = document.to_string();
        if let Some(hit) = self.memo.get(&key) {
            return Ok(hit);
        }
        let expanded = Arc::new(processed::expand(document, &self.loader, &self.contexts).await?);
        self.memo.put(key, expanded.clone());
        Ok(expanded)
    }

    /// Whether an expansion of `document` is kept (tests: a derivation
    /// took place).
    #[cfg(test)]
    pub(crate) fn keeps_expansion_of(&self, document: &Value) -> bool {
        self.memo.get(&document.to_string()).is_some()
    }

    /// The expansion of `document` without its member `member`: derived
    /// from `expanded` (that of the whole document) where
    /// [`without::without_member`] can, else expanded.
    async fn expand_without(
        &self,
        document: &serde_json::Map<String, Value>,
        expanded: &ExpandedDocument,
        member: &str,
    ) -> Result<Arc<ExpandedDocument>, processed::ExpandError> {
        match self.derive_without(document, expanded, member).await {
            (_, Some(derived)) => Ok(derived),
            (smaller, None) => self.expand(&smaller).await,
        }
    }

    /// `document` without `member`, and its expansion when it can be
    /// derived from `expanded`.
    async fn derive_without(
        &self,
        document: &serde_json::Map<String, Value>,
        expanded: &ExpandedDocument,
        member: &str,
    ) -> (Value, Option<Arc<ExpandedDocument>>) {
        let mut smaller = document.clone();
        smaller.remove(member);
        let derived = self.derivation(document, expanded, member).await;
        (Value::Object(smaller), derived.map(Arc::new))
    }

    /// The derivation of [`without`], where its conditions hold.
    async fn derivation(
        &self,
        document: &serde_json::Map<String, Value>,
        expanded: &ExpandedDocument,
        member: &str,
    ) -> Option<ExpandedDocument> {
        let items = without::typed_items(document, member)?;
        let context = document.get("@context")?;
        let top = self.contexts.get(context, &self.loader).await.ok()?;
        let graph = self.graph_member(document, &top, context, member).await?;
        if graph.items == graph_member::Items::Own {
            for item in items {
                let own = self.contexts.get(item.get("@context")?, &self.loader);
                if !graph_member::type_is_keyword(own.await.ok()?.processed()) {
                    return None;
                }
            }
        }
        without::without_member(document, expanded, &graph, member)
    }

    /// [`graph_member::graph_member`], kept by the document's context, type
    /// members and `member` (what it depends on).
    async fn graph_member(
        &self,
        document: &serde_json::Map<String, Value>,
        top: &processed::Processed,
        context: &Value,
        member: &str,
    ) -> Option<graph_member::GraphMember> {
        let types = graph_member::type_entries(document, top.processed());
        let key = serde_json::json!([context, member, types]).to_string();
        if let Some(hit) = self.members.get(&key) {
            return hit;
        }
        let found = graph_member::graph_member(document, top, member, &self.loader).await;
        self.members.put(key, found.clone());
        found
    }

    /// Safe mode for one document (its `nested` members — a presentation's
    /// credentials — are documents of their own, checked separately):
    /// returns the document's statements. The whole document is expanded
    /// once; its own part (without `nested`) and its unsecured form
    /// (without `proof`, kept for its signature check) are derived from
    /// that expansion where [`without`] can.
    pub async fn statements(
        &self,
        document: &Value,
        accepted_contexts: &[&str],
        nested: &[&str],
    ) -> Result<Statements, ParseError> {
        context::check_context(document, accepted_contexts)?;
        profile::check_profile(document, nested)?;
        let Value::Object(members) = document else {
            return Err(ParseError::Malformed(
                "a document must be a JSON object".into(),
            ));
        };
        // The nested documents are expanded here as part of the whole:
        // their contexts and profile are checked first, so that what fails
        // there is reported as theirs (checked again, cheaply, on their own).
        for item in nested_documents(members, nested) {
            context::check_context(item, accepted_contexts)?;
            profile::check_profile(item, &[])?;
        }
        let whole = self.expand(document).await.map_err(round_trip::unsigned)?;
        let unsecured = match members.contains_key("proof") {
            true => self.derive_without(members, &whole, "proof").await,
            false => (Value::Null, None),
        };
        let mut own = members.clone();
        let mut expanded = whole;
        for member in nested.iter().filter(|m| members.contains_key(**m)) {
            expanded = self
                .expand_without(&own, &expanded, member)
                .await
                .map_err(round_trip::unsigned)?;
            own.remove(*member);
        }
        let own = Value::Object(own);
        round_trip::check_round_trip(&own, &expanded, &self.loader, &self.contexts).await?;
        // Kept for the signature check once the document passed safe mode.
        if let (smaller, Some(derived)) = unsecured {
            self.memo.put(smaller.to_string(), derived);
        }
        Statements::from_expanded(&expanded)
    }
}

/// The JSON objects among the values of `members`' `nested` members.
fn nested_documents<'a>(
    members: &'a serde_json::Map<String, Value>,
    nested: &'a [&str],
) -> impl Iterator<Item = &'a Value> {
    nested
        .iter()
        .filter_map(|m| members.get(*m))
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            one => vec![one],
        })
        .filter(|v| v.is_object())
}

/// bbs-2023 canonicalization expands with the same processed contexts
/// (strictly: the document passed safe mode before its proof is checked).
impl credence_bbs2023::Expansion for SafeMode {
    async fn expand(
        &self,
        document: &serde_json::Map<String, Value>,
    ) -> Result<ExpandedDocument, String> {
        let document = Value::Object(document.clone());
        SafeMode::expand(self, &document)
            .await
            .map(|expanded| expanded.as_ref().clone())
            .map_err(|e| e.to_string())
    }
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
