//! Verification methods and the relationships a DID document grants
//! them: a key signs only for what its controller lists it under.

use crate::{check_document_id, DidError, ResolveDid};
use serde_json::Value;
use ssi::multicodec::MultiEncodedBuf;
use ssi::JWK;

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

    /// The method's key as a JWK (from `publicKeyJwk` or a multikey).
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
        JWK::from_multicodec(&encoded).map_err(|e| self.fail(e))
    }
}

fn id_matches(entry: &Value, did: &str, method_url: &str) -> bool {
    let id = match entry {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("id").and_then(Value::as_str).unwrap_or(""),
        _ => "",
    };
    id == method_url || (id.starts_with('#') && format!("{did}{id}") == method_url)
}

/// The DID part of a DID URL.
pub fn did_of(url: &str) -> &str {
    url.split(['#', '?']).next().unwrap_or(url)
}

/// Checks, in the resolved `document` of `method_url`'s controller, that
/// the method is listed under `purpose` (e.g. `assertionMethod`,
/// `authentication`) and returns it.
pub fn authorized_in(
    document: &Value,
    method_url: &str,
    purpose: &str,
) -> Result<AuthorizedMethod, DidError> {
    let did = did_of(method_url);
    check_document_id(did, document)?;
    let unauthorized = || DidError::KeyNotAuthorized {
        method: method_url.to_owned(),
        purpose: purpose.to_owned(),
    };
    let entries = document
        .get(purpose)
        .and_then(Value::as_array)
        .ok_or_else(unauthorized)?;
    if !entries.iter().any(|e| id_matches(e, did, method_url)) {
        return Err(unauthorized());
    }
    let embedded = entries
        .iter()
        .find(|e| e.is_object() && id_matches(e, did, method_url));
    let method = embedded
        .or_else(|| {
            document
                .get("verificationMethod")
                .and_then(Value::as_array)
                .and_then(|vms| vms.iter().find(|vm| id_matches(vm, did, method_url)))
        })
        .cloned()
        .ok_or_else(unauthorized)?;
    Ok(AuthorizedMethod {
        did: did.to_owned(),
        id: method_url.to_owned(),
        method,
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
