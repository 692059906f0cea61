//! The tower layer: every request to the protected MCP endpoint is
//! authorized (token, DPoP, the tool's scope) and audited before the MCP
//! service sees it; refusals never reach it.

use super::{
    challenge_headers, metadata_url, Challenge, McpMessage, McpProtection, VerifiedCaller,
    OPEN_METHODS,
};
use crate::{Operation, RequestParts, TokenError};
use axum::body::{to_bytes, Body, Bytes};
use axum::http::{header, HeaderValue, Method, Request, Response, StatusCode};
use serde_json::json;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The streamable-HTTP session header.
const SESSION_ID: &str = "mcp-session-id";

/// Wraps an MCP service (e.g. rmcp's `StreamableHttpService`) with
/// [`McpProtection`].
#[derive(Debug, Clone)]
pub struct McpAuthLayer {
    protection: McpProtection,
}

impl McpProtection {
    /// The layer enforcing this protection.
    pub fn layer(&self) -> McpAuthLayer {
        McpAuthLayer {
            protection: self.clone(),
        }
    }
}

impl<S> Layer<S> for McpAuthLayer {
    type Service = McpAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        McpAuthService {
            protection: self.protection.clone(),
            inner,
        }
    }
}

/// The service [`McpAuthLayer`] makes.
#[derive(Debug, Clone)]
pub struct McpAuthService<S> {
    protection: McpProtection,
    inner: S,
}

impl<S, B> Service<Request<Body>> for McpAuthService<S>
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The clone takes the place of the service that was polled ready.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let protection = self.protection.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let Ok(body) = to_bytes(body, protection.max_body).await else {
                return Ok(plain_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "invalid_request",
                    "too_large",
                    "request body too large",
                ));
            };
            let caller = match authorize(&protection, &parts, &body).await {
                Ok(caller) => caller,
                Err(refusal) => return Ok(*refusal),
            };
            let jkt = caller.claims.cnf.jkt.clone();
            let session = parts
                .headers
                .get(SESSION_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if let Some(session) = &session {
                if !protection.sessions.allows(session, &jkt) {
                    return Ok(plain_error(
                        StatusCode::FORBIDDEN,
                        "access_denied",
                        "foreign_session",
                        "this MCP session was opened with another key",
                    ));
                }
            }
            parts.extensions.insert(caller);
            let response = inner
                .call(Request::from_parts(parts, Body::from(body)))
                .await?;
            if let Some(opened) = response
                .headers()
                .get(SESSION_ID)
                .and_then(|v| v.to_str().ok())
            {
                protection.sessions.record(opened, &jkt);
            }
            Ok(response.map(Body::new))
        })
    }
}

/// The operation a request is, and the scope it needs.
fn operation_of<'p>(
    protection: &'p McpProtection,
    method: &Method,
    body: &[u8],
) -> Result<Operation<'p>, Box<Response<Body>>> {
    let base = protection.base_scope.as_deref();
    if method != Method::POST {
        return Ok(Operation {
            action: "mcp_request",
            description: format!("{method} {}", protection.resource),
            scope: base,
        });
    }
    let message = McpMessage::parse(body).map_err(|e| {
        Box::new(plain_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "malformed",
            &e.to_string(),
        ))
    })?;
    Ok(match message {
        // A tool or method no scope offers still goes through the token
        // check (so an unauthenticated caller cannot tell which exist, and
        // the refusal is audited), with a scope no token carries.
        McpMessage::ToolCall { tool } => Operation {
            action: "mcp_tool_call",
            scope: Some(protection.scope_for_tool(&tool).unwrap_or(UNOFFERED)),
            description: format!("tools/call {}", printable(&tool)),
        },
        McpMessage::Other { method } => {
            let open =
                OPEN_METHODS.contains(&method.as_str()) || method.starts_with("notifications/");
            let scope = match protection.scope_for_method(&method) {
                Some(scope) => Some(scope),
                None if open => base,
                None => Some(UNOFFERED),
            };
            Operation {
                action: "mcp_request",
                description: printable(&method),
                scope,
            }
        }
        McpMessage::Response => Operation {
            action: "mcp_request",
            description: "response to the server".into(),
            scope: base,
        },
    })
}

/// The scope of what no scope offers: no token can carry an empty scope.
const UNOFFERED: &str = "";

/// A caller-chosen name as it goes into the audit log: at most 64
/// printable ASCII characters, so a request cannot write a megabyte, or
/// text that reads like another entry, into the log.
fn printable(name: &str) -> String {
    let clean: String = name
        .chars()
        .take(64)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if name.chars().count() > 64 {
        format!("{clean}…")
    } else {
        clean
    }
}

async fn authorize(
    protection: &McpProtection,
    parts: &axum::http::request::Parts,
    body: &[u8],
) -> Result<VerifiedCaller, Box<Response<Body>>> {
    let operation = operation_of(protection, &parts.method, body)?;
    let header_text =
        |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let authorization = header_text(header::AUTHORIZATION);
    let request = RequestParts {
        authorization,
        dpop: header_text(header::HeaderName::from_static("dpop")),
        method: parts.method.as_str(),
        url: &protection.resource,
        body,
    };
    let now = protection.clock.now().timestamp();
    let needed = operation.scope.filter(|s| !s.is_empty());
    let scope = match (protection.base_scope.as_deref(), needed) {
        (Some(base), Some(s)) if base != s => Some(format!("{base} {s}")),
        (_, s) => s.map(str::to_owned),
    };
    match protection
        .guard
        .check_operation(request, &operation, now)
        .await
    {
        Ok(claims) => Ok(VerifiedCaller { claims }),
        Err(e) => Err(Box::new(refusal(
            protection,
            authorization.is_none(),
            &e,
            scope.as_deref(),
        ))),
    }
}

fn refusal(
    protection: &McpProtection,
    no_token: bool,
    error: &TokenError,
    scope: Option<&str>,
) -> Response<Body> {
    let description = format!("{}: {error}", error.code());
    let kind = match error {
        _ if no_token => Challenge::NoToken,
        TokenError::InsufficientScope(s) if s.is_empty() => Challenge::InsufficientScope(
            "insufficient_scope: no scope of this resource offers that tool or method".into(),
        ),
        TokenError::InsufficientScope(_) => Challenge::InsufficientScope(description),
        TokenError::DpopMissing
        | TokenError::DpopInvalid(_)
        | TokenError::DpopReplay
        | TokenError::DpopKeyMismatch => Challenge::InvalidDpopProof(description),
        TokenError::AuditFailed(_) | TokenError::StateUnavailable(_) => {
            return plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                error.code(),
                &error.to_string(),
            )
        }
        _ => Challenge::InvalidToken(description),
    };
    let mut response = challenge(protection, &kind, scope);
    if let Some(reason) = HeaderValue::from_str(error.code())
        .ok()
        .filter(|_| !no_token)
    {
        response.headers_mut().insert("credence-reason", reason);
    }
    response
}

fn challenge(protection: &McpProtection, kind: &Challenge, scope: Option<&str>) -> Response<Body> {
    let status = match kind {
        Challenge::InsufficientScope(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNAUTHORIZED,
    };
    let description = match kind {
        Challenge::NoToken => "an access token for this resource is required".to_owned(),
        Challenge::InvalidToken(d)
        | Challenge::InvalidDpopProof(d)
        | Challenge::InsufficientScope(d) => d.clone(),
    };
    let mut response = plain_error(
        status,
        kind.error().unwrap_or("invalid_token"),
        kind.error().unwrap_or("no_token"),
        &description,
    );
    let url = metadata_url(&protection.resource);
    for value in challenge_headers(kind, &url, scope) {
        response
            .headers_mut()
            .append(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn plain_error(status: StatusCode, error: &str, reason: &str, description: &str) -> Response<Body> {
    let body = json!({
        "error": error,
        "error_description": description,
        "credence_reason": reason,
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
