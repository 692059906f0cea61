//! What an SD-JWT VC's verified claims answer: the request's `dc+sd-jwt`
//! credential query (its `vct_values` and requested claims), and the claim
//! values the policy reads, by the same names as for Data Integrity
//! credentials (`capabilities`, or `credentialSubject.capabilities`: the
//! SD-JWT VC's claims sit at the top).

use crate::policy::NamedClaims;
use crate::signed::graph::ClaimValue;
use crate::ConstraintError;
use credence_core::{PresentationRequest, DC_SD_JWT};
use serde_json::{Map, Value};

/// The id of the credential query the SD-JWT VC answers (the request must
/// be answered by it alone).
pub(crate) fn answered_query(
    request: &PresentationRequest,
    vct: &str,
    claims: &Map<String, Value>,
) -> Result<String, ConstraintError> {
    let mut reason = None;
    for query in &request.dcql_query.credentials {
        if query.format != DC_SD_JWT
            || !query
                .meta
                .vct_values
                .as_ref()
                .is_some_and(|v| v.iter().any(|t| t == vct))
        {
            reason.get_or_insert(ConstraintError::WrongCredentialType(vct.to_owned()));
            continue;
        }
        let missing = query.claims.iter().find_map(|c| {
            let values = values_at(claims, &c.path.0);
            if values.is_empty() {
                return Some(ConstraintError::MissingClaim(c.path.to_string()));
            }
            let lexical: Vec<String> = values.iter().filter_map(|v| lexical(v)).collect();
            (!lexical.iter().any(|l| c.accepts(l)))
                .then(|| ConstraintError::ClaimValueMismatch(c.path.to_string()))
        });
        match missing {
            None => {
                let answered = std::collections::BTreeSet::from([query.id.as_str()]);
                if request.dcql_query.satisfied_by(&answered) {
                    return Ok(query.id.clone());
                }
                reason.get_or_insert(ConstraintError::RequestNotSatisfied(
                    "one SD-JWT VC does not answer every query the request needs".into(),
                ));
            }
            Some(e) => {
                reason.get_or_insert(e);
            }
        }
    }
    Err(reason.unwrap_or_else(|| ConstraintError::RequestNotSatisfied("no query".into())))
}

/// The values of the claim at `path` (array elements each a value).
fn values_at<'a>(claims: &'a Map<String, Value>, path: &[String]) -> Vec<&'a Value> {
    let path = match path.first().map(String::as_str) {
        Some("credentialSubject") => &path[1..],
        _ => path,
    };
    let mut at: Vec<&Value> = Vec::new();
    let Some((first, rest)) = path.split_first() else {
        return at;
    };
    let Some(value) = claims.get(first) else {
        return at;
    };
    at.push(value);
    for step in rest {
        at = at
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().filter_map(|i| i.get(step)).collect(),
                other => other.get(step).into_iter().collect::<Vec<_>>(),
            })
            .collect();
    }
    at.into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        })
        .collect()
}

/// A scalar's lexical form (`2`, `true`, `invoices.read`).
fn lexical(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The verified values of the claims `names` (dotted names are paths).
pub(crate) fn named_claims(claims: &Map<String, Value>, names: &[&str]) -> NamedClaims {
    let mut out = NamedClaims::new();
    for name in names {
        let path: Vec<String> = name.split('.').map(str::to_owned).collect();
        let values: Vec<ClaimValue> = values_at(claims, &path)
            .into_iter()
            .filter_map(lexical)
            .map(ClaimValue::Text)
            .collect();
        if !values.is_empty() {
            out.insert((*name).to_owned(), values);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_read_by_name_and_path() {
        let claims = json!({"capabilities": ["a", "b"], "operator": {"email": "e"}, "n": 2});
        let claims = claims.as_object().expect("object");
        let named = named_claims(
            claims,
            &[
                "capabilities",
                "credentialSubject.operator.email",
                "n",
                "none",
            ],
        );
        assert_eq!(
            named["capabilities"],
            [ClaimValue::Text("a".into()), ClaimValue::Text("b".into())]
        );
        assert_eq!(
            named["credentialSubject.operator.email"],
            [ClaimValue::Text("e".into())]
        );
        assert_eq!(named["n"], [ClaimValue::Text("2".into())]);
        assert!(!named.contains_key("none"));
    }
}
