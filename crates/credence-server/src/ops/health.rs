//! Liveness and readiness: `/healthz` answers while the process serves;
//! `/readyz` only while the state backend answers (a load balancer sends
//! no traffic to a replica that would refuse every decision).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use credence_core::VerifierState;
use serde_json::json;
use std::sync::Arc;

pub(crate) async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

pub(crate) async fn readyz(State(state): State<Arc<dyn VerifierState>>) -> Response {
    match state.ping().await {
        Ok(()) => Json(json!({"status": "ready", "state": state.describe()})).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({"status": "not_ready", "state": state.describe(), "reason": e.to_string()}),
            ),
        )
            .into_response(),
    }
}
