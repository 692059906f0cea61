//! The verification relationships of DID Core §5.3, and the rewrite that
//! makes a computed DID document grant only what its method's spec grants.

use crate::DidError;
use serde_json::Value;

/// The five verification relationships DID Core defines (§5.3). Only
/// these are proof purposes a key can be authorized for.
pub const RELATIONSHIPS: [&str; 5] = [
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
];

/// The relationships of a signing key: every relationship but
/// keyAgreement (did:key §3.1.1 step 6; did:jwk with `"use":"sig"`).
pub(crate) const SIGNING: &[&str] = &[
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
];

/// The relationship of a key-agreement (encryption) key.
pub(crate) const AGREEMENT: &[&str] = &["keyAgreement"];

/// Whether `purpose` is one of the [`RELATIONSHIPS`].
pub fn is_relationship(purpose: &str) -> bool {
    RELATIONSHIPS.contains(&purpose)
}

/// Rewrites a computed single-key document (did:key, did:jwk) so that
/// its one verification method, whose `id` must be `method_id` and whose
/// `controller` must be `did`, is listed under exactly `granted`.
pub(crate) fn grant_only(
    document: &mut Value,
    did: &str,
    method_id: &str,
    granted: &[&str],
) -> Result<(), DidError> {
    let object = document
        .as_object_mut()
        .ok_or_else(|| DidError::failed(did, "the document is not a JSON object"))?;
    let single = match object.get("verificationMethod").and_then(Value::as_array) {
        Some(methods) if methods.len() == 1 => &methods[0],
        _ => {
            return Err(DidError::failed(
                did,
                "expected exactly one verification method",
            ))
        }
    };
    let id = single.get("id").and_then(Value::as_str);
    let controller = single.get("controller").and_then(Value::as_str);
    if id != Some(method_id) || controller != Some(did) {
        return Err(DidError::failed(
            did,
            format!("the computed method is not {method_id} controlled by the DID"),
        ));
    }
    for relationship in RELATIONSHIPS {
        object.remove(relationship);
    }
    for relationship in granted {
        object.insert(
            (*relationship).to_owned(),
            Value::Array(vec![Value::String(method_id.to_owned())]),
        );
    }
    Ok(())
}
