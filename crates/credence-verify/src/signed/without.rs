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
//! - `m` is a graph member ([`super::graph_member`]): its term definition
//!   in the node's active context makes each item that is a typed node
//!   exactly one value of its property `p`;
//! - each item of `m` is an object with a `type` member and no `null` or
//!   empty-array member (so it expands to one node, never to none), and
//!   where the items bring their own `@context`, `type` is `@type` in it;
//! - the expansion is one node object whose `p` holds exactly as many
//!   values as `m` has items: no other member put a value under `p`.
//!
//! When any of this does not hold, there is no derivation and the caller
//! expands the smaller document itself.

use super::graph_member::GraphMember;
use serde_json::{Map, Value};
use ssi::json_ld::{ExpandedDocument, Object};

/// The items of member `member` of `document`, if each is one typed node
/// object (an array of them, or one).
pub(crate) fn typed_items<'a>(
    document: &'a Map<String, Value>,
    member: &str,
) -> Option<Vec<&'a Value>> {
    let items = match document.get(member)? {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        one => vec![one],
    };
    items.iter().all(|item| one_value(item)).then_some(items)
}

/// The expansion of `document` without its member `member`, derived from
/// `expanded` (the strict expansion of the whole `document`), `graph`
/// being what `member` is on the node; `None` when it cannot be derived
/// safely. Where the items bring their own contexts, the caller has
/// checked that `type` is `@type` in each.
pub(crate) fn without_member(
    document: &Map<String, Value>,
    expanded: &ExpandedDocument,
    graph: &GraphMember,
    member: &str,
) -> Option<ExpandedDocument> {
    let items = typed_items(document, member)?.len();
    single_node(expanded)?;
    let mut object = expanded.iter().next()?.clone();
    let Object::Node(node) = object.inner_mut() else {
        return None;
    };
    if node.properties().get(&graph.property).count() != items {
        return None;
    }
    node.properties_mut().remove(&graph.property);
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

/// An item that expands to exactly one node (where `type` is `@type`): an
/// object with a `type` member and no `null` or empty-array member (never
/// a value of nothing, or a map of only a language). Strings are not
/// derived: a keyword-like string expands to nothing.
fn one_value(value: &Value) -> bool {
    match value {
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

    #[tokio::test]
    async fn a_json_literal_graph_member_is_not_derived() {
        // `@type: @json` makes one literal of the whole array: two items,
        // one value — which a value by the full IRI would make up for.
        let doc = json!({
            "@context": {"@version": 1.1,
                "p": {"@id": "https://example.org/p", "@type": "@json", "@container": "@graph"},
                "name": "https://schema.org/name", "type": "@type"},
            "@id": "urn:x",
            "name": "n",
            "p": [{"type": "https://example.org/T"}, {"type": "https://example.org/T"}],
            "https://example.org/p": {"@id": "urn:other"},
        });
        let (derived, direct) = both(&doc, "p").await;
        assert_eq!(derived, None);
        assert!(
            direct.iter().any(|q| q.contains("example.org/p")),
            "{direct:?}"
        );
    }

    #[tokio::test]
    async fn a_scoped_context_on_the_member_stops_the_derivation() {
        // The member's scoped context aliases `type` to `@language`: its
        // item expands to nothing, and the value by the full IRI would be
        // counted as the item's.
        let doc = json!({
            "@context": {"@version": 1.1,
                "p": {"@id": "https://example.org/p", "@type": "@id", "@container": "@graph",
                    "@context": {"type": "@language"}},
                "name": "https://schema.org/name"},
            "@id": "urn:x",
            "name": "n",
            "p": {"type": "en"},
            "https://example.org/p": {"@id": "urn:other"},
        });
        let (derived, direct) = both(&doc, "p").await;
        assert_eq!(derived, None);
        assert!(
            direct.iter().any(|q| q.contains("example.org/p")),
            "{direct:?}"
        );
        // Without that alias in the node's context, `type` is not `@type`
        // where the items expand: no derivation either.
        let doc = json!({
            "@context": {"@version": 1.1, "type": "@language",
                "p": {"@id": "https://example.org/p", "@type": "@id", "@container": "@graph"},
                "name": "https://schema.org/name"},
            "@id": "urn:x",
            "name": "n",
            "p": {"type": "en"},
            "https://example.org/p": {"@id": "urn:other"},
        });
        let (derived, _) = both(&doc, "p").await;
        assert_eq!(derived, None);
    }

    #[tokio::test]
    async fn a_reverse_indexed_or_plain_member_is_not_derived() {
        for definition in [
            json!({"@reverse": "https://example.org/p", "@type": "@id"}),
            json!({"@id": "https://example.org/p", "@container": ["@graph", "@index"]}),
            json!({"@id": "https://example.org/p", "@type": "@id"}),
        ] {
            let doc = json!({
                "@context": {"@version": 1.1, "p": definition, "type": "@type",
                    "name": "https://schema.org/name"},
                "@id": "urn:x",
                "name": "n",
                "p": {"type": "https://example.org/T", "name": "m"},
            });
            let (derived, _) = both(&doc, "p").await;
            assert_eq!(derived, None, "{definition}");
        }
    }
}
