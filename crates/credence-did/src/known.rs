//! DID documents supplied out of band (offline verification, proof
//! signing and verification through ssi with nothing resolved by ssi).

use crate::{check_document_id, resolve_local, DidError, LocalResolver, ResolveDid, ResolveFuture};
use serde_json::Value;
use ssi::dids::{DIDResolver, DID};

/// Documents already resolved and checked, handed to ssi's proof
/// signing and verification so that ssi never resolves anything itself.
#[derive(Debug, Clone, Default)]
pub struct KnownDocuments(pub std::collections::HashMap<String, Value>);

impl KnownDocuments {
    /// A set holding one document, under its `id`.
    pub fn one(document: Value) -> Self {
        let mut known = Self::default();
        known.add(document);
        known
    }

    /// Adds a document under its `id`.
    pub fn add(&mut self, document: Value) {
        if let Some(id) = document.get("id").and_then(Value::as_str) {
            self.0.insert(id.to_owned(), document);
        }
    }
}

/// Resolves the documents it holds (their `id` checked against the DID
/// asked for); nothing is fetched. For offline verification with DID
/// documents obtained out of band (e.g. a did:web document shipped with a
/// test vector). did:key and did:jwk documents are always computed like
/// [`LocalResolver`] does: a document supplied for such a DID is ignored,
/// so it cannot grant its key a relationship the method does not.
impl ResolveDid for KnownDocuments {
    fn resolve_did<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            if LocalResolver::supports(did) {
                return resolve_local(did).await;
            }
            let document = self
                .0
                .get(did)
                .ok_or_else(|| DidError::failed(did, "no DID document was supplied for it"))?;
            check_document_id(did, document)?;
            Ok(document.clone())
        })
    }
}

/// The same documents for ssi's proof code: did:key and did:jwk computed,
/// any other DID only from the supplied documents.
impl DIDResolver for KnownDocuments {
    async fn resolve_representation<'a>(
        &'a self,
        did: &'a DID,
        _options: ssi::dids::resolution::Options,
    ) -> Result<ssi::dids::resolution::Output<Vec<u8>>, ssi::dids::resolution::Error> {
        use ssi::dids::resolution::{Error, Output};
        let computed;
        let document = if LocalResolver::supports(did.as_str()) {
            computed = resolve_local(did.as_str())
                .await
                .map_err(|e| Error::internal(e.to_string()))?;
            &computed
        } else {
            self.0.get(did.as_str()).ok_or(Error::NotFound)?
        };
        let bytes = serde_json::to_vec(document).map_err(|e| Error::internal(e.to_string()))?;
        Ok(Output::from_content(
            bytes,
            Some("application/did+json".into()),
        ))
    }
}
