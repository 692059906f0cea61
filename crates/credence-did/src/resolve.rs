//! The [`ResolveDid`] trait and the resolvers that need no network:
//! did:key and did:jwk are computed from the identifier.

use crate::DidError;
use serde_json::Value;
use ssi::dids::{DIDResolver, DID, DIDJWK};
use std::future::Future;
use std::pin::Pin;

/// The future a [`ResolveDid`] returns.
pub type ResolveFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, DidError>> + Send + 'a>>;

/// Something that turns a DID into its DID document (as JSON), having
/// checked that the document's `id` is the DID.
pub trait ResolveDid: Send + Sync {
    /// Resolves `did`.
    fn resolve_did<'a>(&'a self, did: &'a str) -> ResolveFuture<'a>;
}

/// Resolves did:key (Ed25519, P-256, BLS12-381 G2) and did:jwk: methods
/// whose document is computed from the identifier, with no I/O.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalResolver;

impl LocalResolver {
    /// Whether this resolver handles `did`'s method.
    pub fn supports(did: &str) -> bool {
        did.starts_with("did:key:") || did.starts_with("did:jwk:")
    }
}

impl ResolveDid for LocalResolver {
    fn resolve_did<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(resolve_local(did))
    }
}

/// Resolves a did:key or did:jwk document and checks its `id`.
pub async fn resolve_local(did: &str) -> Result<Value, DidError> {
    let parsed = DID::new(did).map_err(|_| DidError::failed(did, "not a valid DID"))?;
    let output = if did.starts_with("did:key:") {
        ssi::dids::DIDKey.resolve(parsed).await
    } else if did.starts_with("did:jwk:") {
        DIDJWK.resolve(parsed).await
    } else {
        return Err(DidError::failed(
            did,
            "unsupported DID method (resolved here: did:key, did:jwk)",
        ));
    };
    let output = output.map_err(|e| DidError::failed(did, e))?;
    let document = serde_json::to_value(output.document).map_err(|e| DidError::failed(did, e))?;
    check_document_id(did, &document)?;
    Ok(document)
}

/// Checks that a resolved document's `id` is the DID that was asked for.
pub fn check_document_id(did: &str, document: &Value) -> Result<(), DidError> {
    match document.get("id").and_then(Value::as_str) {
        Some(id) if id == did => Ok(()),
        Some(id) => Err(DidError::failed(
            did,
            format!("the resolved document's id is {id}, not the DID"),
        )),
        None => Err(DidError::failed(did, "the resolved document has no id")),
    }
}

/// Resolves a did:key or did:jwk document (see [`LocalResolver`]).
pub async fn resolve_document(did: &str) -> Result<Value, DidError> {
    resolve_local(did).await
}
