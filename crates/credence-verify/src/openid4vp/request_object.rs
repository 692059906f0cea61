//! The verifier's identity for OpenID4VP: a DID and a signing key of it,
//! with which it signs its authorization requests as request objects
//! (RFC 9101; OpenID4VP 1.0 §5 and §5.9.3, prefix
//! `decentralized_identifier:`).

use credence_core::{
    did_client_id, AuthorizationRequest, PresentationRequest, DIRECT_POST, REQUEST_OBJECT_TYP,
    SELF_ISSUED_AUDIENCE,
};
use serde_json::{json, Value};
use ssi::JWK;

/// How long a signed request object is valid, in seconds (at most the
/// transaction's own expiry).
pub const REQUEST_OBJECT_TTL_SECS: i64 = 120;

/// Why a request object could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestObjectError {
    /// The key is not an Ed25519 or P-256 private key.
    #[error("request signing key: {0}")]
    Key(String),
    /// The request is not an OpenID4VP `direct_post` request.
    #[error("not an OpenID4VP request: {0}")]
    NotOpenid4vp(String),
    /// Signing failed.
    #[error("signing the request object: {0}")]
    Signing(String),
}

/// A DID and one of its keys, signing this verifier's request objects.
#[derive(Clone)]
pub struct RequestSigner {
    did: String,
    kid: String,
    key: JWK,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl RequestSigner {
    /// Signs as `did` with `key` (Ed25519 or P-256, with its private
    /// part), named by the DID URL `kid` (which must be `did#fragment`).
    pub fn new(did: &str, kid: &str, key: JWK) -> Result<Self, RequestObjectError> {
        if credence_sdjwt::jws::algorithm_for(&key).is_none() || key.is_public() {
            return Err(RequestObjectError::Key(
                "an Ed25519 or P-256 private key".into(),
            ));
        }
        match kid.split_once('#') {
            Some((d, fragment)) if d == did && !fragment.is_empty() => {}
            _ => {
                return Err(RequestObjectError::Key(format!(
                    "kid {kid} is not a DID URL of {did}"
                )))
            }
        }
        Ok(Self {
            did: did.to_owned(),
            kid: kid.to_owned(),
            key,
        })
    }

    /// The did:key of `key` (Ed25519 or P-256), with its one method
    /// (tests, demos without a web origin).
    pub fn did_key(key: JWK) -> Result<Self, RequestObjectError> {
        let failed = |e: ssi::jwk::ToMulticodecError| RequestObjectError::Key(e.to_string());
        let public = key.to_public();
        let did = ssi::dids::DIDKey::generate(&public)
            .map_err(failed)?
            .to_string();
        let kid = ssi::dids::DIDKey::generate_url(&public)
            .map_err(failed)?
            .to_string();
        Self::new(&did, &kid, key)
    }

    /// The did:web `did` (served by the verifier's own service at the
    /// URL [`credence_did::did_web_url`] names) with `key` as `#request-key`.
    pub fn did_web(did: &str, key: JWK) -> Result<Self, RequestObjectError> {
        Self::new(did, &format!("{did}#request-key"), key)
    }

    /// The DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The DID URL of the signing key (the request object's `kid`).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The OpenID4VP client id: `decentralized_identifier:<DID>`.
    pub fn client_id(&self) -> String {
        did_client_id(&self.did)
    }

    /// The DID document a did:web signer serves: the key, as a JsonWebKey
    /// method authorized for `authentication` (what wallets check request
    /// objects against).
    pub fn did_web_document(&self) -> Value {
        let mut public = self.key.to_public();
        public.key_id = None;
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
            "id": self.did,
            "verificationMethod": [{
                "id": self.kid,
                "type": "JsonWebKey",
                "controller": self.did,
                "publicKeyJwk": public,
            }],
            "authentication": [self.kid],
        })
    }

    /// `request` as a signed request object made at `now`: header `typ`
    /// `oauth-authz-req+jwt`, `kid` the DID URL; claims per OpenID4VP
    /// (client id, `vp_token`, `direct_post`, response_uri, nonce, state,
    /// DCQL query, `aud` for static discovery, `iat`/`exp`, the formats
    /// this verifier accepts) and `wallet_nonce` when the wallet sent one.
    pub fn sign(
        &self,
        request: &PresentationRequest,
        now: i64,
        wallet_nonce: Option<&str>,
        client_metadata: Value,
    ) -> Result<String, RequestObjectError> {
        let not = |what: &str| RequestObjectError::NotOpenid4vp(what.to_owned());
        if request.client_id != self.client_id() {
            return Err(not("its client_id is not this signer's"));
        }
        let claims = AuthorizationRequest {
            client_id: request.client_id.clone(),
            response_type: request.response_type.clone(),
            response_mode: DIRECT_POST.into(),
            response_uri: request
                .response_uri
                .clone()
                .ok_or_else(|| not("no response_uri"))?,
            nonce: request.nonce.clone(),
            state: Some(request.state.clone().ok_or_else(|| not("no state"))?),
            dcql_query: request.dcql_query.clone(),
            aud: Some(SELF_ISSUED_AUDIENCE.into()),
            iss: Some(request.client_id.clone()),
            iat: Some(now),
            exp: Some(request.expires_at.min(now + REQUEST_OBJECT_TTL_SECS)),
            client_metadata: Some(client_metadata),
            wallet_nonce: wallet_nonce.map(str::to_owned),
            transaction_data: None,
            redirect_uri: None,
        };
        let Value::Object(claims) = serde_json::to_value(&claims)
            .map_err(|e| RequestObjectError::Signing(e.to_string()))?
        else {
            return Err(RequestObjectError::Signing(
                "claims are not an object".into(),
            ));
        };
        credence_sdjwt::jws::sign(&claims, &self.key, REQUEST_OBJECT_TYP, Some(&self.kid))
            .map_err(|e| RequestObjectError::Signing(e.to_string()))
    }
}
