//! DID resolution and key authorization checks ssi leaves to the caller.

use crate::VerifyError;
use credence_bbs2023::BbsPublicKey;
use serde_json::Value;
use ssi::dids::{DIDKey, DIDResolver, DID};
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
    fn multibase(&self) -> Result<&str, VerifyError> {
        self.method
            .get("publicKeyMultibase")
            .and_then(Value::as_str)
            .ok_or_else(|| VerifyError::ResolutionFailed {
                did: self.did.clone(),
                reason: format!("{} has no publicKeyMultibase", self.id),
            })
    }

    /// The method's key as a BBS public key.
    pub fn bbs_key(&self) -> Result<BbsPublicKey, VerifyError> {
        BbsPublicKey::from_multikey(self.multibase()?).map_err(|e| VerifyError::ResolutionFailed {
            did: self.did.clone(),
            reason: e.to_string(),
        })
    }

    /// The method's key as a JWK.
    pub fn jwk(&self) -> Result<JWK, VerifyError> {
        let fail = |reason: String| VerifyError::ResolutionFailed {
            did: self.did.clone(),
            reason,
        };
        let (_, bytes) = multibase::decode(self.multibase()?).map_err(|e| fail(e.to_string()))?;
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
pub async fn resolve_document(did: &str) -> Result<Value, VerifyError> {
    let fail = |reason: String| VerifyError::ResolutionFailed {
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
) -> Result<AuthorizedMethod, VerifyError> {
    let did = did_of(method_url);
    let document = resolve_document(did).await?;
    let unauthorized = || VerifyError::KeyNotAuthorized {
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
