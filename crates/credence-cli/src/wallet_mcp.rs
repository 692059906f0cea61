//! `credence wallet mcp`: the wallet as an MCP server on stdio, so any
//! MCP-capable agent runtime can use its identity without code. Tools:
//! `identity`, `list_credentials`, `plan_disclosure` (dry run),
//! `present`, `get_token` (discovery and exchange for an MCP server),
//! `dpop_proof`, and `call_mcp_tool` (the whole call through the wallet,
//! so neither token nor proof reaches the model). The holder policy
//! applies to every disclosure; no tool returns key material. `dpop_proof`
//! signs only for tokens this server obtained, and only for the URL of the
//! resource each is for.

use credence_wallet::mcp::{McpAgent, McpAgentError, McpAuthError};
use credence_wallet::openid4vp::{Openid4vpError, VerifiedRequest};
use credence_wallet::{CredentialFilter, PresentError, Wallet};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ErrorData, ServerHandler, ServiceExt};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The wallet's MCP server.
#[derive(Clone)]
pub(crate) struct WalletMcp {
    wallet: Arc<Wallet>,
    /// Tokens `get_token` obtained: access token → its resource URL.
    issued: Arc<Mutex<HashMap<String, String>>>,
    /// `call_mcp_tool`'s sessions, one per resource.
    sessions: Arc<Mutex<HashMap<String, Arc<McpAgent>>>>,
    tool_router: ToolRouter<Self>,
}

/// A tool of another organization's MCP server to call as this agent.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct CallArg {
    /// The MCP server's URL (its canonical URI).
    pub resource: String,
    /// The tool's name.
    pub tool: String,
    /// The tool's arguments (a JSON object).
    #[serde(default)]
    pub arguments: serde_json::Map<String, Value>,
}

/// An OpenID4VP request to plan or answer.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct RequestArg {
    /// An `openid4vp://` or https request URL, or a request object (JWS).
    pub request: String,
}

/// Which credentials to list.
#[derive(Debug, Default, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct ListArg {
    /// Only this type (AgentCredential, or an IRI).
    #[serde(default)]
    pub credential_type: Option<String>,
}

/// The MCP server to get a token for.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct TokenArg {
    /// The MCP server's URL (its canonical URI, e.g. https://mcp.globex.example/mcp).
    pub resource: String,
    /// The scopes to ask for, space-separated (default: what the server's metadata names).
    #[serde(default)]
    pub scope: Option<String>,
}

/// One HTTP call to sign a DPoP proof for.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct DpopArg {
    /// The HTTP method (POST, GET, …).
    pub method: String,
    /// The full URL called (no query or fragment).
    pub url: String,
    /// The access token the call carries (its hash goes in the proof).
    pub access_token: String,
}

fn json_result(value: Value) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(value.to_string())])
}

/// A refusal as a tool error the model can read (not a protocol error).
fn refused(code: &str, message: impl ToString) -> CallToolResult {
    let body = json!({"refused": code, "reason": message.to_string()});
    CallToolResult::error(vec![ContentBlock::text(body.to_string())])
}

/// The refusal's code: `policy_denied` when the holder policy withheld
/// what was asked (the case an agent runtime must tell its user about).
fn openid4vp_code(e: &Openid4vpError) -> &'static str {
    match e {
        Openid4vpError::Present(PresentError::PolicyDenied { .. }) => "policy_denied",
        _ => e.code(),
    }
}

fn openid4vp_refusal(e: &Openid4vpError) -> CallToolResult {
    refused(openid4vp_code(e), e)
}

#[tool_router]
impl WalletMcp {
    /// The server for `wallet`.
    pub(crate) fn new(wallet: Arc<Wallet>) -> Self {
        Self {
            wallet,
            issued: Arc::default(),
            sessions: Arc::default(),
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "The agent's identity: its DID, verification method and public key (never a private key)."
    )]
    async fn identity(&self) -> Result<CallToolResult, ErrorData> {
        Ok(json_result(json!({
            "did": self.wallet.did(),
            "verification_method": self.wallet.verification_method(),
            "public_jwk": self.wallet.public_jwk(),
        })))
    }

    #[tool(
        description = "The credentials the wallet holds (type, issuer, validity), optionally of one type."
    )]
    async fn list_credentials(
        &self,
        Parameters(arg): Parameters<ListArg>,
    ) -> Result<CallToolResult, ErrorData> {
        let filter = CredentialFilter {
            credential_type: arg.credential_type,
            ..CredentialFilter::default()
        };
        Ok(match self.wallet.list(&filter) {
            Ok(list) => json_result(json!({"credentials": list})),
            Err(e) => refused("wallet", e),
        })
    }

    #[tool(
        description = "Dry run of an OpenID4VP request: verifies who is asking and shows what would be disclosed to whom under the holder policy. Signs and sends nothing."
    )]
    async fn plan_disclosure(
        &self,
        Parameters(arg): Parameters<RequestArg>,
    ) -> Result<CallToolResult, ErrorData> {
        let request = match self.open_request(&arg.request).await {
            Ok(r) => r,
            Err(refusal) => return Ok(*refusal),
        };
        Ok(match self.wallet.plan_openid4vp(&request) {
            Ok(plan) => json_result(json!({"plan": plan})),
            Err(e) => openid4vp_refusal(&e),
        })
    }

    #[tool(
        description = "Answer an OpenID4VP request within the holder policy: presentations bound to the verifier's nonce and client id, posted to its response URI. Returns what was presented and the response code."
    )]
    async fn present(
        &self,
        Parameters(arg): Parameters<RequestArg>,
    ) -> Result<CallToolResult, ErrorData> {
        let request = match self.open_request(&arg.request).await {
            Ok(r) => r,
            Err(refusal) => return Ok(*refusal),
        };
        Ok(match self.wallet.respond_openid4vp(&request).await {
            Ok(answer) => json_result(json!({
                "verifier": request.verifier.to_string(),
                "presented": answer.presented,
                "response_code": answer.response_code,
            })),
            Err(e) => openid4vp_refusal(&e),
        })
    }

    /// Reads and verifies an OpenID4VP request, or the refusal to return.
    async fn open_request(&self, request: &str) -> Result<VerifiedRequest, Box<CallToolResult>> {
        self.wallet
            .open_openid4vp(request)
            .await
            .map_err(|e| Box::new(openid4vp_refusal(&e)))
    }

    #[tool(
        description = "Get a DPoP-bound access token for another organization's MCP server: discovers its authorization server (RFC 9728, RFC 8414), presents over OpenID4VP within the holder policy, exchanges with the server as resource. Each call to the server then needs a dpop_proof."
    )]
    async fn get_token(
        &self,
        Parameters(arg): Parameters<TokenArg>,
    ) -> Result<CallToolResult, ErrorData> {
        let outcome = self
            .wallet
            .authorize_mcp(&arg.resource, None, arg.scope.as_deref())
            .await;
        if let Ok((_, token)) = &outcome {
            self.issued
                .lock()
                .await
                .insert(token.access_token.clone(), token.resource.clone());
        }
        Ok(match outcome {
            Ok((server, token)) => json_result(json!({
                "access_token": token.access_token,
                "token_type": "DPoP",
                "scope": token.scope,
                "expires_at": token.expires_at,
                "resource": token.resource,
                "authorization_server": server.issuer,
                "disclosed_to": token.disclosed_to,
            })),
            Err(e) => auth_refusal(&e),
        })
    }

    #[tool(
        description = "Sign a DPoP proof (RFC 9449) by the agent key for one HTTP call with an access token from get_token, to the URL of the resource that token is for: send it as the DPoP header, the token as Authorization: DPoP <token>."
    )]
    async fn dpop_proof(
        &self,
        Parameters(arg): Parameters<DpopArg>,
    ) -> Result<CallToolResult, ErrorData> {
        let method = arg.method.to_ascii_uppercase();
        // Only for this server's own tokens, only to their resource: a
        // model steered by injected text cannot make the wallet sign
        // proofs for other tokens or other servers.
        let resource = self.issued.lock().await.get(&arg.access_token).cloned();
        let Some(resource) = resource else {
            return Ok(refused(
                "unknown_token",
                "dpop_proof signs only for tokens get_token obtained in this session",
            ));
        };
        let url = arg.url.split(['?', '#']).next().unwrap_or_default();
        if url.trim_end_matches('/') != resource.trim_end_matches('/') {
            return Ok(refused(
                "wrong_url",
                format!("this token is for {resource}, not {url}"),
            ));
        }
        Ok(
            match self.wallet.dpop_proof(&method, url, &arg.access_token) {
                Ok(proof) => json_result(json!({"dpop": proof, "method": method, "url": url})),
                Err(e) => refused("sign", e),
            },
        )
    }

    #[tool(
        description = "Call a tool of another organization's MCP server as this agent: the wallet authorizes (discovery, presentation within the holder policy, token exchange, step-up when a tool needs more) and signs every request itself. Returns the tool's result; no token or proof leaves the wallet."
    )]
    async fn call_mcp_tool(
        &self,
        Parameters(arg): Parameters<CallArg>,
    ) -> Result<CallToolResult, ErrorData> {
        let agent = {
            let mut sessions = self.sessions.lock().await;
            match sessions.get(&arg.resource) {
                Some(agent) => agent.clone(),
                None => match McpAgent::connect(self.wallet.clone(), &arg.resource).await {
                    Ok(agent) => {
                        let agent = Arc::new(agent);
                        sessions.insert(arg.resource.clone(), agent.clone());
                        agent
                    }
                    Err(e) => return Ok(agent_refusal(&e)),
                },
            }
        };
        Ok(match agent.call_tool(&arg.tool, arg.arguments).await {
            Ok(result) => result,
            Err(e) => agent_refusal(&e),
        })
    }
}

/// An MCP session's failure, coded by what refused.
fn agent_refusal(e: &McpAgentError) -> CallToolResult {
    match e {
        McpAgentError::Refused { code, .. } | McpAgentError::StepUpRefused { code, .. } => {
            refused(code, e)
        }
        McpAgentError::Connect { .. } => refused("connect", e),
        _ => refused("call", e),
    }
}

fn auth_refusal(e: &McpAuthError) -> CallToolResult {
    match e {
        McpAuthError::Openid4vp(inner) => refused(openid4vp_code(inner), e),
        _ => refused(e.code(), e),
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for WalletMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("credence-wallet", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "This agent's Credence wallet: its DID, credentials, selective disclosure under the holder policy, and tokens for other organizations' MCP servers.",
            )
    }
}

/// Serves `wallet` on stdin/stdout until the client closes the stream.
pub(crate) async fn serve_stdio(wallet: Wallet) -> Result<(), crate::common::CliError> {
    let server = WalletMcp::new(Arc::new(wallet));
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| crate::common::err(2, format!("MCP handshake: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| crate::common::err(2, format!("MCP server: {e}")))?;
    Ok(())
}
