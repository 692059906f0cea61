//! Backpressure: at most N requests in flight; the next is answered at
//! once with 503 `temporarily_unavailable` and `Retry-After: 1` (load
//! shedding, never an unbounded queue).

use super::VerifierMetrics;
use crate::oauth::OAuthError;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub(crate) struct Limit {
    permits: Arc<Semaphore>,
    metrics: Arc<VerifierMetrics>,
}

impl Limit {
    pub fn new(max: usize, metrics: Arc<VerifierMetrics>) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max.max(1))),
            metrics,
        }
    }
}

pub(crate) async fn limit(State(limit): State<Limit>, request: Request, next: Next) -> Response {
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
