//! Comparing a document as received with the form its statements compact
//! back to. Arrays are compared as multisets (JSON-LD sets are unordered,
//! and the statements record no order), and a one-element array equals its
//! element (compaction writes a single value without brackets).

use crate::ParseError;
use serde_json::{Map, Value};

/// Checks that `received` says exactly what `signed` (its statements,
/// compacted through the same contexts) says; names the first member that
/// differs.
pub(crate) fn same_statements(received: &Value, signed: &Value) -> Result<(), ParseError> {
    match (received, signed) {
        (Value::Object(r), Value::Object(s)) => same_members(r, s, ""),
        _ => Err(differs("", "is not a JSON-LD node")),
    }
}

fn differs(path: &str, reason: &str) -> ParseError {
    ParseError::UnsignedMember {
        path: if path.is_empty() {
            "(document)".into()
        } else {
            path.to_owned()
        },
        reason: reason.to_owned(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn same_members(
    r: &Map<String, Value>,
    s: &Map<String, Value>,
    path: &str,
) -> Result<(), ParseError> {
    for (key, value) in r {
        if key == "@context" && path.is_empty() {
            continue;
        }
        let here = join(path, key);
        let other = s
            .get(key)
            .ok_or_else(|| differs(&here, "makes no statement (dropped by JSON-LD expansion)"))?;
        same_value(value, other, &here)?;
    }
    let top_context = |k: &str| k == "@context" && path.is_empty();
    if let Some(extra) = s.keys().find(|k| !r.contains_key(*k) && !top_context(k)) {
        return Err(differs(
            &join(path, extra),
            "is stated by the document in another form than received",
        ));
    }
    Ok(())
}

fn as_items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn same_value(r: &Value, s: &Value, path: &str) -> Result<(), ParseError> {
    match (r, s) {
        (Value::Object(ro), Value::Object(so)) => same_members(ro, so, path),
        (Value::Array(_), _) | (_, Value::Array(_)) => same_items(as_items(r), as_items(s), path),
        _ if r == s => Ok(()),
        _ => Err(differs(path, "is not stated in the form received")),
    }
}

/// Multiset equality: every received item matches a distinct signed item.
fn same_items(r: Vec<&Value>, mut s: Vec<&Value>, path: &str) -> Result<(), ParseError> {
    if r.len() != s.len() {
        return Err(differs(path, "holds items that make no statement"));
    }
    for (i, item) in r.iter().enumerate() {
        let here = format!("{path}[{i}]");
        let found = s
            .iter()
            .position(|candidate| same_value(item, candidate, &here).is_ok())
            .ok_or_else(|| {
                // Report the deepest reason against the first candidate of
                // the same shape, for a precise message.
                s.first()
                    .and_then(|c| same_value(item, c, &here).err())
                    .unwrap_or_else(|| differs(&here, "makes no statement"))
            })?;
        s.swap_remove(found);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_that_compaction_does_not_reproduce_are_named() {
        let signed = json!({"@context": "x", "a": "b", "c": ["d", "e"], "f": {"g": 1}});
        assert!(same_statements(
            &json!({"@context": "y", "a": ["b"], "c": ["e", "d"], "f": {"g": 1}}),
            &signed
        )
        .is_ok());
        let missing = same_statements(
            &json!({"a": "b", "c": ["d", "e"], "f": {"g": 1}, "h": 2}),
            &signed,
        );
        assert!(matches!(missing, Err(ParseError::UnsignedMember { path, .. }) if path == "h"));
        let fewer = same_statements(
            &json!({"a": "b", "c": ["d", "e", "e"], "f": {"g": 1}}),
            &signed,
        );
        assert!(matches!(fewer, Err(ParseError::UnsignedMember { path, .. }) if path == "c"));
        let other = same_statements(
            &json!({"a": "b", "c": ["d", "e"], "f": {"g": "1"}}),
            &signed,
        );
        assert!(matches!(other, Err(ParseError::UnsignedMember { path, .. }) if path == "f.g"));
    }
}
