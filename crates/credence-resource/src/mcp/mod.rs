//! Protecting an MCP server (or any single-endpoint JSON-RPC service) as an
//! OAuth 2.1 resource server, per the MCP authorization spec (2026-07-28):
//! RFC 9068 access tokens for this resource's canonical URI, bound by
//! RFC 9449 DPoP to the agent's key, RFC 9728 protected-resource metadata
//! naming the Credence authorization server, `WWW-Authenticate`
//! challenges with `resource_metadata` and `scope`, and a scope per tool.
//!
//! ```no_run
//! # fn wrap<S>(mcp_service: S, verifier_key: ssi::JWK) -> axum::Router
//! # where S: tower_service::Service<axum::http::Request<axum::body::Body>,
//! #     Response = axum::http::Response<axum::body::Body>,
//! #     Error = std::convert::Infallible> + Clone + Send + Sync + 'static,
//! #     S::Future: Send + 'static,
//! # {
//! use credence_resource::mcp::{Layer, McpProtection};
//! let protection = McpProtection::new(
//!     "https://mcp.globex.example/mcp",       // this server's canonical URI
//!     "https://verifier.globex.example",      // the Credence token service
//!     verifier_key,                           // from its JWKS
//! )
//! .tool_scope("list_invoices", "invoices:read")
//! .tool_scope("pay_invoice", "invoices:write");
//! axum::Router::new()
//!     .route_service("/mcp", protection.layer().layer(mcp_service))
//!     .merge(protection.metadata_router())
//! # }
//! ```

mod caller;
mod challenge;
mod layer;
mod message;
mod metadata;
mod protection;
mod sessions;

pub use caller::VerifiedCaller;
pub use challenge::{challenge_headers, Challenge};
pub use layer::{McpAuthLayer, McpAuthService};
pub use message::{McpMessage, MessageError};
pub use metadata::{metadata_url, protected_resource_metadata, ProtectedResourceMetadata};
pub use protection::McpProtection;
pub use tower_layer::Layer;

/// The methods served to any valid token for the resource (with the
/// base scope, when one is set): the session's own plumbing. Everything
/// else needs a scope: tools by [`McpProtection::tool_scope`], other
/// methods by [`McpProtection::method_scope`].
pub const OPEN_METHODS: &[&str] = &["initialize", "ping", "tools/list", "server/discover"];
