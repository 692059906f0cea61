//! Prometheus metrics of one token service (OpenMetrics text at
//! `/metrics`): requests by route and status, decisions by reason code,
//! request latency, state-backend errors and shed requests. Each service
//! has its own registry (no process-global state).

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

/// The decision a response carries: `allow` or the refusal's reason code.
/// Handlers (and `OAuthError`) put it in the response's extensions.
#[derive(Debug, Clone, Copy)]
pub struct Outcome(pub &'static str);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteOutcome {
    route: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

type Latency = Family<Route, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms … 8 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

/// The token service's metrics.
pub struct VerifierMetrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    decisions: Family<RouteOutcome, Counter>,
    latency: Latency,
    state_errors: Counter,
    shed: Counter,
}

impl std::fmt::Debug for VerifierMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierMetrics").finish_non_exhaustive()
    }
}

impl Default for VerifierMetrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RouteStatus, Counter>::default();
        let decisions = Family::<RouteOutcome, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        let state_errors = Counter::default();
        let shed = Counter::default();
        registry.register(
            "credence_http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "credence_decisions",
            "Decisions by route and outcome (allow, or the refusal's reason code)",
            decisions.clone(),
        );
        registry.register(
            "credence_request_duration_seconds",
            "Request latency by route",
            latency.clone(),
        );
        registry.register(
            "credence_state_errors",
            "Requests refused because the state backend could not answer",
            state_errors.clone(),
        );
        registry.register(
            "credence_shed_requests",
            "Requests answered 503 by the concurrency limit",
            shed.clone(),
        );
        Self {
            registry,
            requests,
            decisions,
            latency,
            state_errors,
            shed,
        }
    }
}

impl VerifierMetrics {
    /// The metrics as OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    pub(crate) fn shed(&self) {
        self.shed.inc();
    }

    fn observe(&self, route: &str, status: u16, outcome: Option<Outcome>, secs: f64) {
        let route = route.to_owned();
        self.requests
            .get_or_create(&RouteStatus {
                route: route.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&Route {
                route: route.clone(),
            })
            .observe(secs);
        if let Some(Outcome(outcome)) = outcome {
            if matches!(outcome, "temporarily_unavailable" | "state_corrupt") {
                self.state_errors.inc();
            }
            self.decisions
                .get_or_create(&RouteOutcome {
                    route,
                    outcome: outcome.to_owned(),
                })
                .inc();
        }
    }
}

pub(crate) async fn render(State(metrics): State<Arc<VerifierMetrics>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
        .into_response()
}

pub(crate) async fn observe(
    State(metrics): State<Arc<VerifierMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let outcome = response.extensions().get::<Outcome>().copied();
    let secs = started.elapsed().as_secs_f64();
    metrics.observe(&route, response.status().as_u16(), outcome, secs);
    response
}
