//! An MCP client session as the wallet's agent: rmcp's client over
//! [`CredenceHttpClient`], with refusals reported as what they are.

use super::{CredenceHttpClient, McpAuthEvent, McpToken};
use crate::Wallet;
use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use std::sync::Arc;

/// Why an MCP session or call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpAgentError {
    /// The session could not be set up (transport, handshake).
    #[error("could not connect to {url}: {reason}")]
    Connect {
        /// The MCP server.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server challenged and the agent could not get a token: the
    /// holder policy, the token service or discovery refused.
    #[error("authorization refused ({code}): {reason}")]
    Refused {
        /// The error code ([`McpAuthError::code`](super::McpAuthError::code)).
        code: String,
        /// Why.
        reason: String,
    },
    /// The tool needs a scope the agent's credentials do not map to.
    #[error("tool {tool} needs {scope:?}, and the step-up was refused ({code}): {reason}")]
    StepUpRefused {
        /// The tool called.
        tool: String,
        /// The scopes asked for.
        scope: Option<String>,
        /// The error code.
        code: String,
        /// Why.
        reason: String,
    },
    /// The call failed otherwise.
    #[error("{what}: {reason}")]
    Call {
        /// What was called.
        what: String,
        /// Why.
        reason: String,
    },
}

/// A connected MCP client acting as the wallet's agent.
pub struct McpAgent {
    service: RunningService<RoleClient, ()>,
    http: CredenceHttpClient,
}

impl std::fmt::Debug for McpAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpAgent").finish_non_exhaustive()
    }
}

impl McpAgent {
    /// Connects to the MCP server at `url` (its canonical URI), authorizing
    /// from its first challenge.
    pub async fn connect(wallet: Arc<Wallet>, url: &str) -> Result<Self, McpAgentError> {
        Self::connect_with(CredenceHttpClient::new(wallet), url).await
    }

    /// Connects with a token already obtained ([`Wallet::get_mcp_token`]).
    pub async fn connect_with_token(
        wallet: Arc<Wallet>,
        url: &str,
        token: McpToken,
    ) -> Result<Self, McpAgentError> {
        // A token goes only to the resource it was minted for.
        if token.resource.trim_end_matches('/') != url.trim_end_matches('/') {
            return Err(McpAgentError::Connect {
                url: url.to_owned(),
                reason: format!("the token is for {}", token.resource),
            });
        }
        Self::connect_with(CredenceHttpClient::new(wallet).with_token(token).await, url).await
    }

    async fn connect_with(http: CredenceHttpClient, url: &str) -> Result<Self, McpAgentError> {
        let config = StreamableHttpClientTransportConfig::with_uri(url);
        let transport = StreamableHttpClientTransport::with_client(http.clone(), config);
        match ().serve(transport).await {
            Ok(service) => Ok(Self { service, http }),
            Err(e) => Err(refusal_in(&http.events().await, 0)
                .map(|(code, reason, _)| McpAgentError::Refused { code, reason })
                .unwrap_or(McpAgentError::Connect {
                    url: url.to_owned(),
                    reason: e.to_string(),
                })),
        }
    }

    /// The server's tools.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, McpAgentError> {
        self.service
            .list_all_tools()
            .await
            .map_err(|e| McpAgentError::Call {
                what: "tools/list".into(),
                reason: e.to_string(),
            })
    }

    /// Calls `tool` with `arguments`; a 403 leads to one step-up, whose
    /// refusal is [`McpAgentError::StepUpRefused`].
    pub async fn call_tool(
        &self,
        tool: &str,
        arguments: serde_json::Map<String, serde_json::Value>,
    ) -> Result<CallToolResult, McpAgentError> {
        let seen = self.http.events().await.len();
        let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
        match self.service.call_tool(params).await {
            Ok(result) => Ok(result),
            Err(e) => Err(match refusal_in(&self.http.events().await, seen) {
                Some((code, reason, scope)) => McpAgentError::StepUpRefused {
                    tool: tool.to_owned(),
                    scope,
                    code,
                    reason,
                },
                None => McpAgentError::Call {
                    what: format!("tools/call {tool}"),
                    reason: e.to_string(),
                },
            }),
        }
    }

    /// What happened while authorizing, oldest first.
    pub async fn events(&self) -> Vec<McpAuthEvent> {
        self.http.events().await
    }

    /// The token in use.
    pub async fn token(&self) -> Option<McpToken> {
        self.http.token().await
    }

    /// Ends the session.
    pub async fn close(self) {
        let _ = self.service.cancel().await;
    }
}

/// The last refusal among `events[from..]`.
fn refusal_in(events: &[McpAuthEvent], from: usize) -> Option<(String, String, Option<String>)> {
    events.get(from..)?.iter().rev().find_map(|e| match e {
        McpAuthEvent::Refused {
            scope,
            code,
            reason,
        } => Some((code.clone(), reason.clone(), scope.clone())),
        _ => None,
    })
}
