//! The HTTP client under rmcp's streamable-HTTP transport: every request
//! carries the token (`Authorization: DPoP`) and a fresh DPoP proof by
//! the agent key for that method and URL; a 401 challenge starts
//! discovery and a token exchange, a 403 `insufficient_scope` a step-up
//! to the scope named, each retried once.

use super::{McpAuthError, McpAuthServer, McpToken, ResourceChallenge};
use crate::Wallet;
use futures::stream::BoxStream;
use reqwest_mcp::header::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    StreamableHttpResponseLimits,
};
use serde::Serialize;
use sse_stream::{Error as SseError, Sse};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

type HttpError = StreamableHttpError<reqwest_mcp::Error>;
type Headers = HashMap<HeaderName, HeaderValue>;

/// What happened while authorizing, for the agent to report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum McpAuthEvent {
    /// The server refused with a challenge.
    Challenged {
        /// 401 or 403.
        status: u16,
        /// The challenge read.
        challenge: ResourceChallenge,
    },
    /// The token service was found.
    Discovered(McpAuthServer),
    /// A token was issued.
    TokenIssued {
        /// The scopes granted.
        scope: String,
        /// To whom the agent disclosed (the token service's verified DID).
        disclosed_to: String,
    },
    /// Authorization failed; the refused request stays refused.
    Refused {
        /// The scopes asked for.
        scope: Option<String>,
        /// The error code (`token_refused` for a refused step-up).
        code: String,
        /// Why.
        reason: String,
    },
}

#[derive(Debug, Default)]
struct AuthState {
    server: Option<McpAuthServer>,
    token: Option<McpToken>,
    events: Vec<McpAuthEvent>,
    authorizations: u32,
}

/// How many times one client authorizes (each time a presentation)
/// before it stops answering challenges: a server that keeps refusing
/// fresh tokens cannot make the agent present without end.
pub const MAX_AUTHORIZATIONS: u32 = 8;

/// A [`StreamableHttpClient`] that authorizes as the wallet's agent.
#[derive(Clone)]
pub struct CredenceHttpClient {
    http: reqwest_mcp::Client,
    wallet: Arc<Wallet>,
    state: Arc<Mutex<AuthState>>,
}

impl std::fmt::Debug for CredenceHttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredenceHttpClient").finish_non_exhaustive()
    }
}

impl CredenceHttpClient {
    /// A client for `wallet`'s agent, with no token yet: the first request
    /// goes out bare and the server's 401 drives authorization.
    pub fn new(wallet: Arc<Wallet>) -> Self {
        // No redirects: a token-bearing request never follows one.
        let http = reqwest_mcp::Client::builder()
            .redirect(reqwest_mcp::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            http,
            wallet,
            state: Arc::new(Mutex::new(AuthState::default())),
        }
    }

    /// Starts with `token` (from [`Wallet::get_mcp_token`]).
    pub async fn with_token(self, token: McpToken) -> Self {
        self.state.lock().await.token = Some(token);
        self
    }

    /// What happened while authorizing, oldest first.
    pub async fn events(&self) -> Vec<McpAuthEvent> {
        self.state.lock().await.events.clone()
    }

    /// The token in use, if any.
    pub async fn token(&self) -> Option<McpToken> {
        self.state.lock().await.token.clone()
    }

    async fn headers_for(
        &self,
        method: &str,
        uri: &str,
        mut headers: Headers,
    ) -> Result<Headers, HttpError> {
        let Some(token) = self.state.lock().await.token.clone() else {
            return Ok(headers);
        };
        let proof = self
            .wallet
            .dpop_proof(method, uri, &token.access_token)
            .map_err(|e| HttpError::UnexpectedServerResponse(format!("DPoP proof: {e}").into()))?;
        let value = |v: String| {
            HeaderValue::from_str(&v)
                .map_err(|_| HttpError::UnexpectedServerResponse("unsendable header".into()))
        };
        headers.insert(
            reqwest_mcp::header::AUTHORIZATION,
            value(format!("DPoP {}", token.access_token))?,
        );
        headers.insert(HeaderName::from_static("dpop"), value(proof)?);
        Ok(headers)
    }

    /// Runs `call` authorized, and once more after authorizing when the
    /// server challenges.
    async fn send<T, F, Fut>(
        &self,
        method: &str,
        uri: &str,
        headers: Headers,
        call: F,
    ) -> Result<T, HttpError>
    where
        F: Fn(Headers) -> Fut,
        Fut: Future<Output = Result<T, HttpError>>,
    {
        let first = call(self.headers_for(method, uri, headers.clone()).await?).await;
        let (status, field) = match &first {
            Err(StreamableHttpError::AuthRequired(e)) => (401, e.www_authenticate_header.clone()),
            Err(StreamableHttpError::InsufficientScope(e)) => {
                (403, e.www_authenticate_header.clone())
            }
            _ => return first,
        };
        if self.authorize(uri, status, &field).await.is_err() {
            return first;
        }
        call(self.headers_for(method, uri, headers).await?).await
    }

    async fn authorize(&self, uri: &str, status: u16, field: &str) -> Result<(), McpAuthError> {
        let mut state = self.state.lock().await;
        let challenge = ResourceChallenge::parse(field).unwrap_or_default();
        if state.authorizations >= MAX_AUTHORIZATIONS {
            let reason = format!(
                "{MAX_AUTHORIZATIONS} authorizations already: no more presentations to this server"
            );
            state.events.push(McpAuthEvent::Refused {
                scope: challenge.scope.clone(),
                code: "authorization_budget".into(),
                reason: reason.clone(),
            });
            return Err(McpAuthError::Budget(reason));
        }
        state.events.push(McpAuthEvent::Challenged {
            status,
            challenge: challenge.clone(),
        });
        // Keep what the agent already holds, add what is asked: a step-up
        // must not drop the scopes of the tools already in use.
        let mut scopes: Vec<String> = state
            .token
            .as_ref()
            .map(|t| t.scopes().into_iter().map(str::to_owned).collect())
            .unwrap_or_default();
        for s in challenge.scope.iter().flat_map(|s| s.split_whitespace()) {
            if !scopes.iter().any(|have| have == s) {
                scopes.push(s.to_owned());
            }
        }
        let held = state.token.as_ref().map(|t| t.scopes().len()).unwrap_or(0);
        if status == 403 && scopes.len() == held {
            // Nothing new to ask for (a tool no scope offers, or one the
            // token already has): another presentation would change nothing.
            let reason = challenge
                .error_description
                .clone()
                .unwrap_or_else(|| "refused with no scope to step up to".into());
            state.events.push(McpAuthEvent::Refused {
                scope: challenge.scope.clone(),
                code: "insufficient_scope".into(),
                reason: reason.clone(),
            });
            return Err(McpAuthError::NoStepUp(reason));
        }
        let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        state.authorizations += 1;
        let resource = uri.split(['?', '#']).next().unwrap_or(uri);
        let outcome = match state.server.clone() {
            Some(server) => self
                .wallet
                .get_mcp_token(&server, scope.as_deref())
                .await
                .map(|t| (server, t)),
            None => {
                self.wallet
                    .authorize_mcp(resource, Some(&challenge), scope.as_deref())
                    .await
            }
        };
        match outcome {
            Ok((server, token)) => {
                if state.server.is_none() {
                    state.events.push(McpAuthEvent::Discovered(server.clone()));
                }
                state.events.push(McpAuthEvent::TokenIssued {
                    scope: token.scope.clone(),
                    disclosed_to: token.disclosed_to.clone(),
                });
                state.server = Some(server);
                state.token = Some(token);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "MCP authorization refused");
                state.events.push(McpAuthEvent::Refused {
                    scope,
                    code: e.code().to_owned(),
                    reason: e.to_string(),
                });
                Err(e)
            }
        }
    }
}

impl StreamableHttpClient for CredenceHttpClient {
    type Error = reqwest_mcp::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: Headers,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        self.post_message_with_response_limits(
            uri,
            message,
            session_id,
            None,
            custom_headers,
            StreamableHttpResponseLimits::default(),
        )
        .await
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: Headers,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        self.send("POST", &uri, custom_headers, |headers| {
            self.http.post_message_with_response_limits(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                None,
                headers,
                limits,
            )
        })
        .await
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        _auth_header: Option<String>,
        custom_headers: Headers,
    ) -> Result<(), HttpError> {
        self.send("DELETE", &uri, custom_headers, |headers| {
            self.http
                .delete_session(uri.clone(), session_id.clone(), None, headers)
        })
        .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: Headers,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, HttpError> {
        self.send("GET", &uri, custom_headers, |headers| {
            self.http.get_stream(
                uri.clone(),
                session_id.clone(),
                last_event_id.clone(),
                None,
                headers,
            )
        })
        .await
    }
}
