//! The wallet API: routes, authentication, error mapping.

use crate::ApiToken;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use credence_core::PresentationRequest;
use credence_wallet::{CredentialFilter, ImportError, PresentError, Wallet, WalletError};
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

/// Every route as `(method, path)`, in the OpenAPI document's notation.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/health"),
    ("get", "/v1/identity"),
    ("get", "/v1/credentials"),
    ("post", "/v1/credentials"),
    ("get", "/v1/credentials/{id}"),
    ("post", "/v1/presentations"),
    ("post", "/v1/presentations/plan"),
    ("post", "/v1/dpop"),
    ("post", "/v1/openid4vp/plan"),
    ("post", "/v1/openid4vp/respond"),
];

pub(crate) struct AppState {
    pub(crate) wallet: Wallet,
    token: ApiToken,
}

pub(crate) type Shared = Arc<AppState>;

/// An error response: `{"error": code, "message": text}`.
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl ToString) -> Self {
        Self {
            status,
            code,
            message: message.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"error": self.code, "message": self.message})),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"credence-wallet\""),
            );
        }
        response
    }
}

impl From<WalletError> for ApiError {
    fn from(e: WalletError) -> Self {
        match e {
            WalletError::NoSuchCredential(_) => Self::new(StatusCode::NOT_FOUND, "not_found", e),
            other => {
                tracing::error!(error = %other, "wallet failure");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "wallet_error", other)
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text())
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        let e = match e {
            ImportError::Wallet(w) => return w.into(),
            refused => refused,
        };
        let code = match &e {
            ImportError::Malformed(_) => "malformed",
            ImportError::WrongSubject { .. } => "wrong_subject",
            ImportError::Expired(_) => "expired",
            ImportError::UnsupportedProof(_) => "unsupported_proof",
            ImportError::IssuerKey(_) => "issuer_key",
            ImportError::Forged(_) => "forged",
            _ => "refused",
        };
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, e)
    }
}

impl From<PresentError> for ApiError {
    fn from(e: PresentError) -> Self {
        match e {
            PresentError::PolicyDenied { .. } => {
                Self::new(StatusCode::FORBIDDEN, "policy_denied", e)
            }
            PresentError::NoMatchingCredential => {
                Self::new(StatusCode::NOT_FOUND, "no_matching_credential", e)
            }
            PresentError::MissingClaim(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "missing_claim", e)
            }
            PresentError::RequestExpired(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "request_expired", e)
            }
            PresentError::InvalidQuery(_) => Self::new(StatusCode::BAD_REQUEST, "invalid_query", e),
            PresentError::ValueNotAccepted(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "value_not_accepted", e)
            }
            PresentError::NoDistinctCredential(_) => {
                Self::new(StatusCode::NOT_FOUND, "no_distinct_credential", e)
            }
            PresentError::Wallet(w) => w.into(),
            other => Self::new(StatusCode::INTERNAL_SERVER_ERROR, "present_failed", other),
        }
    }
}

async fn require_bearer(State(state): State<Shared>, request: Request, next: Next) -> Response {
    match crate::api_token::bearer(request.headers()) {
        Some(secret) if state.token.matches(secret) => next.run(request).await,
        Some(_) => {
            tracing::warn!(path = %request.uri().path(), "wrong bearer secret");
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong bearer secret").into_response()
        }
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing `Authorization: Bearer <secret>` (the secret is in the wallet's api-token file)",
        )
        .into_response(),
    }
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn identity(State(state): State<Shared>) -> Result<Json<Value>, ApiError> {
    let w = &state.wallet;
    Ok(Json(json!({
        "did": w.did(),
        "verification_method": w.verification_method(),
        "did_document": w.did_document().await?,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(rename = "type")]
    credential_type: Option<String>,
    issuer: Option<String>,
    expiring_before: Option<DateTime<Utc>>,
}

async fn list(
    State(state): State<Shared>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) =
        query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let filter = CredentialFilter {
        credential_type: q.credential_type,
        issuer: q.issuer,
        expiring_before: q.expiring_before,
    };
    Ok(Json(json!({ "credentials": state.wallet.list(&filter)? })))
}

async fn show(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.wallet.show(&id)?))
}

async fn receive(
    State(state): State<Shared>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(credential) = body?;
    // A JSON string is an SD-JWT VC (compact); an object a W3C VC.
    let imported = match &credential {
        Value::String(sd_jwt) => state.wallet.import_sd_jwt(sd_jwt).await?,
        _ => state.wallet.import(&credential).await?,
    };
    tracing::info!(id = %imported.summary.id, issuer = %imported.summary.issuer, new = imported.new, "credential received");
    let status = if imported.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!(imported))).into_response())
}

async fn present(
    State(state): State<Shared>,
    body: Result<Json<PresentationRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(request) = body?;
    // A request for an SD-JWT VC is answered with the compact SD-JWT+KB
    // (a JSON string); any other with a VP.
    let sd_jwt = request
        .dcql_query
        .credentials
        .iter()
        .any(|q| q.format == credence_core::DC_SD_JWT);
    let vp = if sd_jwt {
        Value::String(state.wallet.present_sd_jwt(&request).await?)
    } else {
        state.wallet.present(&request).await?
    };
    tracing::info!(verifier = %request.client_id, sd_jwt, "presentation signed");
    Ok(Json(vp))
}

async fn plan(
    State(state): State<Shared>,
    body: Result<Json<PresentationRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(request) = body?;
    Ok(Json(json!(state.wallet.plan(&request)?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DpopBody {
    method: String,
    url: String,
    access_token: String,
}

async fn dpop(
    State(state): State<Shared>,
    body: Result<Json<DpopBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let proof = state
        .wallet
        .dpop_proof(&body.method, &body.url, &body.access_token)?;
    Ok(Json(json!({ "proof": proof })))
}

/// The wallet API's router.
pub fn router(wallet: Wallet, token: ApiToken) -> Router {
    let state = Arc::new(AppState { wallet, token });
    let protected = Router::new()
        .route("/v1/identity", get(identity))
        .route("/v1/credentials", get(list).post(receive))
        .route("/v1/credentials/{id}", get(show))
        .route("/v1/presentations", axum::routing::post(present))
        .route("/v1/presentations/plan", axum::routing::post(plan))
        .route("/v1/dpop", axum::routing::post(dpop))
        .route(
            "/v1/openid4vp/plan",
            axum::routing::post(crate::wallet_openid4vp_api::plan),
        )
        .route(
            "/v1/openid4vp/respond",
            axum::routing::post(crate::wallet_openid4vp_api::respond),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_bearer,
        ));
    Router::new()
        .route("/v1/health", get(health))
        .merge(protected)
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .with_state(state)
}

/// Serves the wallet API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    wallet: Wallet,
    token: ApiToken,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(wallet, token))
        .with_graceful_shutdown(shutdown)
        .await
}
