//! The verifier's token service: presentation requests, RFC 8693 token
//! exchange, JWKS, RFC 7662 introspection and RFC 7009 revocation.

use crate::introspection_api;
use crate::oauth::{form_rejection, OAuthError};
use crate::openid4vp_api::{self as oid4vp, RESPONSE_CODE_TOKEN_TYPE};
use crate::ApiToken;
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use credence_verify::{StepRequest, TokenIssuer, Verifier};
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

/// Every route as `(method, path)`.
pub const VERIFIER_ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("post", "/presentation-requests"),
    ("post", "/token"),
    ("get", "/.well-known/jwks.json"),
    ("get", "/.well-known/oauth-authorization-server"),
    ("post", "/introspect"),
    ("post", "/revoke"),
    ("post", "/openid4vp/requests"),
    ("get", "/openid4vp/requests/{state}"),
    ("post", "/openid4vp/requests/{state}"),
    ("post", "/openid4vp/response"),
    ("get", "/openid4vp/complete"),
    ("get", "/.well-known/did.json"),
];

/// RFC 8693 `grant_type` for token exchange.
pub use credence_core::TOKEN_EXCHANGE_GRANT;

/// The `subject_token_type` of a Credence presentation: a VC 2.0
/// Verifiable Presentation (JSON, Data Integrity proofs) answering one of
/// this verifier's presentation requests.
pub const VP_TOKEN_TYPE: &str = "urn:credence:params:oauth:token-type:vp+ld+json";
/// The `subject_token_type` of an SD-JWT VC presentation (compact, with
/// its KB-JWT bound to a request of this service). There is no registered
/// OAuth token type for it; Credence names its own, like
/// [`VP_TOKEN_TYPE`].
pub const SD_JWT_TOKEN_TYPE: &str = "urn:credence:params:oauth:token-type:dc+sd-jwt";

/// RFC 8693 `issued_token_type` of what `/token` returns.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The largest request body any route accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the token service needs.
pub struct VerifierService {
    /// The verifier (policy, nonces, resolution, status).
    pub verifier: Arc<Verifier>,
    /// Its token service (signing key, minted and revoked tokens).
    pub tokens: Arc<TokenIssuer>,
    /// Claims requested when a client does not name any.
    pub default_claims: Vec<String>,
    /// The secret resource servers present to `/introspect`.
    pub introspection: ApiToken,
    /// The OpenID4VP identity (request signer) and response codes; the
    /// verifier must accept its client id ([`Verifier::with_client_id`]).
    pub openid4vp: crate::openid4vp_api::Openid4vpService,
}

pub(crate) type Shared = Arc<VerifierService>;

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `{"claims": [..]}` (an AgentCredential with these claims) or
/// `{"dcql_query": {..}}` (any DCQL query); `{"claims": [..], "format":
/// "dc+sd-jwt"}` asks for the SD-JWT VC form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, untagged)]
enum RequestBody {
    Claims {
        claims: Vec<String>,
        /// `ldp_vc` (default) or `dc+sd-jwt`: which form of the
        /// `AgentCredential` is asked for.
        #[serde(default)]
        format: Option<String>,
    },
    Dcql {
        dcql_query: credence_core::DcqlQuery,
    },
}

/// The DCQL query a request-creating body asks for (an empty body: the
/// service's default claims of the `AgentCredential`).
pub(crate) fn requested_query(
    s: &VerifierService,
    body: &[u8],
) -> Result<credence_core::DcqlQuery, OAuthError> {
    let (claims, format) = if body.iter().all(u8::is_ascii_whitespace) {
        (s.default_claims.clone(), None)
    } else {
        match serde_json::from_slice::<RequestBody>(body).map_err(|_| {
            OAuthError::invalid_request(
                "body: expected {\"claims\": [names]} or {\"dcql_query\": {credentials: [..]}}",
            )
        })? {
            RequestBody::Claims { claims, format } => (claims, format),
            RequestBody::Dcql { dcql_query } => return Ok(dcql_query),
        }
    };
    if claims.is_empty() || claims.iter().any(|c| c.is_empty() || c.len() > 64) {
        return Err(OAuthError::invalid_request(
            "claims must be a non-empty list of claim names",
        ));
    }
    let names: Vec<&str> = claims.iter().map(String::as_str).collect();
    match format.as_deref() {
        None | Some(credence_core::LDP_VC) => Ok(credence_core::agent_credential_query(&names)),
        Some(credence_core::DC_SD_JWT) => Ok(credence_core::agent_sd_jwt_query(&names)),
        Some(other) => Err(OAuthError::invalid_request(format!(
            "format {other:?}: ldp_vc or dc+sd-jwt"
        ))),
    }
}

async fn create_request(State(s): State<Shared>, body: Bytes) -> Result<Response, OAuthError> {
    let query = requested_query(&s, &body)?;
    let request = s.verifier.create_request_for(query).await?;
    tracing::info!(nonce_prefix = %&request.nonce[..8], "presentation request issued");
    Ok((StatusCode::CREATED, Json(request)).into_response())
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    subject_token: Option<String>,
    subject_token_type: Option<String>,
    audience: Option<String>,
    resource: Option<String>,
    scope: Option<String>,
    /// Per-step exchanges: the digest of the approved plan step's request.
    credence_step_digest: Option<String>,
}

pub(crate) fn no_store(body: Value) -> Response {
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

async fn token(
    State(s): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(req) = form.map_err(form_rejection)?;
    let correlation = uuid::Uuid::new_v4();
    let span = tracing::info_span!("token_exchange", %correlation);
    let _enter = span.enter();
    if req.grant_type != TOKEN_EXCHANGE_GRANT {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "unsupported_grant_type",
            format!("grant_type must be {TOKEN_EXCHANGE_GRANT}"),
        ));
    }
    if req.subject_token_type.as_deref() == Some(ACCESS_TOKEN_TYPE) {
        return step_token(&s, &headers, req).await;
    }
    if req.subject_token_type.as_deref() == Some(RESPONSE_CODE_TOKEN_TYPE) {
        return response_code_token(&s, &headers, req).await;
    }
    let sd_jwt = req.subject_token_type.as_deref() == Some(SD_JWT_TOKEN_TYPE);
    if !sd_jwt && req.subject_token_type.as_deref() != Some(VP_TOKEN_TYPE) {
        return Err(OAuthError::invalid_request(format!(
            "subject_token_type must be {RESPONSE_CODE_TOKEN_TYPE} (an OpenID4VP response code), {VP_TOKEN_TYPE} or {SD_JWT_TOKEN_TYPE} (a presentation) or {ACCESS_TOKEN_TYPE} (a per-step exchange)"
        )));
    }
    let subject = req
        .subject_token
        .as_deref()
        .ok_or_else(|| OAuthError::invalid_request("subject_token is required"))?;
    let scopes: Option<Vec<String>> = req
        .scope
        .map(|s| s.split_whitespace().map(str::to_owned).collect());
    let requested = requested_target(req.audience, req.resource)?;
    let verified = if sd_jwt {
        s.verifier.verify_sd_jwt_presentation(subject).await
    } else {
        let vp: Value = serde_json::from_str(subject)
            .map_err(|e| OAuthError::invalid_request(format!("subject_token is not JSON: {e}")))?;
        s.verifier.verify_presentation(&vp).await
    };
    let outcome = match verified {
        // The audience is resolved under the policy snapshot the
        // presentation was verified with, the one minting maps scopes with.
        Ok(verified) => {
            let audience = resolve_audience(requested, verified.policy())?;
            s.tokens
                .mint_narrowed(verified, &audience, scopes.as_deref())
                .await
        }
        Err(e) => Err(e),
    };
    token_response(outcome)
}

/// The target the client asked for: RFC 8693 `audience` or RFC 8707
/// `resource` (what MCP clients send: the server's canonical URI). One
/// token has one audience, so two different targets are refused, and a
/// `resource` must be an absolute URI without a fragment (RFC 8707 §2).
fn requested_target(
    audience: Option<String>,
    resource: Option<String>,
) -> Result<Option<String>, OAuthError> {
    let invalid = |d: String| {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "invalid_target",
            d,
        )
    };
    if let Some(r) = &resource {
        let parsed = url::Url::parse(r)
            .map_err(|e| invalid(format!("resource {r} is not an absolute URI: {e}")))?;
        if parsed.fragment().is_some() {
            return Err(invalid(format!("resource {r} has a fragment")));
        }
    }
    match (audience, resource) {
        (Some(a), Some(r)) if a != r => Err(invalid(format!(
            "audience {a} and resource {r} differ: a token has one audience"
        ))),
        (a, r) => Ok(a.or(r)),
    }
}

/// The audience the token is for: the one asked for, or the policy's only
/// one; it must be an audience some rule serves.
fn resolve_audience(
    requested: Option<String>,
    policy: &credence_verify::TrustPolicy,
) -> Result<String, OAuthError> {
    let audience = match requested {
        Some(a) => a,
        None => match policy.audiences().as_slice() {
            [only] => (*only).to_owned(),
            _ => {
                return Err(OAuthError::invalid_request(
                    "audience is required (the policy serves several)",
                ))
            }
        },
    };
    if !policy.audiences().contains(&audience.as_str()) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "unknown_audience",
            format!("no policy rule serves audience {audience}"),
        ));
    }
    Ok(audience)
}

fn token_response(
    outcome: Result<credence_verify::IssuedToken, credence_verify::VerifyError>,
) -> Result<Response, OAuthError> {
    match outcome {
        Ok(issued) => {
            tracing::info!(
                decision = "allow",
                sub = %issued.claims.sub,
                aud = %issued.claims.aud,
                scope = %issued.claims.scope,
                jti = %issued.claims.jti,
                single_use = issued.claims.single_use,
                "token minted"
            );
            let mut response = no_store(json!({
                "access_token": issued.token,
                "issued_token_type": ACCESS_TOKEN_TYPE,
                "token_type": "DPoP",
                "expires_in": issued.claims.exp - issued.claims.iat,
                "scope": issued.claims.scope,
            }));
            response
                .extensions_mut()
                .insert(crate::ops::Outcome("allow"));
            Ok(response)
        }
        Err(e) => {
            tracing::warn!(decision = "deny", reason = e.code(), detail = %e, "token exchange refused");
            Err(e.into())
        }
    }
}

/// RFC 8693 with an OpenID4VP response code as subject: the token for the
/// presentation the code stands for, to the holder proving its key with a
/// DPoP proof for `POST {verifier}/token`.
async fn response_code_token(
    s: &VerifierService,
    headers: &HeaderMap,
    req: TokenRequest,
) -> Result<Response, OAuthError> {
    let code = req
        .subject_token
        .as_deref()
        .ok_or_else(|| OAuthError::invalid_request("subject_token is required"))?;
    let url = format!("{}/token", s.verifier.id().trim_end_matches('/'));
    let dpop = headers.get("dpop").and_then(|v| v.to_str().ok());
    let scopes: Option<Vec<String>> = req
        .scope
        .map(|s| s.split_whitespace().map(str::to_owned).collect());
    let requested = requested_target(req.audience, req.resource)?;
    // Checked first under the policy in force, so that a mistyped
    // audience does not use the code up; then under the verified one's.
    resolve_audience(requested.clone(), &s.verifier.policy())?;
    let verified = s
        .tokens
        .redeem_response_code(&s.openid4vp.codes, s.verifier.policy(), code, dpop, &url)
        .await
        .inspect_err(|e| {
            tracing::warn!(decision = "deny", reason = e.code(), detail = %e, "response code refused");
        })?;
    let audience = resolve_audience(requested, verified.policy())?;
    token_response(
        s.tokens
            .mint_narrowed(verified, &audience, scopes.as_deref())
            .await,
    )
}

/// RFC 8693 with an access token as subject: a per-step token. The
/// client proves possession of the token's key with a DPoP proof for
/// `POST {verifier}/token`.
async fn step_token(
    s: &VerifierService,
    headers: &HeaderMap,
    req: TokenRequest,
) -> Result<Response, OAuthError> {
    let subject = req
        .subject_token
        .as_deref()
        .ok_or_else(|| OAuthError::invalid_request("subject_token is required"))?;
    let scope = req
        .scope
        .as_deref()
        .ok_or_else(|| OAuthError::invalid_request("scope is required: one scope per step"))?;
    let url = format!("{}/token", s.verifier.id().trim_end_matches('/'));
    let dpop = headers.get("dpop").and_then(|v| v.to_str().ok());
    let requested = requested_target(req.audience, req.resource)?;
    let outcome = s
        .tokens
        .exchange_step(StepRequest {
            subject_token: subject,
            dpop,
            method: "POST",
            url: &url,
            scope,
            audience: requested.as_deref(),
            step: req.credence_step_digest.as_deref(),
        })
        .await;
    token_response(outcome)
}

async fn jwks(State(s): State<Shared>) -> Json<Value> {
    Json(s.tokens.jwks())
}

/// RFC 8414 authorization server metadata: `issuer` is the verifier's id
/// (the URL clients use, and the tokens' `iss`), its endpoints under it,
/// token exchange as the grant, the scopes the trust policy can grant
/// (as it is now: the policy reloads), the DPoP algorithms accepted, and the
/// verifier's OpenID4VP `vp_formats_supported`; Credence's presentation
/// endpoint and subject token types beside them.
async fn authorization_server_metadata(State(s): State<Shared>) -> Json<Value> {
    let issuer = s.verifier.id().trim_end_matches('/');
    Json(json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "grant_types_supported": [TOKEN_EXCHANGE_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "dpop_signing_alg_values_supported": ["EdDSA", "ES256"],
        "response_types_supported": [],
        "scopes_supported": s.verifier.policy().scopes(),
        "credence_presentation_request_endpoint": format!("{issuer}/presentation-requests"),
        "credence_openid4vp_request_endpoint": format!("{issuer}{}", oid4vp::REQUEST_PATH),
        "credence_openid4vp_response_endpoint": format!("{issuer}{}", oid4vp::RESPONSE_PATH),
        "credence_openid4vp_client_id": s.openid4vp.signer.client_id(),
        "credence_subject_token_types_supported": [RESPONSE_CODE_TOKEN_TYPE, VP_TOKEN_TYPE, SD_JWT_TOKEN_TYPE, ACCESS_TOKEN_TYPE],
        "vp_formats_supported": oid4vp::vp_formats_supported(),
    }))
}

/// The token service's router, with [`MAX_BODY_BYTES`] on every body,
/// and the operational endpoints and layers of [`crate::ops`] with their
/// defaults (see [`crate::ops::verifier_app`] to set them).
pub fn verifier_router(service: VerifierService) -> Router {
    crate::ops::verifier_app(service, crate::ops::ServeOptions::default())
}

/// The token service's own routes.
pub(crate) fn verifier_routes(service: Shared) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/presentation-requests", post(create_request))
        .route("/token", post(token))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/.well-known/oauth-authorization-server",
            get(authorization_server_metadata),
        )
        .route("/introspect", post(introspection_api::introspect))
        .route("/revoke", post(introspection_api::revoke))
        .route(oid4vp::REQUEST_PATH, post(oid4vp::create))
        .route(
            &format!("{}/{{state}}", oid4vp::REQUEST_PATH),
            get(oid4vp::get_request).post(oid4vp::post_request),
        )
        .route(oid4vp::RESPONSE_PATH, post(oid4vp::direct_post))
        .route(oid4vp::COMPLETE_PATH, get(oid4vp::complete))
        .route("/.well-known/did.json", get(oid4vp::did_document))
        .fallback(|| async { OAuthError::no_such_route() })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(service)
}

/// Serves the token service on `listener` until `shutdown` completes.
pub async fn serve_verifier(
    listener: tokio::net::TcpListener,
    service: VerifierService,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, verifier_router(service))
        .with_graceful_shutdown(shutdown)
        .await
}
