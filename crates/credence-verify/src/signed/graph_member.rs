//! Whether a document's member is a graph property each of whose items
//! makes exactly one value — the condition under which [`super::without`]
//! may derive the document's expansion without that member.
//!
//! Read from the member's term definition in the node's own active context:
//! the top-level context with the type-scoped contexts of the node's types
//! applied, processed by json-ld exactly as expansion does (VC 2.0 defines
//! `proof` and `verifiableCredential` only in the scoped contexts of
//! `VerifiableCredential` and `VerifiablePresentation`). The definition
//! must be a plain `@graph` container of IRIs (`@type: @id` or none; not
//! `@json`, which makes one literal of a whole array; not reverse, nested
//! or indexed), with no property-scoped context other than `null` (a
//! scoped context could alias `type` to `@language`, making an item that
//! expands to nothing). Where the items are expanded, `type` must be
//! `@type`: an item with a type and no `null` member then always expands to
//! one node, so one graph value.

use super::processed::Processed;
use serde_json::{Map, Value};
use ssi::json_ld::context_processing::{Options, Process};
use ssi::json_ld::syntax::context::{Context as ContextSyntax, ContextEntry};
use ssi::json_ld::syntax::Keyword;
use ssi::json_ld::{Container, Context, ContextLoader, Id, Term, Type};

/// Where the items of a graph member are expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Items {
    /// In the node's context (no property-scoped context): `type` is
    /// `@type` there and in the top-level context (which the items revert
    /// to when the type-scoped contexts do not propagate).
    Inherited,
    /// In their own `@context` only (property-scoped `@context: null`, as
    /// VC 2.0's `verifiableCredential`): each item must bring one in which
    /// `type` is `@type`.
    Own,
}

/// What a graph member is on one node: the property it expands to, and
/// how its items are expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GraphMember {
    /// The property IRI (or blank id) the member expands to.
    pub property: Id,
    /// Where its items are expanded.
    pub items: Items,
}

/// The member `member` of `document` (whose top-level `@context`, processed,
/// is `top`) as a graph member, or `None` when it is not one whose items
/// each make exactly one value (or when this cannot be told).
pub(crate) async fn graph_member(
    document: &Map<String, Value>,
    top: &Processed,
    member: &str,
    loader: &ContextLoader,
) -> Option<GraphMember> {
    let top = top.processed();
    let node = node_context(document, top, loader).await?;
    let definition = node.get(member)?;
    let property = match definition.value()? {
        Term::Id(id) if id.is_valid() => id.clone(),
        _ => return None,
    };
    let plain = matches!(
        definition.container(),
        Container::Graph | Container::GraphSet
    ) && matches!(definition.typ(), None | Some(Type::Id))
        && !definition.reverse_property()
        && definition.nest().is_none()
        && definition.index().is_none();
    if !plain {
        return None;
    }
    let items = match definition.context() {
        None if type_is_keyword(&node) && type_is_keyword(top) => Items::Inherited,
        Some(ContextSyntax::One(ContextEntry::Null)) => Items::Own,
        _ => return None,
    };
    Some(GraphMember { property, items })
}

/// Whether `type` means `@type` in `context`.
pub(crate) fn type_is_keyword(
    context: &Context<ssi::json_ld::IriBuf, ssi::json_ld::BlankIdBuf>,
) -> bool {
    matches!(
        context.get("type").and_then(|d| d.value().cloned()),
        Some(Term::Keyword(Keyword::Type))
    )
}

/// The node's active context: `top` with the type-scoped contexts of the
/// node's types applied, in the order and with the options of the JSON-LD
/// expansion algorithm (step 11: type entries by key, their string values
/// sorted, each term's local context from `top`, not propagated).
async fn node_context(
    document: &Map<String, Value>,
    top: &Context<ssi::json_ld::IriBuf, ssi::json_ld::BlankIdBuf>,
    loader: &ContextLoader,
) -> Option<Context<ssi::json_ld::IriBuf, ssi::json_ld::BlankIdBuf>> {
    let mut active = top.clone();
    for (_, value) in type_entries(document, top) {
        let mut terms: Vec<&str> = match value {
            Value::String(term) => vec![term.as_str()],
            Value::Array(values) => values.iter().filter_map(Value::as_str).collect(),
            _ => return None,
        };
        terms.sort_unstable();
        for term in terms {
            let Some(definition) = top.get(term) else {
                continue;
            };
            let Some(local) = definition.context() else {
                continue;
            };
            let base = definition.base_url().cloned();
            let options = Options::default().without_propagation();
            active = local
                .process_with(&mut (), &active, loader, base, options)
                .await
                .ok()?
                .into_processed();
        }
    }
    Some(active)
}

/// The members of `document` that expand to `@type` in `top`, by key.
pub(crate) fn type_entries<'a>(
    document: &'a Map<String, Value>,
    top: &Context<ssi::json_ld::IriBuf, ssi::json_ld::BlankIdBuf>,
) -> Vec<(&'a String, &'a Value)> {
    let mut entries: Vec<_> = document
        .iter()
        .filter(|(key, _)| {
            key.as_str() == "@type"
                || matches!(
                    top.get(key.as_str()).and_then(|d| d.value().cloned()),
                    Some(Term::Keyword(Keyword::Type))
                )
        })
        .collect();
    entries.sort_unstable_by_key(|(key, _)| *key);
    entries
}
