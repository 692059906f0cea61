//! Why the agent could not get (or use) a token for an MCP server.

use crate::openid4vp::Openid4vpError;
use credence_did::FetchError;

/// Why authorizing at an MCP server failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpAuthError {
    /// The resource or authorization-server metadata is unusable, or
    /// names another resource or issuer than the one asked.
    #[error("discovery: {0}")]
    Discovery(String),
    /// A metadata document could not be fetched.
    #[error("{what}: {source}")]
    Fetch {
        /// What was being fetched.
        what: &'static str,
        /// Why.
        source: FetchError,
    },
    /// The authorization server would not issue a presentation request.
    #[error("the authorization server refused a presentation request ({status}): {body}")]
    RequestRefused {
        /// HTTP status.
        status: u16,
        /// Its answer.
        body: String,
    },
    /// The OpenID4VP exchange failed: the request did not verify, the
    /// holder policy refused, or the verifier refused the presentation.
    #[error(transparent)]
    Openid4vp(#[from] Openid4vpError),
    /// The token endpoint refused, e.g. `invalid_scope` when the agent's
    /// credentials do not map to the scope asked (a refused step-up).
    #[error("token refused for scope {}: {error}: {description}", scope.as_deref().unwrap_or("(unnamed)"))]
    TokenRefused {
        /// The scopes asked for.
        scope: Option<String>,
        /// The OAuth error code.
        error: String,
        /// The description (with Credence's reason code).
        description: String,
    },
    /// A 403 named no scope beyond those held: no token could do better.
    #[error("insufficient scope, and nothing to step up to: {0}")]
    NoStepUp(String),
    /// The client already authorized [`MAX_AUTHORIZATIONS`](super::MAX_AUTHORIZATIONS) times.
    #[error("authorization budget spent: {0}")]
    Budget(String),
    /// The token endpoint's answer is not a token response.
    #[error("token endpoint: {0}")]
    TokenResponse(String),
}

impl McpAuthError {
    /// A stable snake_case name.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Discovery(_) => "discovery",
            Self::Fetch { .. } => "fetch",
            Self::RequestRefused { .. } => "request_refused",
            Self::Openid4vp(e) => e.code(),
            Self::TokenRefused { .. } => "token_refused",
            Self::NoStepUp(_) => "insufficient_scope",
            Self::Budget(_) => "authorization_budget",
            Self::TokenResponse(_) => "token_response",
        }
    }
}
