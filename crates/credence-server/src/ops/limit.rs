//! Backpressure: at most N requests in flight; the next is answered at
//! once with 503 `temporarily_unavailable` and `Retry-After: 1` (load
//! shedding, never an unbounded queue). A request's body is read — within
//! the body timeout and [`crate::verifier_api::MAX_BODY_BYTES`] — before
//! it takes a place, so clients trickling bodies cannot hold the places.

use super::VerifierMetrics;
use crate::oauth::OAuthError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub(crate) struct Limit {
    permits: Arc<Semaphore>,
    metrics: Arc<VerifierMetrics>,
    body_timeout: Duration,
}

impl Limit {
    pub fn new(max: usize, body_timeout: Duration, metrics: Arc<VerifierMetrics>) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max.max(1))),
            metrics,
            body_timeout,
        }
    }
}

pub(crate) async fn limit(State(limit): State<Limit>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let max = crate::verifier_api::MAX_BODY_BYTES;
    let read = axum::body::to_bytes(body, max);
    let body = match tokio::time::timeout(limit.body_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            return OAuthError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "too_large",
                format!("the body is larger than {max} bytes"),
            )
            .into_response()
        }
        Err(_) => {
            return OAuthError::new(
                StatusCode::REQUEST_TIMEOUT,
                "invalid_request",
                "body_timeout",
                "the request body did not arrive in time",
            )
            .into_response()
        }
    };
    let request = Request::from_parts(parts, Body::from(body));
    let Ok(_permit) = limit.permits.clone().try_acquire_owned() else {
        limit.metrics.shed();
        return OAuthError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "overloaded",
            "too many requests in flight; retry shortly",
        )
        .into_response();
    };
    next.run(request).await
}
