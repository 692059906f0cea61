//! Why the wallet would not answer an OpenID4VP request, or why answering
//! failed.

use crate::PresentError;
use credence_did::{DidError, FetchError};
use credence_sdjwt::SdJwtError;

/// Why an OpenID4VP request was refused or could not be answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Openid4vpError {
    /// The invocation is not an OpenID4VP request URL, a request object or
    /// an unsigned request.
    #[error("not an OpenID4VP request: {0}")]
    Invocation(String),
    /// The client id has a prefix this wallet does not accept (it accepts
    /// `decentralized_identifier:` and `redirect_uri:`).
    #[error("unsupported client id {0}: use decentralized_identifier:<DID> or redirect_uri:<URI>")]
    UnsupportedClientId(String),
    /// A `decentralized_identifier:` request that is not signed.
    #[error("a request from {0} must be a signed request object")]
    NotSigned(String),
    /// A `redirect_uri:` request that is signed (OpenID4VP §5.9.3 forbids it).
    #[error("a redirect_uri: request must not be signed")]
    SignedAnonymous,
    /// Fetching the request object or posting the answer failed.
    #[error("{what}: {source}")]
    Fetch {
        /// What was being fetched.
        what: &'static str,
        /// Why.
        source: FetchError,
    },
    /// The request object's header is unusable (`typ`, `alg`, `crit`).
    #[error("request object: {0}")]
    Header(SdJwtError),
    /// The header names no key, or one that is not a DID URL of the
    /// verifier's DID.
    #[error("request object kid {kid:?}: {reason}")]
    Kid {
        /// The `kid`, if any.
        kid: Option<String>,
        /// What is wrong with it.
        reason: String,
    },
    /// The kid's key could not be resolved, or is not authorized to sign
    /// for its DID.
    #[error("request object key: {0}")]
    Key(DidError),
    /// The signature does not verify with the kid's key.
    #[error("the request object's signature does not verify with {0}")]
    BadSignature(String),
    /// The signed claims are not an authorization request.
    #[error("request object claims: {0}")]
    Claims(String),
    /// The signed `client_id` is not the one the request was invoked
    /// with, or not the DID whose key signed it.
    #[error("client_id mismatch: {0}")]
    ClientIdMismatch(String),
    /// The request object has expired (or its `iat` lies in the future).
    #[error("request object not valid now: {0}")]
    Expired(String),
    /// The request object's `aud` is not the self-issued audience.
    #[error("request object aud {0} is not https://self-issued.me/v2")]
    Audience(String),
    /// The `wallet_nonce` the wallet sent is not echoed.
    #[error("the request object does not echo this wallet's wallet_nonce")]
    WalletNonce,
    /// `response_type` or `response_mode` is not what this wallet answers.
    #[error("unsupported {0}")]
    Unsupported(String),
    /// The `response_uri` does not belong to the verifier the client id
    /// names.
    #[error("response_uri {uri} does not belong to {client_id}: {reason}")]
    ResponseUri {
        /// The response URI.
        uri: String,
        /// The client id.
        client_id: String,
        /// Why.
        reason: String,
    },
    /// The holder policy or the wallet's credentials refused the request.
    #[error(transparent)]
    Present(#[from] PresentError),
    /// The verifier answered the `direct_post` with an error.
    #[error("the verifier refused the presentation: HTTP {status}: {body}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Its body (an OAuth error, usually).
        body: String,
    },
    /// The response endpoint's answer is not JSON, or names no usable
    /// response code.
    #[error("response endpoint: {0}")]
    Response(String),
    /// Token endpoint discovery (RFC 8414) failed.
    #[error("token endpoint discovery: {0}")]
    Discovery(String),
}

impl Openid4vpError {
    /// A stable code for logs and the wallet API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invocation(_) => "invalid_request",
            Self::UnsupportedClientId(_) => "unsupported_client_id",
            Self::NotSigned(_) | Self::SignedAnonymous => "invalid_request_object",
            Self::Fetch { .. } => "fetch_failed",
            Self::Header(_) | Self::Claims(_) => "invalid_request_object",
            Self::Kid { .. } => "invalid_request_object_kid",
            Self::Key(_) => "request_key_not_authorized",
            Self::BadSignature(_) => "bad_request_signature",
            Self::ClientIdMismatch(_) => "client_id_mismatch",
            Self::Expired(_) => "request_expired",
            Self::Audience(_) => "invalid_request_audience",
            Self::WalletNonce => "wallet_nonce_mismatch",
            Self::Unsupported(_) => "unsupported_request",
            Self::ResponseUri { .. } => "invalid_response_uri",
            Self::Present(_) => "presentation_refused",
            Self::Refused { .. } => "verifier_refused",
            Self::Response(_) => "invalid_response",
            Self::Discovery(_) => "discovery_failed",
        }
    }
}
