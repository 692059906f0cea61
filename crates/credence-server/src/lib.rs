#![forbid(unsafe_code)]
//! Credence's HTTP services (axum):
//!
//! - [`wallet_api`]: the local JSON API through which an agent uses its own
//!   wallet (identity, credentials, presentations, DPoP proofs), behind the
//!   wallet's bearer secret, on loopback by default;
//! - [`issuer_api`]: an organization's issuer: its did:web document, its
//!   signed status lists, and an admin API to issue, revoke and suspend;
//! - [`verifier_api`]: the verifier's token service: presentation requests,
//!   RFC 8693 token exchange, JWKS, RFC 7662 introspection, RFC 7009
//!   revocation, with OAuth error responses and body size limits;
//!   [`policy_watch`] reloads its trust policy on SIGHUP or file change,
//!   [`token_keys`] its rotated signing keys; [`ops`] adds `/healthz`,
//!   `/readyz`, Prometheus `/metrics`, request ids and load shedding for
//!   replicas (docs/deployment.md);
//! - [`tool_api`]: a DPoP-protected demo tool, as a resource server would
//!   guard its API;
//! - [`invoices_mcp`]: a demo MCP server (rmcp) behind Credence's MCP
//!   protection layer.
//!
//! Secrets are compared in constant time. These services do not terminate
//! TLS: keep them on loopback or put them behind a proxy.

pub mod api_token;
mod introspection_api;
pub mod invoices_mcp;
pub mod issuer_api;
pub mod oauth;
pub mod openid4vp_api;
pub mod ops;
pub mod policy_watch;
pub mod token_keys;
pub mod tool_api;
pub mod verifier_api;
pub mod verifier_dir;
pub mod wallet_api;
mod wallet_openid4vp_api;

pub use api_token::{ApiToken, API_TOKEN_FILE};
pub use issuer_api::{issuer_router, serve_issuer};
pub use oauth::OAuthError;
pub use openid4vp_api::{Openid4vpService, RESPONSE_CODE_TOKEN_TYPE};
pub use ops::{verifier_app, ServeOptions, VerifierMetrics};
pub use policy_watch::watch_policy;
pub use token_keys::{load_key_ring, rotate_token_key, watch_keys, Rotation};
pub use tool_api::{serve_tool, tool_router, Introspection, ToolService};
pub use verifier_api::{serve_verifier, verifier_router, VerifierService};
pub use wallet_api::{router, serve, ROUTES};
