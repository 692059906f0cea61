//! Which JSON-LD contexts a document may use: a list of URLs from the
//! accepted set, starting with VC 2.0. Inline context objects are refused:
//! they could define terms no one reviewed.

use crate::ParseError;
use credence_core::VC_V2_CONTEXT_URL;
use serde_json::Value;

/// Checks the top-level `@context` of `document` against `accepted`.
pub(crate) fn check_context(document: &Value, accepted: &[&str]) -> Result<(), ParseError> {
    let ctx = document
        .get("@context")
        .ok_or_else(|| ParseError::Malformed("no @context".into()))?;
    let list = match ctx {
        Value::Array(list) => list.iter().collect::<Vec<_>>(),
        single @ Value::String(_) => vec![single],
        other => return Err(ParseError::UnsupportedContext(other.to_string())),
    };
    if list.first().and_then(|v| v.as_str()) != Some(VC_V2_CONTEXT_URL) {
        return Err(ParseError::UnsupportedContext(format!(
            "the first context must be {VC_V2_CONTEXT_URL}"
        )));
    }
    for entry in list {
        match entry.as_str() {
            Some(url) if accepted.contains(&url) => {}
            _ => return Err(ParseError::UnsupportedContext(entry.to_string())),
        }
    }
    Ok(())
}
