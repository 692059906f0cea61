//! A small protected tool ("invoices") as a resource server would build
//! it: every call needs a DPoP-bound access token from the organization's
//! verifier with the right scope, checked locally with
//! [`credence_resource::ResourceGuard`] and, when configured, confirmed
//! active by the verifier's introspection endpoint (so revoked tokens stop
//! at once). Used by the two-organization demo and the tests.

use crate::oauth::OAuthError;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use credence_resource::{RequestParts, ResourceGuard, TokenError};
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

/// Where and how to ask the verifier whether a token is still active.
#[derive(Debug, Clone)]
pub struct Introspection {
    /// The verifier's `/introspect` URL.
    pub url: String,
    /// The resource servers' bearer secret.
    pub secret: String,
}

/// The tool's configuration.
pub struct ToolService {
    /// Checks tokens and DPoP proofs.
    pub guard: ResourceGuard,
    /// The tool's public origin (`http://127.0.0.1:PORT`), which DPoP
    /// proofs must name.
    pub public_url: String,
    /// Optional online check of each token.
    pub introspection: Option<Introspection>,
    /// HTTP client for introspection.
    pub client: reqwest::Client,
}

type Shared = Arc<ToolService>;

fn refused(e: TokenError) -> OAuthError {
    let (status, error) = match e {
        TokenError::InsufficientScope(_) => (StatusCode::FORBIDDEN, "insufficient_scope"),
        TokenError::StateUnavailable(_) | TokenError::AuditFailed(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
        }
        _ => (StatusCode::UNAUTHORIZED, "invalid_token"),
    };
    OAuthError::new(status, error, e.code(), e)
}

async fn authorize(
    s: &ToolService,
    call: &Parts,
    body: &[u8],
    scope: &str,
) -> Result<Value, Response> {
    let header_str = |name: &str| call.headers.get(name).and_then(|v| v.to_str().ok());
    let url = format!("{}{}", s.public_url, call.uri.path());
    let parts = RequestParts {
        authorization: header_str(header::AUTHORIZATION.as_str()),
        dpop: header_str("dpop"),
        method: call.method.as_str(),
        url: &url,
        body,
    };
    let now = chrono::Utc::now().timestamp();
    let deny = |e: TokenError| {
        tracing::warn!(decision = "deny", reason = e.code(), %url, "tool call refused");
        let mut response = refused(e).into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("DPoP algs=\"EdDSA ES256\""),
        );
        response
    };
    let claims = s.guard.check(parts, scope, now).await.map_err(deny)?;
    if let (Some(intro), Some(token)) = (&s.introspection, parts.authorization) {
        let token = token.split_once(' ').map_or(token, |(_, t)| t);
        let active = s
            .client
            .post(&intro.url)
            .bearer_auth(&intro.secret)
            .form(&[("token", token)])
            .send()
            .await
            .ok()
            .filter(|r| r.status().is_success());
        let active = match active {
            Some(r) => r
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| v.get("active").and_then(Value::as_bool))
                .unwrap_or(false),
            None => false,
        };
        if !active {
            return Err(deny(TokenError::Inactive));
        }
    }
    tracing::info!(decision = "allow", sub = %claims.sub, scope, "tool call");
    Ok(json!({"sub": claims.sub, "act": claims.act, "scope": claims.scope}))
}

async fn list_invoices(State(s): State<Shared>, call: Parts) -> Response {
    let body: &[u8] = &[];
    match authorize(&s, &call, body, "invoices:read").await {
        Ok(caller) => Json(json!({
            "caller": caller,
            "invoices": [
                {"id": "INV-1001", "amount": "1200.00", "currency": "EUR", "status": "open"},
                {"id": "INV-1002", "amount": "310.50", "currency": "EUR", "status": "paid"},
            ]
        }))
        .into_response(),
        Err(r) => r,
    }
}

async fn pay_invoice(State(s): State<Shared>, call: Parts, body: Bytes) -> Response {
    let body: &[u8] = &body;
    match authorize(&s, &call, body, "invoices:write").await {
        Ok(caller) => Json(json!({"caller": caller, "paid": true})).into_response(),
        Err(r) => r,
    }
}

/// The tool's router: `GET /invoices` (scope `invoices:read`) and
/// `POST /invoices` (scope `invoices:write`).
pub fn tool_router(service: ToolService) -> Router {
    Router::new()
        .route("/invoices", get(list_invoices).post(pay_invoice))
        .layer(DefaultBodyLimit::max(crate::verifier_api::MAX_BODY_BYTES))
        .with_state(Arc::new(service))
}

/// Serves the tool on `listener` until `shutdown` completes.
pub async fn serve_tool(
    listener: tokio::net::TcpListener,
    service: ToolService,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, tool_router(service))
        .with_graceful_shutdown(shutdown)
        .await
}
