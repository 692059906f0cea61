//! The wallet API's OpenID4VP routes: plan (dry run) and respond, each
//! taking the request as the wallet received it (an `openid4vp://` URL or
//! a request object), verified before anything is disclosed.

use crate::wallet_api::{ApiError, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use credence_wallet::openid4vp::{Openid4vpError, TokenTarget, VerifiedRequest};
use serde::Deserialize;
use serde_json::{json, Value};

impl From<Openid4vpError> for ApiError {
    fn from(e: Openid4vpError) -> Self {
        let e = match e {
            Openid4vpError::Present(p) => return p.into(),
            other => other,
        };
        let status = match &e {
            Openid4vpError::Invocation(_) => StatusCode::BAD_REQUEST,
            Openid4vpError::Fetch { .. }
            | Openid4vpError::Refused { .. }
            | Openid4vpError::Response(_)
            | Openid4vpError::Discovery(_) => StatusCode::BAD_GATEWAY,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, e.code(), e)
    }
}

/// `{"request": …}`, plus what `respond` exchanges the code for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Openid4vpBody {
    request: String,
    audience: Option<String>,
    scope: Option<String>,
}

fn who(request: &VerifiedRequest) -> Value {
    json!({
        "verifier": request.verifier.to_string(),
        "client_id": request.request.client_id,
        "response_uri": request.request.response_uri,
    })
}

/// `POST /v1/openid4vp/plan`: who asks and what would go to them.
pub(crate) async fn plan(
    State(state): State<Shared>,
    body: Result<Json<Openid4vpBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let request = state.wallet.open_openid4vp(&body.request).await?;
    let plan = state.wallet.plan_openid4vp(&request)?;
    let mut out = who(&request);
    out["plan"] = json!(plan);
    Ok(Json(out))
}

/// `POST /v1/openid4vp/respond`: answers by direct_post; with `audience`,
/// exchanges the response code for a DPoP-bound token.
pub(crate) async fn respond(
    State(state): State<Shared>,
    body: Result<Json<Openid4vpBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let wallet = &state.wallet;
    let request = wallet.open_openid4vp(&body.request).await?;
    let answer = wallet.respond_openid4vp(&request).await?;
    tracing::info!(verifier = %request.verifier, "OpenID4VP request answered");
    let mut out = who(&request);
    out["answer"] = json!(answer);
    if let Some(audience) = &body.audience {
        let code = answer.response_code.as_deref().ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "invalid_response",
                "the verifier returned no response_code",
            )
        })?;
        let endpoint = wallet
            .discover_token_endpoint(&request.request.response_uri)
            .await?;
        let token = wallet
            .exchange_response_code(
                &endpoint,
                code,
                TokenTarget::Audience(audience),
                body.scope.as_deref(),
            )
            .await?;
        out["token_status"] = json!(token.status);
        out["token"] = token.body;
    }
    Ok(Json(out))
}
