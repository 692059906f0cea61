//! DID resolution and the key-authorization checks ssi leaves to the caller.
//!
//! did:key only in this version; resolution of did:key is a pure computation
//! from the identifier, so it lives here where every role can use it.

use serde_json::Value;
use ssi::dids::{DIDKey, DIDResolver, DID};
use ssi::multicodec::MultiEncodedBuf;
use ssi::JWK;

/// Why a DID or one of its keys could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidError {
    /// The DID could not be resolved, or its document is unusable.
    #[error("could not resolve {did}: {reason}")]
    ResolutionFailed {
        /// The DID.
        did: String,
        /// What went wrong.
        reason: String,
    },
    /// The method is not listed under the proof purpose in its controller's
    /// DID document.
    #[error("{method} is not authorized for {purpose}")]
    KeyNotAuthorized {
        /// The verification method URL.
        method: String,
        /// The proof purpose.
        purpose: String,
    },
}

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
    /// The method's `publicKeyMultibase`.
    pub fn public_key_multibase(&self) -> Result<&str, DidError> {
        self.method
            .get("publicKeyMultibase")
            .and_then(Value::as_str)
            .ok_or_else(|| DidError::ResolutionFailed {
                did: self.did.clone(),
                reason: format!("{} has no publicKeyMultibase", self.id),
            })
    }

    /// The method's key as a JWK.
    pub fn jwk(&self) -> Result<JWK, DidError> {
        let fail = |reason: String| DidError::ResolutionFailed {
            did: self.did.clone(),
            reason,
        };
        let (_, bytes) =
            multibase::decode(self.public_key_multibase()?).map_err(|e| fail(e.to_string()))?;
        let encoded = MultiEncodedBuf::new(bytes).map_err(|e| fail(e.to_string()))?;
        JWK::from_multicodec(&encoded).map_err(|e| fail(e.to_string()))
    }
}

/// The DID part of a DID URL.
pub fn did_of(url: &str) -> &str {
    url.split(['#', '?']).next().unwrap_or(url)
}

/// Resolves a DID document (did:key only in this version) and checks that
/// its `id` is the DID asked for.
pub async fn resolve_document(did: &str) -> Result<Value, DidError> {
    let fail = |reason: String| DidError::ResolutionFailed {
        did: did.to_owned(),
        reason,
    };
    if !did.starts_with("did:key:") {
        return Err(fail(
            "unsupported DID method (this verifier resolves did:key)".into(),
        ));
    }
    let parsed = DID::new(did).map_err(|_| fail("not a valid DID".into()))?;
    let output = DIDKey
        .resolve(parsed)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let document = serde_json::to_value(output.document).map_err(|e| fail(e.to_string()))?;
    if document.get("id").and_then(Value::as_str) != Some(did) {
        return Err(fail("the resolved document's id is not the DID".into()));
    }
    Ok(document)
}

fn id_matches(entry: &Value, did: &str, method_url: &str) -> bool {
    let id = match entry {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("id").and_then(Value::as_str).unwrap_or(""),
        _ => "",
    };
    id == method_url || (id.starts_with('#') && format!("{did}{id}") == method_url)
}

/// Resolves `method_url`'s controller and checks the method is listed
/// under `purpose` (e.g. `assertionMethod`, `authentication`).
pub async fn authorized_method(
    method_url: &str,
    purpose: &str,
) -> Result<AuthorizedMethod, DidError> {
    let did = did_of(method_url);
    let document = resolve_document(did).await?;
    let unauthorized = || DidError::KeyNotAuthorized {
        method: method_url.to_owned(),
        purpose: purpose.to_owned(),
    };
    let listed = document
        .get(purpose)
        .and_then(Value::as_array)
        .is_some_and(|entries| entries.iter().any(|e| id_matches(e, did, method_url)));
    if !listed {
        return Err(unauthorized());
    }
    let embedded = document
        .get(purpose)
        .and_then(Value::as_array)
        .and_then(|e| {
            e.iter()
                .find(|e| e.is_object() && id_matches(e, did, method_url))
        });
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
