//! From an MCP server's URL (and its 401 challenge) to the Credence token
//! service that mints its tokens: RFC 9728 protected-resource metadata,
//! then RFC 8414 authorization-server metadata.

use super::{McpAuthError, ResourceChallenge};
use crate::Wallet;
use credence_core::OAUTH_METADATA_PATH;
use serde::{Deserialize, Serialize};

const PROTECTED_RESOURCE_PATH: &str = "/.well-known/oauth-protected-resource";

/// Where and how an MCP server's tokens are obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpAuthServer {
    /// The resource (the MCP server's canonical URI): the token's `aud`.
    pub resource: String,
    /// The RFC 9728 document's URL.
    pub resource_metadata: String,
    /// The authorization server's issuer identifier.
    pub issuer: String,
    /// Its token endpoint.
    pub token_endpoint: String,
    /// Its OpenID4VP request endpoint (Credence metadata).
    pub request_endpoint: String,
    /// The scopes the resource says it uses.
    pub scopes_supported: Vec<String>,
}

#[derive(Deserialize)]
struct ResourceMetadata {
    resource: String,
    authorization_servers: Vec<String>,
    #[serde(default)]
    scopes_supported: Vec<String>,
}

#[derive(Deserialize)]
struct ServerMetadata {
    issuer: String,
    token_endpoint: String,
    credence_openid4vp_request_endpoint: Option<String>,
}

/// The RFC 9728 §3.1 URL of `resource` (well-known segment between host
/// and path).
fn metadata_url(resource: &url::Url) -> String {
    let origin = resource.origin().ascii_serialization();
    let path = resource.path().trim_end_matches('/');
    format!("{origin}{PROTECTED_RESOURCE_PATH}{path}")
}

impl Wallet {
    /// Finds the authorization server of the MCP server at `resource`,
    /// starting from its challenge when there is one. The metadata URL
    /// must be on the resource's origin, the document must name exactly
    /// `resource` (RFC 9728 §3.3) and the server metadata exactly its
    /// issuer (RFC 8414 §3.3), so a challenge cannot steer the agent to
    /// metadata that speaks for another server.
    pub async fn discover_mcp_auth(
        &self,
        resource: &str,
        challenge: Option<&ResourceChallenge>,
    ) -> Result<McpAuthServer, McpAuthError> {
        let bad = |why: String| McpAuthError::Discovery(why);
        let parsed = url::Url::parse(resource).map_err(|e| bad(format!("{resource}: {e}")))?;
        let origin = parsed.origin().ascii_serialization();
        let url = match challenge.and_then(|c| c.resource_metadata.clone()) {
            Some(url) => url,
            None => metadata_url(&parsed),
        };
        let same_origin = url::Url::parse(&url)
            .map(|u| u.origin().ascii_serialization() == origin)
            .unwrap_or(false);
        if !same_origin {
            return Err(bad(format!("resource_metadata {url} is not on {origin}")));
        }
        let document = self
            .fetcher
            .get_json(&url)
            .await
            .map_err(|source| McpAuthError::Fetch {
                what: "protected-resource metadata",
                source,
            })?;
        let document: ResourceMetadata = serde_json::from_value(document)
            .map_err(|e| bad(format!("protected-resource metadata: {e}")))?;
        if document.resource.trim_end_matches('/') != resource.trim_end_matches('/') {
            return Err(bad(format!(
                "metadata at {url} is for {}, not {resource}",
                document.resource
            )));
        }
        let issuer = document
            .authorization_servers
            .first()
            .ok_or_else(|| bad("no authorization_servers".into()))?
            .trim_end_matches('/')
            .to_owned();
        let (token_endpoint, request_endpoint) = self.authorization_server(&issuer).await?;
        Ok(McpAuthServer {
            resource: resource.to_owned(),
            resource_metadata: url,
            issuer,
            token_endpoint,
            request_endpoint,
            scopes_supported: document.scopes_supported,
        })
    }

    /// The token and OpenID4VP request endpoints of the Credence token
    /// service `issuer`.
    async fn authorization_server(&self, issuer: &str) -> Result<(String, String), McpAuthError> {
        let bad = |why: String| McpAuthError::Discovery(why);
        credence_did::Fetcher::check_url(issuer)
            .map_err(|e| bad(format!("issuer {issuer}: {e}")))?;
        let metadata = self
            .fetcher
            .get_json(&format!("{issuer}{OAUTH_METADATA_PATH}"))
            .await
            .map_err(|source| McpAuthError::Fetch {
                what: "authorization-server metadata",
                source,
            })?;
        let metadata: ServerMetadata = serde_json::from_value(metadata)
            .map_err(|e| bad(format!("authorization-server metadata: {e}")))?;
        if metadata.issuer.trim_end_matches('/') != issuer {
            return Err(bad(format!("issuer {} is not {issuer}", metadata.issuer)));
        }
        let request_endpoint = metadata
            .credence_openid4vp_request_endpoint
            .ok_or_else(|| {
                bad(format!(
                    "{issuer} offers no credence_openid4vp_request_endpoint"
                ))
            })?;
        for endpoint in [&metadata.token_endpoint, &request_endpoint] {
            if !endpoint.starts_with(&format!("{issuer}/")) {
                return Err(bad(format!("endpoint {endpoint} is not under {issuer}")));
            }
        }
        Ok((metadata.token_endpoint, request_endpoint))
    }
}
