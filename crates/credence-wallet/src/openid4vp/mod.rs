//! OpenID for Verifiable Presentations 1.0, the wallet's side: take a
//! request (by value, by reference, or unsigned), find out who is asking —
//! a DID whose key signed the request object, or nobody (anonymous) — and
//! answer by `direct_post` with what the holder policy lets that identity
//! receive. Every fetch goes through [`credence_did::Fetcher`] (https, or
//! http to loopback; no redirects; bounded time and size).
//!
//! The wallet decides on the signed request only: the `client_id` of the
//! URL must agree with the signed one, the signing key must be a key of
//! the DID the signed `client_id` names (resolved with the wallet's
//! resolver, listed for `authentication` or `assertionMethod`), and the
//! `response_uri` must belong to that verifier (see `response_uri.rs`).

mod error;
mod invocation;
mod request_claims;
mod request_object;
mod respond;
mod response_uri;
mod token;

pub use error::Openid4vpError;
pub use invocation::Invocation;
pub use respond::{Openid4vpAnswer, ResponsePlan};
pub use token::{TokenResponse, TokenTarget};

use crate::{VerifierIdentity, Wallet};
use credence_core::{
    AuthorizationRequest, ClientId, PresentationRequest, REQUEST_OBJECT_MEDIA_TYPE,
};
use request_claims::check_claims;
use request_object::verify_request_object;
use response_uri::check_response_uri;

/// A request the wallet has checked: who asks, what, and where the answer
/// goes.
#[derive(Debug, Clone)]
pub struct VerifiedRequest {
    /// Who is asking, as far as the signature shows.
    pub verifier: VerifierIdentity,
    /// The request's parameters (signed ones, for a signed request).
    pub request: AuthorizationRequest,
    /// The request the presentations are bound to (nonce, client id) and
    /// planned against.
    pub presentation: PresentationRequest,
}

impl Wallet {
    /// Reads an OpenID4VP request (a URL or a bare request object; see
    /// [`Invocation::parse`]), fetches its request object when it is by
    /// reference (POSTing a fresh `wallet_nonce` for
    /// `request_uri_method=post`), and checks it: a `decentralized_identifier:`
    /// request must be a request object signed by a key of that DID; a
    /// `redirect_uri:` request must be unsigned and is anonymous; then the
    /// claims (`response_type`, `response_mode`, expiry, `aud`,
    /// `wallet_nonce`) and the `response_uri`. Nothing is disclosed here.
    pub async fn open_openid4vp(
        &self,
        invocation: &str,
    ) -> Result<VerifiedRequest, Openid4vpError> {
        match Invocation::parse(invocation)? {
            Invocation::ByValue { client_id, request } => {
                self.signed(&request, client_id.as_deref(), None).await
            }
            Invocation::ByReference {
                client_id,
                request_uri,
                post,
            } => {
                if let ClientId::RedirectUri(_) = ClientId::parse(&client_id) {
                    return Err(Openid4vpError::SignedAnonymous);
                }
                let wallet_nonce = post.then(credence_core::fresh_nonce);
                let jwt = self
                    .fetch_request_object(&request_uri, wallet_nonce.as_deref())
                    .await?;
                self.signed(&jwt, Some(&client_id), wallet_nonce.as_deref())
                    .await
            }
            Invocation::Unsigned(request) => self.unsigned(*request),
        }
    }

    async fn signed(
        &self,
        jwt: &str,
        url_client_id: Option<&str>,
        wallet_nonce: Option<&str>,
    ) -> Result<VerifiedRequest, Openid4vpError> {
        let (did, request) =
            verify_request_object(jwt, url_client_id, self.resolver.as_ref()).await?;
        self.checked(request, VerifierIdentity::VerifiedDid(did), wallet_nonce)
    }

    fn unsigned(&self, request: AuthorizationRequest) -> Result<VerifiedRequest, Openid4vpError> {
        match ClientId::parse(&request.client_id) {
            ClientId::RedirectUri(_) => self.checked(request, VerifierIdentity::Anonymous, None),
            ClientId::Did(_) => Err(Openid4vpError::NotSigned(request.client_id)),
            ClientId::Other(_) => Err(Openid4vpError::UnsupportedClientId(request.client_id)),
        }
    }

    fn checked(
        &self,
        request: AuthorizationRequest,
        verifier: VerifierIdentity,
        wallet_nonce: Option<&str>,
    ) -> Result<VerifiedRequest, Openid4vpError> {
        let now = self.clock.now().timestamp();
        let expires_at = check_claims(&request, wallet_nonce, now)?;
        check_response_uri(&request.client_id, &request.response_uri)?;
        let presentation = request.presentation_request(expires_at);
        Ok(VerifiedRequest {
            verifier,
            request,
            presentation,
        })
    }

    async fn fetch_request_object(
        &self,
        request_uri: &str,
        wallet_nonce: Option<&str>,
    ) -> Result<String, Openid4vpError> {
        let fetch = |source| Openid4vpError::Fetch {
            what: "request_uri",
            source,
        };
        let text = match wallet_nonce {
            None => self
                .fetcher
                .get_text(request_uri, REQUEST_OBJECT_MEDIA_TYPE)
                .await
                .map_err(fetch)?,
            Some(nonce) => {
                let form = [("wallet_nonce", nonce)];
                let (status, text) = self
                    .fetcher
                    .post_form(request_uri, &form, REQUEST_OBJECT_MEDIA_TYPE)
                    .await
                    .map_err(fetch)?;
                if status != 200 {
                    return Err(fetch(credence_did::FetchError::Status(status)));
                }
                text
            }
        };
        Ok(text.trim().to_owned())
    }
}
