//! The token service's OpenID4VP 1.0 endpoints: transactions created by
//! the agent's counterparty, signed request objects served at their
//! `request_uri` (GET, or POST with a `wallet_nonce`), the `direct_post`
//! response endpoint, and the did:web document of the request signer.
//! The response endpoint answers a verified `vp_token` with a
//! `redirect_uri` carrying a one-time response code, which the agent
//! exchanges at `/token` (see [`RESPONSE_CODE_TOKEN_TYPE`]).

use crate::oauth::{form_rejection, OAuthError};
use crate::verifier_api::{no_store, requested_query, Shared};
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use credence_core::{VerifierState, REQUEST_OBJECT_MEDIA_TYPE};
use credence_verify::openid4vp::RequestObjectError;
use credence_verify::{RequestSigner, ResponseCodes, VerifyError};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The `subject_token_type` of an OpenID4VP response code at `/token`.
pub use credence_core::RESPONSE_CODE_TOKEN_TYPE;

/// Where request objects are served, under the service's id.
pub const REQUEST_PATH: &str = "/openid4vp/requests";
/// The `direct_post` response endpoint, under the service's id.
pub const RESPONSE_PATH: &str = "/openid4vp/response";
/// Where the response endpoint's `redirect_uri` points.
pub const COMPLETE_PATH: &str = "/openid4vp/complete";

/// The verifier's OpenID4VP identity and outstanding response codes.
#[derive(Debug)]
pub struct Openid4vpService {
    /// Signs request objects as the verifier's DID.
    pub signer: RequestSigner,
    /// Response codes awaiting their exchange at `/token`.
    pub codes: ResponseCodes,
}

impl Openid4vpService {
    /// The service signing as `signer`, its response codes kept in
    /// `state` (the verifier's: [`credence_verify::Verifier::state`]).
    pub fn new(signer: RequestSigner, state: Arc<dyn VerifierState>) -> Self {
        Self {
            signer,
            codes: ResponseCodes::new(state),
        }
    }

    /// The service of a token service at `origin`: the did:web of that
    /// origin (served at `/.well-known/did.json`) with `key`, or — for an
    /// id that is no origin — the did:key of `key`.
    pub fn for_origin(
        origin: &str,
        key: ssi::JWK,
        state: Arc<dyn VerifierState>,
    ) -> Result<Self, RequestObjectError> {
        let signer = match credence_did::did_web_for_origin(origin.trim_end_matches('/')) {
            Some(did) => RequestSigner::did_web(&did, key)?,
            None => RequestSigner::did_key(key)?,
        };
        Ok(Self::new(signer, state))
    }
}

fn issuer(s: &Shared) -> &str {
    s.verifier.id().trim_end_matches('/')
}

/// `POST /openid4vp/requests`: a new transaction for the same bodies as
/// `/presentation-requests`; answers with the `openid4vp://` URL, the
/// request URI and the request object by value.
pub(crate) async fn create(State(s): State<Shared>, body: Bytes) -> Result<Response, OAuthError> {
    let query = requested_query(&s, &body)?;
    let base = issuer(&s).to_owned();
    let client_id = s.openid4vp.signer.client_id();
    let request = s
        .verifier
        .create_openid4vp_request(query, &client_id, &format!("{base}{RESPONSE_PATH}"))
        .await?;
    let state = request.state.clone().unwrap_or_default();
    let request_uri = format!("{base}{REQUEST_PATH}/{state}");
    let now = chrono::Utc::now().timestamp();
    let object = s
        .openid4vp
        .signer
        .sign(&request, now, None, client_metadata())
        .map_err(|e| server_error(e.to_string()))?;
    let url = authorization_url(&client_id, &request_uri);
    tracing::info!(state_prefix = %&state[..8], "OpenID4VP transaction created");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "authorization_request": url,
            "client_id": client_id,
            "request_uri": request_uri,
            "request": object,
            "state": state,
            "expires_at": request.expires_at,
        })),
    )
        .into_response())
}

/// `openid4vp://?client_id=…&request_uri=…`, both form-encoded.
pub fn authorization_url(client_id: &str, request_uri: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri)
        .finish();
    format!("{}://?{query}", credence_core::OPENID4VP_SCHEME)
}

/// The body of a `request_uri_method=post` fetch (OpenID4VP §5.10).
#[derive(Deserialize)]
pub(crate) struct RequestUriPost {
    wallet_nonce: Option<String>,
    /// Read and ignored: Credence asks for what its policy needs.
    #[allow(dead_code)]
    wallet_metadata: Option<String>,
}

/// `GET /openid4vp/requests/{state}`: the signed request object.
pub(crate) async fn get_request(
    State(s): State<Shared>,
    Path(state): Path<String>,
) -> Result<Response, OAuthError> {
    request_object(&s, &state, None).await
}

/// `POST /openid4vp/requests/{state}`: the signed request object, with
/// the wallet's `wallet_nonce` in it when one was sent.
pub(crate) async fn post_request(
    State(s): State<Shared>,
    Path(state): Path<String>,
    form: Result<Form<RequestUriPost>, FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(form) = form.map_err(form_rejection)?;
    if form.wallet_nonce.as_ref().is_some_and(|n| n.len() > 256) {
        return Err(OAuthError::invalid_request("wallet_nonce longer than 256"));
    }
    request_object(&s, &state, form.wallet_nonce.as_deref()).await
}

async fn request_object(
    s: &Shared,
    state: &str,
    wallet_nonce: Option<&str>,
) -> Result<Response, OAuthError> {
    let request = s
        .verifier
        .pending_transaction(state)
        .await
        .map_err(|e| match e {
            VerifyError::State(e) => OAuthError::unavailable(&e),
            e => OAuthError::new(StatusCode::NOT_FOUND, "invalid_request_uri", e.code(), e),
        })?;
    let now = chrono::Utc::now().timestamp();
    let object = s
        .openid4vp
        .signer
        .sign(&request, now, wallet_nonce, client_metadata())
        .map_err(|e| server_error(e.to_string()))?;
    let mut response = object.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(REQUEST_OBJECT_MEDIA_TYPE),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A `direct_post` body (OpenID4VP §8.2): an answer, or the wallet's
/// error response.
#[derive(Deserialize)]
pub(crate) struct DirectPost {
    vp_token: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `POST /openid4vp/response`: verifies the answer; on success, 200 with a
/// `redirect_uri` whose fragment carries the one-time `response_code`.
pub(crate) async fn direct_post(
    State(s): State<Shared>,
    form: Result<Form<DirectPost>, FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(post) = form.map_err(form_rejection)?;
    if let Some(error) = &post.error {
        tracing::info!(
            decision = "declined",
            error = %error,
            description = post.error_description.as_deref().unwrap_or(""),
            "the wallet declined the OpenID4VP request"
        );
        return Ok(no_store(json!({})));
    }
    let verified = s
        .verifier
        .verify_direct_post(post.state.as_deref(), post.vp_token.as_deref())
        .await
        .inspect_err(|e| {
            tracing::warn!(decision = "deny", reason = e.code(), detail = %e, "direct_post refused");
        })?;
    let now = chrono::Utc::now().timestamp();
    let code = s.openid4vp.codes.issue(verified, now).await?;
    tracing::info!(
        decision = "allow",
        "direct_post verified; response code issued"
    );
    let mut response = no_store(json!({
        "redirect_uri": format!("{}{COMPLETE_PATH}#response_code={code}", issuer(&s)),
    }));
    response
        .extensions_mut()
        .insert(crate::ops::Outcome("allow"));
    Ok(response)
}

/// `GET /openid4vp/complete`: where a browser following the redirect ends.
pub(crate) async fn complete() -> Json<Value> {
    Json(json!({"status": "presentation received; exchange the response_code at /token"}))
}

/// `GET /.well-known/did.json`: the signer's did:web document, when its
/// DID is this service's origin.
pub(crate) async fn did_document(State(s): State<Shared>) -> Result<Json<Value>, OAuthError> {
    let did = s.openid4vp.signer.did();
    if credence_did::did_web_for_origin(issuer(&s)).as_deref() != Some(did) {
        return Err(OAuthError::no_such_route());
    }
    Ok(Json(s.openid4vp.signer.did_web_document()))
}

/// What the verifier accepts (OpenID4VP §11 `vp_formats_supported`,
/// Appendix B.1.3.2.3 and B.3.4).
pub fn vp_formats_supported() -> Value {
    json!({
        "ldp_vc": {
            "proof_type_values": ["DataIntegrityProof"],
            "cryptosuite_values": credence_verify::CREDENTIAL_SUITES,
        },
        "dc+sd-jwt": {
            "sd-jwt_alg_values": ["EdDSA", "ES256"],
            "kb-jwt_alg_values": ["EdDSA", "ES256"],
        },
    })
}

fn client_metadata() -> Value {
    json!({"vp_formats_supported": vp_formats_supported()})
}

fn server_error(description: String) -> OAuthError {
    OAuthError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "server_error",
        description,
    )
}
