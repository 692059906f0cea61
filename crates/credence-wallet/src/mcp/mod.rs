//! The agent side of MCP authorization: reaching another organization's
//! MCP server with a Credence token. A bare 401 names the server's RFC
//! 9728 metadata; that names the Credence token service; the agent takes
//! an OpenID4VP request from it, answers under the holder policy, and
//! exchanges the response code with RFC 8707 `resource` for a DPoP-bound
//! token; every MCP request then carries a fresh DPoP proof. A 403
//! `insufficient_scope` asks for a token with the scope named (step-up),
//! refused when the agent's credentials do not map to it.
//!
//! Not here: the resource side (`credence-resource`), the wallet's own MCP
//! server (`credence wallet mcp`).

mod agent;
mod discovery;
mod error;
mod get_token;
mod http_client;
mod www_authenticate;

pub use agent::{McpAgent, McpAgentError};
pub use discovery::McpAuthServer;
pub use error::McpAuthError;
pub use get_token::McpToken;
pub use http_client::{CredenceHttpClient, McpAuthEvent, MAX_AUTHORIZATIONS};
/// rmcp's types in this API, so callers need not depend on rmcp.
pub use rmcp::model::{CallToolResult, Tool};
pub use www_authenticate::ResourceChallenge;
