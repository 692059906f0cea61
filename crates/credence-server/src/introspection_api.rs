//! The token service's RFC 7662 introspection and RFC 7009 revocation
//! endpoints (routed by [`crate::verifier_api`]).

use crate::oauth::{form_rejection, OAuthError};
use crate::verifier_api::{no_store, Shared};
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

/// The form both endpoints take: the token in question.
#[derive(Deserialize)]
pub(crate) struct TokenForm {
    token: String,
}

/// RFC 7662 introspection, for resource servers holding the
/// introspection secret.
pub(crate) async fn introspect(
    State(s): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Result<Response, OAuthError> {
    if !crate::api_token::bearer(&headers).is_some_and(|p| s.introspection.matches(p)) {
        return Err(OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unauthorized",
            "introspection needs the resource servers' bearer secret",
        ));
    }
    let Form(form) = form.map_err(form_rejection)?;
    let introspected = s.tokens.introspect(&form.token).await;
    Ok(no_store(
        match introspected.map_err(|e| OAuthError::unavailable(&e))? {
            Some(claims) => {
                let mut body = serde_json::to_value(&claims).unwrap_or_else(|_| json!({}));
                body["active"] = json!(true);
                body["token_type"] = json!("DPoP");
                body
            }
            None => json!({"active": false}),
        },
    ))
}

/// RFC 7009 revocation, with client authentication (§2.1): the resource
/// servers' secret as a bearer token, or — a holder revoking its own
/// token — a DPoP proof for `POST {verifier}/revoke` by the key the token
/// is bound to.
pub(crate) async fn revoke(
    State(s): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Result<Response, OAuthError> {
    let unauthenticated = |detail: &str| {
        OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unauthorized",
            detail.to_owned(),
        )
    };
    let Form(form) = form.map_err(form_rejection)?;
    if crate::api_token::bearer(&headers).is_some_and(|p| s.introspection.matches(p)) {
        s.tokens
            .revoke(&form.token)
            .await
            .map_err(|e| OAuthError::unavailable(&e))?;
    } else if let Some(proof) = headers.get("dpop").and_then(|v| v.to_str().ok()) {
        let url = format!("{}/revoke", s.verifier.id().trim_end_matches('/'));
        s.tokens
            .revoke_own(&form.token, proof, "POST", &url)
            .await
            .map_err(|e| match e {
                credence_verify::VerifyError::State(state) => OAuthError::unavailable(&state),
                e => unauthenticated(&format!("the DPoP proof is refused: {e}")),
            })?;
    } else {
        return Err(unauthenticated(
            "revocation needs the resource servers' bearer secret, or the holder's DPoP proof",
        ));
    }
    tracing::info!("token revocation requested");
    Ok(StatusCode::OK.into_response())
}
