//! DID resolution and the key-authorization checks ssi leaves to the caller.
//!
//! Resolution is behind the [`ResolveDid`] trait so that every role can be
//! handed the resolver its deployment needs. [`LocalResolver`] resolves the
//! methods that are pure computations from the identifier (did:key and
//! did:jwk); the network resolver for did:web lives in `credence-verify`.
//! The checks on a resolved document ([`authorized_in`]) are pure and
//! shared by every resolver.

use serde_json::Value;
use ssi::dids::{DIDResolver, DID, DIDJWK};
use ssi::multicodec::MultiEncodedBuf;
use ssi::JWK;
use std::future::Future;
use std::pin::Pin;

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

impl DidError {
    /// A [`DidError::ResolutionFailed`] for `did`.
    pub fn failed(did: &str, reason: impl ToString) -> Self {
        Self::ResolutionFailed {
            did: did.to_owned(),
            reason: reason.to_string(),
        }
    }
}

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

/// The DID part of a DID URL.
pub fn did_of(url: &str) -> &str {
    url.split(['#', '?']).next().unwrap_or(url)
}

/// The URL a did:web DID's document is served at (did:web spec §3.2),
/// with `http` for loopback hosts and `https` otherwise.
pub fn did_web_url(did: &str) -> Result<String, DidError> {
    let id = did
        .strip_prefix("did:web:")
        .ok_or_else(|| DidError::failed(did, "not a did:web DID"))?;
    let mut segments = id.split(':');
    let host = segments
        .next()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| DidError::failed(did, "did:web without a host"))?
        .replace("%3A", ":")
        .replace("%3a", ":");
    if host.contains(['/', '?', '#', '@', '%']) {
        return Err(DidError::failed(did, "invalid did:web host"));
    }
    let path: Vec<&str> = segments.collect();
    if path
        .iter()
        .any(|s| s.is_empty() || s.contains(['/', '?', '#']) || *s == "..")
    {
        return Err(DidError::failed(did, "invalid did:web path"));
    }
    let bare_host = host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h);
    let scheme = if is_loopback_host(bare_host) {
        "http"
    } else {
        "https"
    };
    Ok(if path.is_empty() {
        format!("{scheme}://{host}/.well-known/did.json")
    } else {
        format!("{scheme}://{host}/{}/did.json", path.join("/"))
    })
}

/// Whether `host` (as in a URL, without port) is a loopback host.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

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
/// asked for), and did:key / did:jwk like [`LocalResolver`]; nothing is
/// fetched. For offline verification with DID documents obtained out of
/// band (e.g. a did:web document shipped with a test vector).
impl ResolveDid for KnownDocuments {
    fn resolve_did<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            match self.0.get(did) {
                Some(document) => {
                    check_document_id(did, document)?;
                    Ok(document.clone())
                }
                None => resolve_local(did).await,
            }
        })
    }
}

impl DIDResolver for KnownDocuments {
    async fn resolve_representation<'a>(
        &'a self,
        did: &'a DID,
        _options: ssi::dids::resolution::Options,
    ) -> Result<ssi::dids::resolution::Output<Vec<u8>>, ssi::dids::resolution::Error> {
        use ssi::dids::resolution::{Error, Output};
        let document = self.0.get(did.as_str()).ok_or(Error::NotFound)?;
        let bytes = serde_json::to_vec(document).map_err(|e| Error::internal(e.to_string()))?;
        Ok(Output::from_content(
            bytes,
            Some("application/did+json".into()),
        ))
    }
}

/// The did:web DID of an origin `https://host[:port]` (or `http://` on a
/// loopback host), e.g. `http://127.0.0.1:7400` → `did:web:127.0.0.1%3A7400`.
pub fn did_web_for_origin(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.split_once("://")?;
    let host_port = rest.trim_end_matches('/');
    if host_port.is_empty() || host_port.contains(['/', '?', '#', '@', '[', '%']) {
        return None;
    }
    let host = host_port.split(':').next().unwrap_or(host_port);
    match scheme {
        "https" => {}
        "http" if is_loopback_host(host) => {}
        _ => return None,
    }
    Some(format!("did:web:{}", host_port.replace(':', "%3A")))
}

/// Resolves a did:key or did:jwk document (see [`LocalResolver`]).
pub async fn resolve_document(did: &str) -> Result<Value, DidError> {
    resolve_local(did).await
}

fn id_matches(entry: &Value, did: &str, method_url: &str) -> bool {
    let id = match entry {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("id").and_then(Value::as_str).unwrap_or(""),
        _ => "",
    };
    id == method_url || (id.starts_with('#') && format!("{did}{id}") == method_url)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn known_documents_resolve_checked_then_fall_back_to_local() {
        let key = JWK::generate_ed25519().expect("key");
        let did = DIDJWK::generate(&key.to_public()).to_string();
        let web = serde_json::json!({"id": "did:web:acme.example", "verificationMethod": []});
        let mut known = KnownDocuments::one(web.clone());
        assert_eq!(
            known
                .resolve_did("did:web:acme.example")
                .await
                .expect("known"),
            web
        );
        assert!(known.resolve_did(&did).await.is_ok(), "did:jwk computed");
        assert!(known.resolve_did("did:web:other.example").await.is_err());
        // A document filed under another DID than its id is refused.
        known.0.insert("did:web:evil.example".into(), web);
        assert!(matches!(
            known.resolve_did("did:web:evil.example").await,
            Err(DidError::ResolutionFailed { .. })
        ));
    }

    #[tokio::test]
    async fn did_jwk_resolves_to_its_key() {
        let key = JWK::generate_ed25519().expect("key");
        let did = DIDJWK::generate(&key.to_public()).to_string();
        let doc = LocalResolver.resolve_did(&did).await.expect("resolves");
        let method = authorized_in(&doc, &format!("{did}#0"), "assertionMethod").expect("listed");
        assert_eq!(method.jwk().expect("jwk"), key.to_public());
        let err = LocalResolver.resolve_did("did:web:example.com").await;
        assert!(matches!(err, Err(DidError::ResolutionFailed { .. })));
    }

    #[test]
    fn did_web_urls() {
        assert_eq!(
            did_web_url("did:web:acme.example").unwrap(),
            "https://acme.example/.well-known/did.json"
        );
        assert_eq!(
            did_web_url("did:web:acme.example:orgs:issuer").unwrap(),
            "https://acme.example/orgs/issuer/did.json"
        );
        assert_eq!(
            did_web_url("did:web:127.0.0.1%3A7400").unwrap(),
            "http://127.0.0.1:7400/.well-known/did.json"
        );
        assert_eq!(
            did_web_url("did:web:acme.example%3A8443").unwrap(),
            "https://acme.example:8443/.well-known/did.json"
        );
        for bad in [
            "did:web:",
            "did:web:a.example:..",
            "did:web:a%2Fb",
            "did:key:z",
        ] {
            assert!(did_web_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins_to_did_web() {
        assert_eq!(
            did_web_for_origin("http://127.0.0.1:7400").as_deref(),
            Some("did:web:127.0.0.1%3A7400")
        );
        assert_eq!(
            did_web_for_origin("https://acme.example/").as_deref(),
            Some("did:web:acme.example")
        );
        assert_eq!(did_web_for_origin("http://acme.example"), None);
        assert_eq!(did_web_for_origin("https://acme.example/x"), None);
        let did = did_web_for_origin("http://127.0.0.1:7400").unwrap();
        assert_eq!(
            did_web_url(&did).unwrap(),
            "http://127.0.0.1:7400/.well-known/did.json"
        );
    }

    #[test]
    fn a_document_for_another_did_is_refused() {
        let doc = serde_json::json!({"id": "did:web:evil.example"});
        assert!(matches!(
            authorized_in(&doc, "did:web:good.example#k", "assertionMethod"),
            Err(DidError::ResolutionFailed { .. })
        ));
    }
}
