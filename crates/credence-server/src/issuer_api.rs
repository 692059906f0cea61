//! The issuer service: an organization's did:web document, its status
//! lists, and an admin API (bearer secret) to issue, revoke and suspend.

use crate::oauth::OAuthError;
use crate::ApiToken;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use credence_core::AgentProfile;
use credence_issuer::{Authority, IssueError};
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

/// Every route as `(method, path)`.
pub const ISSUER_ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/.well-known/did.json"),
    ("get", "/status/{purpose}"),
    ("post", "/admin/credentials"),
    ("post", "/admin/status"),
    ("post", "/admin/status-assignments"),
    ("post", "/admin/delegations"),
];

struct IssuerState {
    authority: Authority,
    admin: ApiToken,
}

type Shared = Arc<IssuerState>;

fn issue_error(e: IssueError) -> OAuthError {
    match e {
        IssueError::UnknownIndex(_) => {
            OAuthError::new(StatusCode::NOT_FOUND, "invalid_request", "unknown_index", e)
        }
        IssueError::InvalidSubject(_) | IssueError::InvalidValidity { .. } => {
            OAuthError::invalid_request(e)
        }
        other => {
            tracing::error!(error = %other, "issuer failure");
            OAuthError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "issuer_error",
                other,
            )
        }
    }
}

fn check_admin(state: &IssuerState, headers: &HeaderMap) -> Result<(), OAuthError> {
    if crate::api_token::bearer(headers).is_some_and(|p| state.admin.matches(p)) {
        Ok(())
    } else {
        Err(OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unauthorized",
            "the admin API needs the issuer's bearer secret",
        ))
    }
}

async fn did_document(State(s): State<Shared>) -> Result<Response, OAuthError> {
    let doc = s
        .authority
        .issuer()
        .did_document()
        .ok_or_else(|| issue_error(IssueError::NoStatusKey))?;
    let mut response = Json(doc).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/did+json"),
    );
    Ok(response)
}

async fn status_list(
    State(s): State<Shared>,
    Path(purpose): Path<String>,
) -> Result<Response, OAuthError> {
    if purpose == "token" {
        return status_list_token(&s);
    }
    if !credence_issuer::STATUS_PURPOSES.contains(&purpose.as_str()) {
        return Err(OAuthError::new(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "not_found",
            "no such status list",
        ));
    }
    let list = s
        .authority
        .status_list(&purpose)
        .await
        .map_err(issue_error)?;
    let mut response = Json(list).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=30"),
    );
    Ok(response)
}

/// The IETF Token Status List of SD-JWT VCs (`/status/token`), from the
/// same registry as the Bitstring lists.
fn status_list_token(s: &IssuerState) -> Result<Response, OAuthError> {
    let token = s.authority.status_list_token().map_err(issue_error)?;
    let mut response = token.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/statuslist+jwt"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=30"),
    );
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueBody {
    subject: String,
    profile: AgentProfile,
    #[serde(default = "default_days")]
    valid_days: i64,
    /// `ldp_vc` (default: a bbs-2023 W3C VC) or `dc+sd-jwt` (an SD-JWT VC).
    #[serde(default)]
    format: Option<String>,
    /// For `dc+sd-jwt`: `EdDSA` (default) or `ES256`.
    #[serde(default)]
    alg: Option<String>,
}

fn default_days() -> i64 {
    30
}

async fn issue(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Result<Json<IssueBody>, JsonRejection>,
) -> Result<Response, OAuthError> {
    check_admin(&s, &headers)?;
    let Json(body) = body.map_err(|e| OAuthError::invalid_request(e.body_text()))?;
    if !(1..=3650).contains(&body.valid_days) {
        return Err(OAuthError::invalid_request("valid_days must be 1..=3650"));
    }
    let now = Utc::now();
    match body.format.as_deref() {
        None | Some(credence_core::LDP_VC) => {}
        Some(credence_core::DC_SD_JWT) => {
            let alg = match body.alg.as_deref() {
                None | Some("EdDSA") => ssi::jwk::Algorithm::EdDSA,
                Some("ES256") => ssi::jwk::Algorithm::ES256,
                Some(other) => {
                    return Err(OAuthError::invalid_request(format!(
                        "alg {other:?}: EdDSA or ES256"
                    )))
                }
            };
            let validity = (now, now + Duration::days(body.valid_days));
            let (credential, status) = s
                .authority
                .issue_sd_jwt(alg, &body.subject, &body.profile, validity)
                .await
                .map_err(issue_error)?;
            tracing::info!(subject = %body.subject, status_index = status.index, "SD-JWT VC issued");
            let body = json!({"credential": credential, "format": "dc+sd-jwt", "status_index": status.index});
            return Ok((StatusCode::CREATED, Json(body)).into_response());
        }
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "format {other:?}: ldp_vc or dc+sd-jwt"
            )))
        }
    }
    let (credential, status) = s
        .authority
        .issue(
            &body.subject,
            &body.profile,
            now,
            now + Duration::days(body.valid_days),
        )
        .await
        .map_err(issue_error)?;
    tracing::info!(subject = %body.subject, status_index = status.index, "credential issued");
    Ok((
        StatusCode::CREATED,
        Json(json!({"credential": credential, "status_index": status.index})),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    index: usize,
    purpose: String,
    set: bool,
}

async fn set_status(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Result<Json<StatusBody>, JsonRejection>,
) -> Result<Json<Value>, OAuthError> {
    check_admin(&s, &headers)?;
    let Json(body) = body.map_err(|e| OAuthError::invalid_request(e.body_text()))?;
    if !credence_issuer::STATUS_PURPOSES.contains(&body.purpose.as_str()) {
        return Err(OAuthError::invalid_request(
            "purpose must be revocation or suspension",
        ));
    }
    let changed = s
        .authority
        .set_status(body.index, &body.purpose, body.set)
        .map_err(issue_error)?;
    tracing::info!(index = body.index, purpose = %body.purpose, set = body.set, changed, "status changed");
    Ok(Json(
        json!({"index": body.index, "purpose": body.purpose, "set": body.set, "changed": changed}),
    ))
}

/// Assigns a status index for a delegation link an agent of this org is
/// about to sign, so the org can revoke that link later.
async fn assign_status(
    State(s): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, OAuthError> {
    check_admin(&s, &headers)?;
    let assignment = s.authority.assign_status().map_err(issue_error)?;
    tracing::info!(index = assignment.index, "status index assigned");
    Ok(Json(
        json!({"index": assignment.index, "credentialStatus": assignment.entries()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DelegationBody {
    /// The agent the human delegates to.
    delegate: String,
    /// The human's DID.
    principal: String,
    capabilities: Vec<String>,
    #[serde(default)]
    audiences: Vec<String>,
    max_depth: u32,
    purpose: String,
    /// Lifetime of the link; 1..=10080 (a week).
    valid_minutes: i64,
}

/// Signs the root link of a delegation chain as the organization, on a
/// human's behalf (the admin vouches that the human authorized it); the
/// link is revocable through `/admin/status` with the returned index.
async fn delegate_on_behalf(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Result<Json<DelegationBody>, JsonRejection>,
) -> Result<Response, OAuthError> {
    check_admin(&s, &headers)?;
    let Json(body) = body.map_err(|e| OAuthError::invalid_request(e.body_text()))?;
    if !(1..=10_080).contains(&body.valid_minutes) {
        return Err(OAuthError::invalid_request(
            "valid_minutes must be 1..=10080",
        ));
    }
    if !body.delegate.starts_with("did:") || !body.principal.starts_with("did:") {
        return Err(OAuthError::invalid_request(
            "delegate and principal must be DIDs",
        ));
    }
    if body.capabilities.is_empty() {
        return Err(OAuthError::invalid_request(
            "capabilities must not be empty",
        ));
    }
    let now = Utc::now();
    let grant = credence_core::DelegationGrant {
        delegate: body.delegate,
        principal: body.principal,
        capabilities: body.capabilities,
        audiences: body.audiences,
        max_depth: body.max_depth,
        purpose: body.purpose,
        valid_from: now,
        valid_until: now + Duration::minutes(body.valid_minutes),
        status: None,
    };
    let (link, status) = s
        .authority
        .delegate_on_behalf(&grant)
        .await
        .map_err(issue_error)?;
    tracing::info!(delegate = %grant.delegate, principal = %grant.principal, status_index = status.index, "delegation signed");
    Ok((
        StatusCode::CREATED,
        Json(json!({"delegation": link, "status_index": status.index})),
    )
        .into_response())
}

/// The issuer service's router.
pub fn issuer_router(authority: Authority, admin: ApiToken) -> Router {
    Router::new()
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/.well-known/did.json", get(did_document))
        .route("/status/{purpose}", get(status_list))
        .route("/admin/credentials", post(issue))
        .route("/admin/status", post(set_status))
        .route("/admin/status-assignments", post(assign_status))
        .route("/admin/delegations", post(delegate_on_behalf))
        .fallback(|| async { OAuthError::no_such_route() })
        .layer(DefaultBodyLimit::max(crate::verifier_api::MAX_BODY_BYTES))
        .with_state(Arc::new(IssuerState { authority, admin }))
}

/// Serves the issuer on `listener` until `shutdown` completes.
pub async fn serve_issuer(
    listener: tokio::net::TcpListener,
    authority: Authority,
    admin: ApiToken,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, issuer_router(authority, admin))
        .with_graceful_shutdown(shutdown)
        .await
}
