//! Verification methods and the relationships a DID document grants
//! them: a key signs only for what its controller lists it under.

use crate::relationship::{is_relationship, RELATIONSHIPS};
use crate::{check_document_id, DidError, ResolveDid};
use serde_json::Value;
use ssi::jwk::{Base64urlUInt, OctetParams, Params};
use ssi::multicodec::MultiEncodedBuf;
use ssi::JWK;

/// The `x25519-pub` multicodec.
const X25519_PUB: u64 = 0xec;

/// A verification method resolved from its controller's DID document and
/// checked to be authorized for a proof purpose.
#[derive(Debug, Clone)]
pub struct AuthorizedMethod {
    /// The controller DID.
    pub did: String,
    /// The method's DID URL.
    pub id: String,
    /// The method as it appears in the DID document.
    pub method: Value,
}

impl AuthorizedMethod {
    fn fail(&self, reason: impl ToString) -> DidError {
        DidError::failed(&self.did, reason)
    }

    /// The method's `publicKeyMultibase`.
    pub fn public_key_multibase(&self) -> Result<&str, DidError> {
        self.method
            .get("publicKeyMultibase")
            .and_then(Value::as_str)
            .ok_or_else(|| self.fail(format!("{} has no publicKeyMultibase", self.id)))
    }

    /// The method's key as a JWK (from `publicKeyJwk` or a multikey,
    /// X25519 included).
    pub fn jwk(&self) -> Result<JWK, DidError> {
        if let Some(jwk) = self.method.get("publicKeyJwk") {
            let jwk: JWK = serde_json::from_value(jwk.clone()).map_err(|e| self.fail(e))?;
            if jwk.is_public() {
                return Ok(jwk);
            }
            return Err(self.fail("a DID document must not hold a private key"));
        }
        let (_, bytes) =
            multibase::decode(self.public_key_multibase()?).map_err(|e| self.fail(e))?;
        let encoded = MultiEncodedBuf::new(bytes).map_err(|e| self.fail(e))?;
        if encoded.codec() == X25519_PUB {
            // ssi 0.16 decodes no X25519 multikey: an OKP JWK (RFC 8037).
            if encoded.data().len() != 32 {
                return Err(self.fail("X25519 keys are 32 bytes"));
            }
            return Ok(JWK::from(Params::OKP(OctetParams {
                curve: "X25519".into(),
                public_key: Base64urlUInt(encoded.data().to_vec()),
                private_key: None,
            })));
        }
        JWK::from_multicodec(&encoded).map_err(|e| self.fail(e))
    }
}

/// The DID part of a DID URL.
pub fn did_of(url: &str) -> &str {
    url.split(['#', '?']).next().unwrap_or(url)
}

/// The absolute DID URL a method `id` or relationship reference names in
/// the document of `did`: itself when absolute (`did:…`); `did` followed
/// by it when it is a fragment-only relative DID URL (`#key-1`), resolved
/// against the document's DID as DID Core §3.2.2 says; `None` for any
/// other relative form (`key-1`, `/path#x`, `?q#x`), which names no
/// method Credence will use.
pub fn absolute(reference: &str, did: &str) -> Option<String> {
    if reference.starts_with("did:") {
        Some(reference.to_owned())
    } else if reference.len() > 1 && reference.starts_with('#') {
        Some(format!("{did}{reference}"))
    } else {
        None
    }
}

/// Whether a relationship entry (a reference, or an embedded method) or
/// a method names `method_url`.
fn names(entry: &Value, did: &str, method_url: &str) -> bool {
    let id = match entry {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    };
    id.and_then(|id| absolute(id, did)).as_deref() == Some(method_url)
}

/// The definitions of `method_url` in `document`: those in
/// `verificationMethod`, and those embedded under any relationship.
fn definitions<'a>(
    document: &'a Value,
    did: &str,
    method_url: &str,
) -> (Vec<&'a Value>, Vec<&'a Value>) {
    let defining = |key: &str| -> Vec<&'a Value> {
        document
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|m| m.is_object() && names(m, did, method_url))
            .collect()
    };
    let top = defining("verificationMethod");
    let embedded = RELATIONSHIPS.iter().flat_map(|r| defining(r)).collect();
    (top, embedded)
}

/// Checks, in the resolved `document` of `method_url`'s controller, that
/// the method is listed under `purpose` and returns it.
///
/// A [`DidError::ResolutionFailed`] if the document's `id` is not the DID
/// of `method_url`. A [`DidError::KeyNotAuthorized`] unless all of:
/// - `purpose` is one of the five verification relationships of DID Core
///   (`authentication`, `assertionMethod`, `keyAgreement`,
///   `capabilityInvocation`, `capabilityDelegation`) and the document has
///   it as an array;
/// - an entry of that array names `method_url`: a reference (a string), or
///   an embedded method (an object) whose `id` does;
/// - the method is defined exactly once in the whole document — a
///   reference names a method of `verificationMethod`, an embedded entry is
///   its own definition, and no other definition with that `id` exists;
/// - the method's `controller` is the document's DID, it has a `type`, and
///   at most one key material property (`publicKeyJwk`,
///   `publicKeyMultibase`, `publicKeyBase58`).
///
/// Ids and references are compared as absolute DID URLs; a fragment-only
/// relative one (`#key-1`) is resolved against the document's DID, and
/// any other relative form names nothing. `method_url` itself must be
/// absolute (a proof names its key absolutely).
pub fn authorized_in(
    document: &Value,
    method_url: &str,
    purpose: &str,
) -> Result<AuthorizedMethod, DidError> {
    let did = did_of(method_url);
    check_document_id(did, document)?;
    let unauthorized = || DidError::not_authorized(method_url, purpose);
    if !is_relationship(purpose) {
        return Err(unauthorized());
    }
    let entry = document
        .get(purpose)
        .and_then(Value::as_array)
        .and_then(|entries| entries.iter().find(|e| names(e, did, method_url)))
        .ok_or_else(unauthorized)?;
    let (top, embedded) = definitions(document, did, method_url);
    let method = match (entry.is_object(), top.as_slice(), embedded.as_slice()) {
        (false, [only], []) | (true, [], [only]) => *only,
        _ => return Err(unauthorized()),
    };
    let materials = ["publicKeyJwk", "publicKeyMultibase", "publicKeyBase58"]
        .iter()
        .filter(|k| method.get(**k).is_some())
        .count();
    if method.get("controller").and_then(Value::as_str) != Some(did)
        || !method.get("type").is_some_and(Value::is_string)
        || materials > 1
    {
        return Err(unauthorized());
    }
    Ok(AuthorizedMethod {
        did: did.to_owned(),
        id: method_url.to_owned(),
        method: method.clone(),
    })
}

/// Resolves `method_url`'s controller with `resolver` and checks the
/// method is listed under `purpose`.
pub async fn authorized_method(
    resolver: &dyn ResolveDid,
    method_url: &str,
    purpose: &str,
) -> Result<AuthorizedMethod, DidError> {
    let document = resolver.resolve_did(did_of(method_url)).await?;
    authorized_in(&document, method_url, purpose)
}
