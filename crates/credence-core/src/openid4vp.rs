//! OpenID for Verifiable Presentations 1.0 wire types: the authorization
//! request a verifier signs as a request object (RFC 9101), its client
//! identifier prefixes, and the names of the `direct_post` response.
//! Parsing and checking signatures is the wallet's and verifier's; this
//! module only names the shapes both sides share.

use crate::{DcqlQuery, PresentationRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JOSE `typ` of a request object (RFC 9101 §10.8, OpenID4VP §5).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";
/// The media type a `request_uri` serves (RFC 9101 §10.2).
pub const REQUEST_OBJECT_MEDIA_TYPE: &str = "application/oauth-authz-req+jwt";
/// Client Identifier Prefix of a verifier identified by a DID; its
/// requests must be signed by a key of that DID (OpenID4VP §5.9.3).
pub const DID_CLIENT_PREFIX: &str = "decentralized_identifier:";
/// Client Identifier Prefix of a verifier known only by where the answer
/// goes; its requests are unsigned and it is anonymous (OpenID4VP §5.9.3).
pub const REDIRECT_URI_CLIENT_PREFIX: &str = "redirect_uri:";
/// The response mode Credence speaks: the wallet POSTs the answer to
/// `response_uri` (OpenID4VP §8.2).
pub const DIRECT_POST: &str = "direct_post";
/// The only `response_type`.
pub const VP_TOKEN_RESPONSE: &str = "vp_token";
/// The `aud` of a request object sent to a wallet without published
/// metadata (OpenID4VP §5.8, static discovery).
pub const SELF_ISSUED_AUDIENCE: &str = "https://self-issued.me/v2";
/// The `subject_token_type` of an OpenID4VP response code exchanged at a
/// Credence token service's `/token` (RFC 8693; a Credence name).
pub const RESPONSE_CODE_TOKEN_TYPE: &str =
    "urn:credence:params:oauth:token-type:openid4vp-response-code";
/// The RFC 8693 grant type.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Where an OAuth server publishes its metadata (RFC 8414 §3).
pub const OAUTH_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
/// The URL scheme wallets are invoked with.
pub const OPENID4VP_SCHEME: &str = "openid4vp";

/// The parameters of an OpenID4VP authorization request: the claims of a
/// signed request object, or the query of an unsigned request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    /// The verifier, with its prefix (`decentralized_identifier:did:…`).
    pub client_id: String,
    /// Always [`VP_TOKEN_RESPONSE`].
    pub response_type: String,
    /// Always [`DIRECT_POST`] here.
    pub response_mode: String,
    /// Where the wallet POSTs its answer.
    pub response_uri: String,
    /// The value presentations are bound to.
    pub nonce: String,
    /// The transaction, echoed in the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// What must be presented.
    pub dcql_query: DcqlQuery,
    /// The request object's audience (the wallet, or [`SELF_ISSUED_AUDIENCE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// The request object's issuer (when present, the client id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// When the request object was made (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// When the request object expires (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The verifier's metadata (`vp_formats_supported`, …), informative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<Value>,
    /// The wallet's nonce, echoed when the wallet POSTed to `request_uri`
    /// (OpenID4VP §5.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_nonce: Option<String>,
    /// Transaction data to sign over (OpenID4VP §5.1); Credence supports
    /// none, and a wallet that does not must refuse a request with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<Value>,
    /// A `redirect_uri`, which a `direct_post` request must not carry
    /// (OpenID4VP §8.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

impl AuthorizationRequest {
    /// The request the wallet plans and signs against: the verifier is the
    /// client id (the presentation's `domain`, the KB-JWT's `aud`).
    pub fn presentation_request(&self, expires_at: i64) -> PresentationRequest {
        PresentationRequest {
            response_type: self.response_type.clone(),
            client_id: self.client_id.clone(),
            nonce: self.nonce.clone(),
            dcql_query: self.dcql_query.clone(),
            expires_at,
            state: self.state.clone(),
            response_uri: Some(self.response_uri.clone()),
        }
    }
}

/// A client identifier read by its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientId<'a> {
    /// `decentralized_identifier:<DID>`: the DID.
    Did(&'a str),
    /// `redirect_uri:<URI>`: the URI.
    RedirectUri(&'a str),
    /// Any other prefix, or none.
    Other(&'a str),
}

impl<'a> ClientId<'a> {
    /// Reads `client_id` by its prefix.
    pub fn parse(client_id: &'a str) -> Self {
        if let Some(did) = client_id.strip_prefix(DID_CLIENT_PREFIX) {
            Self::Did(did)
        } else if let Some(uri) = client_id.strip_prefix(REDIRECT_URI_CLIENT_PREFIX) {
            Self::RedirectUri(uri)
        } else {
            Self::Other(client_id)
        }
    }
}

/// The client id of a verifier identified by `did`.
pub fn did_client_id(did: &str) -> String {
    format!("{DID_CLIENT_PREFIX}{did}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_read() {
        assert_eq!(
            ClientId::parse("decentralized_identifier:did:web:globex.example"),
            ClientId::Did("did:web:globex.example")
        );
        assert_eq!(
            ClientId::parse("redirect_uri:https://rp.example/cb"),
            ClientId::RedirectUri("https://rp.example/cb")
        );
        assert_eq!(
            ClientId::parse("did:web:globex.example"),
            ClientId::Other("did:web:globex.example")
        );
        assert_eq!(
            did_client_id("did:key:z6Mk"),
            "decentralized_identifier:did:key:z6Mk"
        );
    }
}
