//! RFC 9728 OAuth 2.0 Protected Resource Metadata for the protected MCP
//! endpoint, at the well-known URL derived from its canonical URI.

use super::McpProtection;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// The well-known path segment of RFC 9728 §3.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The RFC 9728 document (the members Credence publishes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedResourceMetadata {
    /// The resource's identifier: its canonical URI.
    pub resource: String,
    /// The issuer identifiers of the authorization servers (RFC 8414).
    pub authorization_servers: Vec<String>,
    /// The scopes a client may need.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// How the token is sent: only the `Authorization` header.
    #[serde(default)]
    pub bearer_methods_supported: Vec<String>,
    /// DPoP proof algorithms accepted.
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Vec<String>,
    /// Every access token must be DPoP-bound.
    #[serde(default)]
    pub dpop_bound_access_tokens_required: bool,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
}

/// The metadata URL of `resource` per RFC 9728 §3.1: the well-known
/// segment inserted between the host and the path
/// (`https://h/mcp` → `https://h/.well-known/oauth-protected-resource/mcp`).
pub fn metadata_url(resource: &str) -> String {
    let (origin, path) = split_origin(resource);
    format!("{origin}{WELL_KNOWN}{path}")
}

fn split_origin(resource: &str) -> (&str, &str) {
    let after_scheme = resource.find("://").map_or(0, |i| i + 3);
    match resource[after_scheme..].find('/') {
        Some(i) => resource.split_at(after_scheme + i),
        None => (resource, ""),
    }
}

/// The document for `protection`.
pub fn protected_resource_metadata(protection: &McpProtection) -> ProtectedResourceMetadata {
    ProtectedResourceMetadata {
        resource: protection.resource.clone(),
        authorization_servers: vec![protection.authorization_server.clone()],
        scopes_supported: protection.scopes(),
        bearer_methods_supported: vec!["header".into()],
        dpop_signing_alg_values_supported: vec!["EdDSA".into(), "ES256".into()],
        dpop_bound_access_tokens_required: true,
        resource_name: protection.resource_name.clone(),
    }
}

impl McpProtection {
    /// A router serving the metadata at the RFC 9728 URL of the resource
    /// and, for clients that only try the root, at the bare well-known path.
    pub fn metadata_router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let document = protected_resource_metadata(self);
        let (_, path) = split_origin(&self.resource);
        let handler = move || {
            let document = document.clone();
            async move { Json(document) }
        };
        let mut router = Router::new().route(WELL_KNOWN, get(handler.clone()));
        if !path.is_empty() {
            router = router.route(&format!("{WELL_KNOWN}{path}"), get(handler));
        }
        router
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_well_known_segment_goes_between_host_and_path() {
        assert_eq!(
            metadata_url("https://mcp.example.com/mcp"),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            metadata_url("http://127.0.0.1:8080/a/b"),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource/a/b"
        );
        assert_eq!(
            metadata_url("https://mcp.example.com"),
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
    }
}
