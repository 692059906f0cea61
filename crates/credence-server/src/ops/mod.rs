//! Running the token service as one of several replicas: `/healthz`
//! (the process answers), `/readyz` (its state backend answers),
//! Prometheus `/metrics`, a request id on every request (`x-request-id`,
//! the logs' span and the audit entries' `request_id`), and a concurrency
//! limit that answers 503 with `Retry-After` instead of queueing without
//! bound.

mod health;
mod limit;
pub(crate) mod metrics;
mod request_id;

pub use metrics::{Outcome, VerifierMetrics};
pub use request_id::{RequestId, RequestIdSink};

use crate::verifier_api::{verifier_routes, VerifierService};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Requests handled at once; beyond, 503 `temporarily_unavailable`
    /// with `Retry-After: 1`. The operational endpoints are not counted.
    pub max_concurrency: usize,
    /// Where the request counts, decisions and latencies go.
    pub metrics: Arc<VerifierMetrics>,
    /// The longest a client may take to send its body (408 beyond): read
    /// before the request takes a place under the limit.
    pub body_timeout: std::time::Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            max_concurrency: 256,
            metrics: Arc::new(VerifierMetrics::default()),
            body_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// The token service's router with the operational endpoints and layers.
pub fn verifier_app(service: VerifierService, options: ServeOptions) -> Router {
    let state = service.verifier.state().clone();
    let service = Arc::new(service);
    // The limit answers before any work; the metrics see every request
    // that matched a route, shed ones included.
    let limited = verifier_routes(service)
        .layer(middleware::from_fn_with_state(
            limit::Limit::new(
                options.max_concurrency,
                options.body_timeout,
                options.metrics.clone(),
            ),
            limit::limit,
        ))
        .route_layer(middleware::from_fn_with_state(
            options.metrics.clone(),
            metrics::observe,
        ));
    let ops = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz).with_state(state))
        .route("/metrics", get(metrics::render).with_state(options.metrics));
    ops.merge(limited)
        .layer(middleware::from_fn(request_id::request_id))
}
