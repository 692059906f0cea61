//! Claim names → IRIs, as the credential's own contexts define them.
//!
//! A request or policy names a claim by a path of terms
//! (`credentialSubject.capabilities`). The IRIs those terms stand for are
//! found the way JSON-LD itself finds them: a probe document with the
//! credential's `@context` and `type` and the path as nested members is
//! expanded under the same strict policy, and the predicate at each level
//! is read off its statements. Results are cached per context, types and
//! path.

use super::graph::{node_of, Statements, RDF_TYPE};
use serde_json::{json, Value};
use ssi::json_ld::{CompactJsonLd, ContextLoader, Expandable, ExpandedDocument};
use std::collections::HashMap;
use std::sync::Mutex;

/// The value a probe path ends in: a valid IRI and a valid string, so that
/// it expands whatever the last term's type.
const PROBE_VALUE: &str = "urn:credence:probe";

/// At most this many paths are cached.
const CACHE_CAPACITY: usize = 4096;

/// Resolved claim paths.
#[derive(Debug, Default)]
pub(crate) struct PathResolver {
    cache: Mutex<HashMap<String, Option<Vec<String>>>>,
}

impl PathResolver {
    /// The predicate IRIs `path` stands for in a document with `context`
    /// and `types` (JSON, as the credential states them); `None` when a
    /// term is not defined there.
    pub async fn resolve(
        &self,
        context: &Value,
        types: &Value,
        path: &[String],
        loader: &ContextLoader,
    ) -> Option<Vec<String>> {
        let key = format!("{context}\u{0}{types}\u{0}{}", path.join("\u{0}"));
        if let Some(hit) = self.lock().get(&key) {
            return hit.clone();
        }
        let resolved = probe(context, types, path, loader).await;
        let mut cache = self.lock();
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(key, resolved.clone());
        resolved
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<Vec<String>>>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn probe(
    context: &Value,
    types: &Value,
    path: &[String],
    loader: &ContextLoader,
) -> Option<Vec<String>> {
    if path.is_empty() || path.iter().any(|t| t.is_empty() || t.starts_with('@')) {
        return None;
    }
    let mut body = json!(PROBE_VALUE);
    for term in path.iter().rev() {
        body = json!({ term.clone(): body });
    }
    let mut document = body;
    document["@context"] = context.clone();
    document["type"] = types.clone();
    let compact = CompactJsonLd(json_syntax::Value::from_serde_json(document));
    let expanded: ExpandedDocument = compact.expand(loader).await.ok()?;
    let statements = Statements::from_expanded(&expanded).ok()?;
    let mut node = statements
        .nodes_with_statements()
        .into_iter()
        .find(|n| !statements.objects(n, RDF_TYPE).is_empty())?
        .clone();
    let mut iris = Vec::with_capacity(path.len());
    for _ in path {
        let predicates = statements.predicates(&node);
        let [predicate] = predicates.as_slice() else {
            return None;
        };
        iris.push(predicate.clone());
        let next = statements
            .objects(&node, predicate)
            .first()
            .copied()
            .and_then(node_of);
        match next {
            Some(n) => node = n.clone(),
            None => break,
        }
    }
    (iris.len() == path.len()).then_some(iris)
}

impl PathResolver {
    /// The IRI the type name `name` stands for in a document with
    /// `context` (an absolute IRI stands for itself).
    pub async fn resolve_type(
        &self,
        context: &Value,
        name: &str,
        loader: &ContextLoader,
    ) -> Option<String> {
        let key = format!("{context}\u{0}@type\u{0}{name}");
        if let Some(hit) = self.lock().get(&key) {
            return hit.clone().and_then(|mut v| v.pop());
        }
        let document = json!({"@context": context, "type": name, "id": PROBE_VALUE});
        let compact = CompactJsonLd(json_syntax::Value::from_serde_json(document));
        let resolved = match compact.expand(loader).await {
            Ok(expanded) => {
                let expanded: ExpandedDocument = expanded;
                Statements::from_expanded(&expanded)
                    .ok()
                    .and_then(|s| s.nodes_with_statements().first().map(|n| s.types(n)))
                    .and_then(|types| <[String; 1]>::try_from(types).ok())
                    .map(|[t]| vec![t])
            }
            Err(_) => None,
        };
        let mut cache = self.lock();
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(key, resolved.clone());
        resolved.and_then(|mut v| v.pop())
    }
}
