//! The [`ResolveDid`] trait and the resolvers that need no network:
//! did:key and did:jwk are computed from the identifier.

use crate::relationship::grant_only;
use crate::{did_jwk, did_key, DidError};
use serde_json::Value;
use ssi::dids::resolution::Options;
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

/// Resolves did:key (Ed25519, X25519, P-256, BLS12-381 G2) and did:jwk
/// (Ed25519, X25519, P-256): methods whose document is computed from the
/// identifier, with no I/O.
///
/// The identifier is checked before anything is computed — a malformed
/// one (bad multibase or base64url, unknown multicodec, a key of the
/// wrong length or not on its curve, a JWK with private key material) is
/// [`DidError::ResolutionFailed`] — and the document then lists its one
/// key only under the relationships its method's spec grants, which ssi
/// does not do (see [`crate`]): did:key signing keys under
/// authentication, assertionMethod, capabilityInvocation and
/// capabilityDelegation, X25519 keys under keyAgreement only; a did:jwk
/// key by its `use` and its curve.
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

/// Resolves a did:key or did:jwk document (see [`LocalResolver`]) and
/// checks its `id`.
pub async fn resolve_local(did: &str) -> Result<Value, DidError> {
    let parsed = DID::new(did).map_err(|_| DidError::failed(did, "not a valid DID"))?;
    let (output, method_id, granted) = if let Some(fragment) = did.strip_prefix("did:key:") {
        let key_type = did_key::parse(did)?;
        let output = ssi::dids::DIDKey.resolve(parsed).await;
        (
            output,
            format!("{did}#{fragment}"),
            key_type.relationships().to_vec(),
        )
    } else if did.starts_with("did:jwk:") {
        let jwk = did_jwk::parse(did)?;
        let mut options = Options::default();
        if jwk.json_web_key {
            options.parameters.public_key_format = Some("JsonWebKey2020".into());
        }
        let output = DIDJWK.resolve_with(parsed, options).await;
        (output, format!("{did}#0"), jwk.relationships)
    } else {
        return Err(DidError::failed(
            did,
            "unsupported DID method (resolved here: did:key, did:jwk)",
        ));
    };
    let output = output.map_err(|e| DidError::failed(did, e))?;
    let mut document =
        serde_json::to_value(output.document).map_err(|e| DidError::failed(did, e))?;
    check_document_id(did, &document)?;
    grant_only(&mut document, did, &method_id, &granted)?;
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
