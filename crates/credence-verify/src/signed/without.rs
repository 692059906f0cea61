//! The expansion of a document without one of its top-level members
//! (`proof`, a presentation's `verifiableCredential`), derived from the
//! expansion of the whole document instead of expanding again.
//!
//! JSON-LD expansion of a node object expands each member on its own with
//! the node's active context; only `@context` and the members that expand
//! to `@type` change that context (type-scoped contexts). So the expansion
//! of the document without member `m` is the expansion of the whole
//! document without the values `m` contributed — provided they can be told
//! apart, which is checked, not assumed:
//!
//! - the property `p` that `m` expands to on this node is read from the
//!   expansion of a **probe**: the document's `@context` and type members
//!   (the same active context as the node's) and `m` with a placeholder
//!   node reference. It must be a `@graph`-container property: each item of `m`
//!   then makes exactly one value of `p`;
//! - each item of `m` is a string, or an object with a `type` member and
//!   no `null` or empty-array member (so it expands to one value, never
//!   to none);
//! - the expansion is one node object whose `p` holds exactly as many
//!   values as `m` has items: no other member put a value under `p`.
//!
//! When any of this does not hold, there is no derivation and the caller
//! expands the smaller document itself.

use super::processed::Processed;
use serde_json::{Map, Value};
use ssi::json_ld::syntax::Keyword;
use ssi::json_ld::{ExpandedDocument, Id, Object, Term};

/// The placeholder IRI of the probed member's value (given as `{"@id":
/// …}`: a keyword means the same under any property-scoped context, even
/// `@context: null` as on VC 2.0's `verifiableCredential`).
const PLACEHOLDER: &str = "urn:credence:probe";

/// The probe for member `member` of `document` (whose top-level context,
/// processed, is `context`): its `@context`, every member that expands to
/// `@type`, and `member` with a placeholder IRI.
pub(crate) fn probe(document: &Map<String, Value>, context: &Processed, member: &str) -> Value {
    let mut probe = Map::new();
    for (key, value) in document {
        let is_type = key == "@type"
            || matches!(
                context
                    .processed()
                    .get(key.as_str())
                    .and_then(|d| d.value().cloned()),
                Some(Term::Keyword(Keyword::Type))
            );
        if key == "@context" || (is_type && key != member) {
            probe.insert(key.clone(), value.clone());
        }
    }
    let mut placeholder = Map::new();
    placeholder.insert("@id".into(), Value::String(PLACEHOLDER.into()));
    probe.insert(member.to_owned(), Value::Object(placeholder));
    Value::Object(probe)
}

/// The property the probed member expands to, from the probe's expansion:
/// its one property, if that holds one graph object.
pub(crate) fn probed_property(probe: &ExpandedDocument) -> Option<Id> {
    let node = single_node(probe)?;
    let mut properties = node.properties().iter();
    let (property, values) = properties.next()?;
    if properties.next().is_some() || !property.is_valid() {
        return None;
    }
    let mut values = values.iter();
    let value = values.next()?;
    let is_graph = matches!(value.inner(), Object::Node(n) if n.is_graph());
    (is_graph && values.next().is_none()).then(|| property.clone())
}

/// The expansion of `document` without its member `member`, derived from
/// `expanded` (the strict expansion of the whole `document`), `property`
/// being what [`probed_property`] found `member` expands to; `None` when
/// it cannot be derived safely.
pub(crate) fn without_member(
    document: &Map<String, Value>,
    expanded: &ExpandedDocument,
    property: &Id,
    member: &str,
) -> Option<ExpandedDocument> {
    let items = match document.get(member)? {
        Value::Array(items) => items.iter().all(one_value).then_some(items.len())?,
        one => one_value(one).then_some(1)?,
    };
    single_node(expanded)?;
    let mut object = expanded.iter().next()?.clone();
    let Object::Node(node) = object.inner_mut() else {
        return None;
    };
    if node.properties().get(property).count() != items {
        return None;
    }
    node.properties_mut().remove(property);
    Some(std::iter::once(object).collect())
}

/// The document's one object, if it is a node object.
fn single_node(expanded: &ExpandedDocument) -> Option<&ssi::json_ld::Node> {
    if expanded.len() != 1 {
        return None;
    }
    match expanded.iter().next()?.inner() {
        Object::Node(node) => Some(node),
        _ => None,
    }
}

/// An item that expands to exactly one value of a `@graph`-container
/// property: a string (a node reference), or an object that is a node with
/// a type (never `null`, an empty set, or a map of only a language).
fn one_value(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Object(members) => {
            members.contains_key("type")
                && members.values().all(|v| match v {
                    Value::Null => false,
                    Value::Array(items) => !items.is_empty(),
                    _ => true,
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signed::SafeMode;
    use serde_json::json;
    use ssi::rdf::{AnyLdEnvironment, LdEnvironment};

    fn canonical(expanded: &ExpandedDocument) -> Vec<String> {
        LdEnvironment::default()
            .canonical_form_of(expanded)
            .expect("canonical form")
    }

    /// The derivation of `document` without `member`, and the smaller
    /// document's own expansion, both in canonical form.
    async fn both(document: &Value, member: &str) -> (Option<Vec<String>>, Vec<String>) {
        let safe = SafeMode::new(credence_core::context_loader_with(Default::default()));
        let whole = safe.expand(document).await.expect("expands");
        let members = document.as_object().expect("object");
        let (smaller, derived) = safe.derive_without(members, &whole, member).await;
        let fresh = SafeMode::new(credence_core::context_loader_with(Default::default()));
        let direct = fresh.expand(&smaller).await.expect("expands");
        (derived.as_deref().map(canonical), canonical(&direct))
    }

    fn credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
            "type": ["VerifiableCredential", "AgentCredential"],
            "issuer": "did:example:issuer",
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:agent", "capabilities": ["a.b", "c.d"]},
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                "verificationMethod": "did:example:issuer#k", "proofPurpose": "assertionMethod",
                "proofValue": "z123"},
        })
    }

    #[tokio::test]
    async fn a_protected_member_is_removed_exactly() {
        let (derived, direct) = both(&credential(), "proof").await;
        assert_eq!(derived.as_ref(), Some(&direct));
        assert!(
            direct.iter().all(|q| !q.contains("security#proof")),
            "{direct:?}"
        );
        let mut vp = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": "VerifiablePresentation",
            "holder": "did:example:agent",
            "verifiableCredential": [credential(), credential()],
        });
        vp["verifiableCredential"][1]["issuer"] = json!("did:example:other");
        let (derived, direct) = both(&vp, "verifiableCredential").await;
        assert_eq!(derived.as_ref(), Some(&direct));
        // Not a @graph property: its items could make several values.
        let (derived, _) = both(&credential(), "credentialSubject").await;
        assert_eq!(derived, None);
    }

    #[tokio::test]
    async fn another_member_with_the_same_iri_stops_the_derivation() {
        // The same property by its full IRI beside the term: removing every
        // value of the IRI would drop a statement the smaller document has.
        let mut doc = credential();
        doc["https://w3id.org/security#proof"] = doc["proof"].clone();
        doc["https://w3id.org/security#proof"]["proofValue"] = json!("z456");
        let (derived, direct) = both(&doc, "proof").await;
        assert_eq!(derived, None);
        assert!(
            direct.iter().any(|q| q.contains("security#proof")),
            "{direct:?}"
        );
        // The same with a compact IRI, and with an array of two proofs.
        let mut doc2 = credential();
        doc2["proof"] = json!([credential()["proof"], credential()["proof"]]);
        doc2["https://w3id.org/security#proof"] = json!("did:example:elsewhere");
        let (derived, _) = both(&doc2, "proof").await;
        assert_eq!(derived, None);
    }

    #[tokio::test]
    async fn a_member_that_is_not_a_graph_property_is_not_derived() {
        // `proof` here is a plain IRI-valued property: no derivation (an
        // item of it could expand to several values, or none).
        let doc = json!({
            "@context": {"proof": {"@id": "https://w3id.org/security#proof", "@type": "@id"},
                "name": "https://schema.org/name"},
            "@id": "did:example:x",
            "name": "x",
            "proof": "did:example:p",
        });
        let (derived, direct) = both(&doc, "proof").await;
        assert_eq!(derived, None);
        assert_eq!(direct.len(), 1, "{direct:?}");
        // A type-scoped context that maps the member to another IRI: the
        // probe finds the IRI the node really uses.
        let doc = json!({
            "@context": {"@version": 1.1,
                "proof": {"@id": "https://example.org/outer", "@container": "@graph"},
                "Special": {"@id": "https://example.org/Special", "@context": {
                    "proof": {"@id": "https://example.org/inner", "@container": "@graph"}}},
                "name": "https://schema.org/name", "type": "@type"},
            "@id": "did:example:x",
            "type": "Special",
            "name": "x",
            "proof": {"type": "https://example.org/P", "name": "p"},
        });
        let (derived, direct) = both(&doc, "proof").await;
        assert_eq!(derived.as_ref(), Some(&direct));
        assert!(
            direct.iter().all(|q| !q.contains("example.org/inner")),
            "{direct:?}"
        );
    }

    #[tokio::test]
    async fn an_absent_member_or_an_item_without_a_type_is_not_derived() {
        let (derived, _) = both(&credential(), "evidence").await;
        assert_eq!(derived, None);
        let mut doc = credential();
        doc["proof"] = json!({"id": "did:example:p"});
        let (derived, _) = both(&doc, "proof").await;
        assert_eq!(derived, None);
    }
}
