//! The strict JSON profile a document keeps before any JSON-LD processing:
//! one `@context`, at the top of the document; no JSON-LD keyword in any
//! other position; no member that can make no statement (`null`, an empty
//! array). Everything else a document says must survive expansion and
//! compaction unchanged ([`super::round_trip`]).
//!
//! It also bounds what canonicalization will face. RDFC-1.0 has no work
//! limit: blank nodes that refer to one another (possible only with
//! blank-node identifiers, `"id": "_:x"`) or many look-alike blank nodes
//! make it take minutes. So blank-node identifiers are refused (every
//! blank node is then an object nested in exactly one place: the graph is
//! a tree) and a document holds at most [`MAX_BLANK_NODES`] blank nodes.

use crate::ParseError;
use serde_json::{Map, Value};

/// The most blank nodes (objects without an `id`) one document may hold.
pub const MAX_BLANK_NODES: usize = 16;

/// Checks `document` (a credential, presentation, delegation link or status
/// list, each with its own top-level `@context`) against the profile.
/// `nested` names members whose values are documents of their own (a
/// presentation's `verifiableCredential`): they are skipped here and
/// checked as documents.
pub(crate) fn check_profile(document: &Value, nested: &[&str]) -> Result<(), ParseError> {
    let object = document
        .as_object()
        .ok_or_else(|| ParseError::Malformed("a document must be a JSON object".into()))?;
    if !object.contains_key("@context") {
        return Err(ParseError::Malformed("the document has no @context".into()));
    }
    for (key, value) in object {
        if key == "@context" || nested.contains(&key.as_str()) {
            continue;
        }
        check_member(key, value, key)?;
    }
    let mut own = object.clone();
    own.retain(|k, _| !nested.contains(&k.as_str()));
    let blank = blank_nodes(&own);
    if blank > MAX_BLANK_NODES {
        return Err(ParseError::Malformed(format!(
            "{blank} blank nodes (objects without an id); at most {MAX_BLANK_NODES} per document"
        )));
    }
    Ok(())
}

/// The objects of `object` (itself included) that have no `id`.
pub(crate) fn blank_nodes(object: &Map<String, Value>) -> usize {
    fn count(v: &Value) -> usize {
        match v {
            Value::Object(o) => blank_nodes(o),
            Value::Array(items) => items.iter().map(count).sum(),
            _ => 0,
        }
    }
    let own = usize::from(!object.contains_key("id"));
    own + object
        .iter()
        .filter(|(k, _)| k.as_str() != "@context")
        .map(|(_, v)| count(v))
        .sum::<usize>()
}

fn check_member(key: &str, value: &Value, path: &str) -> Result<(), ParseError> {
    if key == "@context" {
        return Err(ParseError::NestedContext(path.to_owned()));
    }
    if key == "id" && value.as_str().is_some_and(|id| id.starts_with("_:")) {
        return Err(ParseError::Malformed(format!(
            "{path}: blank-node identifiers are not accepted"
        )));
    }
    if key.starts_with('@') {
        return Err(ParseError::UnsignedMember {
            path: path.to_owned(),
            reason: "a JSON-LD keyword in claim position".into(),
        });
    }
    check_value(value, path)
}

fn check_value(value: &Value, path: &str) -> Result<(), ParseError> {
    match value {
        Value::Null => Err(ParseError::UnsignedMember {
            path: path.to_owned(),
            reason: "null makes no statement".into(),
        }),
        Value::Array(items) if items.is_empty() => Err(ParseError::UnsignedMember {
            path: path.to_owned(),
            reason: "an empty array makes no statement".into(),
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_value(item, &format!("{path}[{i}]"))),
        Value::Object(members) => members
            .iter()
            .try_for_each(|(k, v)| check_member(k, v, &format!("{path}.{k}"))),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(doc: Value) -> &'static str {
        check_profile(&doc, &["verifiableCredential"])
            .err()
            .map_or("ok", |e| e.code())
    }

    #[test]
    fn members_that_make_no_statement_are_refused() {
        let ctx = json!(["https://www.w3.org/ns/credentials/v2"]);
        assert_eq!(code(json!({"@context": ctx, "a": {"b": "c"}})), "ok");
        assert_eq!(code(json!({"@context": ctx, "a": null})), "unsigned_member");
        assert_eq!(code(json!({"@context": ctx, "a": []})), "unsigned_member");
        assert_eq!(
            code(json!({"@context": ctx, "a": [1, null]})),
            "unsigned_member"
        );
        assert_eq!(
            code(json!({"@context": ctx, "a": {"@value": null}})),
            "unsigned_member"
        );
        assert_eq!(
            code(json!({"@context": ctx, "a": {"@id": "x"}})),
            "unsigned_member"
        );
        assert_eq!(
            code(json!({"@context": ctx, "a": {"@context": {}}})),
            "nested_context"
        );
        assert_eq!(code(json!({"a": 1})), "malformed");
        // A nested document is left to its own check.
        assert_eq!(
            code(json!({"@context": ctx, "verifiableCredential": [{"@context": ctx}]})),
            "ok"
        );
        // Blank-node identifiers, and more blank nodes than the bound.
        assert_eq!(
            code(json!({"@context": ctx, "a": {"id": "_:b0"}})),
            "malformed"
        );
        let many: Vec<Value> = (0..MAX_BLANK_NODES).map(|i| json!({"n": i})).collect();
        assert_eq!(
            code(json!({"@context": ctx, "id": "urn:x", "a": many})),
            "ok"
        );
        let more: Vec<Value> = (0..=MAX_BLANK_NODES).map(|i| json!({"n": i})).collect();
        assert_eq!(
            code(json!({"@context": ctx, "id": "urn:x", "a": more})),
            "malformed"
        );
    }
}
