//! OAuth error responses (RFC 6749 §5.2 shape) carrying Credence's typed
//! rejection reason.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An OAuth error: `{"error", "error_description", "credence_reason"}`.
#[derive(Debug)]
pub struct OAuthError {
    /// HTTP status.
    pub status: StatusCode,
    /// The OAuth error code (`invalid_request`, `invalid_grant`, …).
    pub error: &'static str,
    /// Credence's reason code (e.g. `revoked`, `replay`).
    pub reason: &'static str,
    /// Human-readable description.
    pub description: String,
}

impl OAuthError {
    /// An error with status, OAuth code, reason code and description.
    pub fn new(
        status: StatusCode,
        error: &'static str,
        reason: &'static str,
        description: impl ToString,
    ) -> Self {
        Self {
            status,
            error,
            reason,
            description: description.to_string(),
        }
    }

    /// `400 invalid_request`.
    pub fn invalid_request(description: impl ToString) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "invalid_request",
            description,
        )
    }

    /// `503 temporarily_unavailable` (with `Retry-After`): the verifier
    /// state could not be read or written, so nothing was decided.
    pub fn unavailable(e: &credence_core::StateError) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            e.code(),
            e,
        )
    }

    /// `404 invalid_request` for a route the service does not have.
    pub fn no_such_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "not_found",
            "no such route",
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({
                "error": self.error,
                "error_description": format!("{}: {}", self.reason, self.description),
                "credence_reason": self.reason,
            })),
        )
            .into_response();
        response
            .extensions_mut()
            .insert(crate::ops::metrics::Outcome(self.reason));
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"credence\""),
            );
        }
        response
    }
}

impl From<credence_verify::VerifyError> for OAuthError {
    fn from(e: credence_verify::VerifyError) -> Self {
        use credence_core::TokenError as T;
        use credence_verify::{DelegationError as D, MintError as M, VerifyError as V};
        let (status, error) = match &e {
            V::Mint(M::NoScopeMapped(_)) => (StatusCode::BAD_REQUEST, "invalid_target"),
            V::Mint(M::ScopeNotGranted(_)) => (StatusCode::BAD_REQUEST, "invalid_scope"),
            V::Delegation(D::AudienceNotDelegated(_)) => {
                (StatusCode::BAD_REQUEST, "invalid_target")
            }
            V::Mint(M::SubjectToken(
                T::DpopMissing | T::DpopInvalid(_) | T::DpopReplay | T::DpopKeyMismatch,
            )) => (StatusCode::BAD_REQUEST, "invalid_dpop_proof"),
            V::Parse(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            V::State(_) => (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
            V::Mint(M::Signing(_)) | V::AuditFailed(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "server_error")
            }
            _ => (StatusCode::BAD_REQUEST, "invalid_grant"),
        };
        Self::new(status, error, e.code(), e)
    }
}

impl From<credence_verify::openid4vp::TransactionError> for OAuthError {
    fn from(e: credence_verify::openid4vp::TransactionError) -> Self {
        match &e {
            credence_verify::openid4vp::TransactionError::State(state) => Self::unavailable(state),
            _ => Self::invalid_request(e),
        }
    }
}

/// The form body axum could not read, as an OAuth error.
pub fn form_rejection(e: axum::extract::rejection::FormRejection) -> OAuthError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return OAuthError::new(status, "invalid_request", "too_large", e.body_text());
    }
    OAuthError::invalid_request(e.body_text())
}
