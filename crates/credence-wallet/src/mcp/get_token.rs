//! Getting a token for an MCP server from its Credence token service:
//! an OpenID4VP request from that service, answered under the holder
//! policy, its response code exchanged with RFC 8707 `resource`.

use super::{McpAuthError, McpAuthServer, ResourceChallenge};
use crate::openid4vp::{Openid4vpError, TokenTarget};
use crate::Wallet;
use serde::{Deserialize, Serialize};

/// A DPoP-bound access token for one MCP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpToken {
    /// The RFC 9068 access token (bound to the agent key).
    pub access_token: String,
    /// The scopes granted.
    pub scope: String,
    /// When it expires (Unix seconds, by the wallet's clock).
    pub expires_at: i64,
    /// The resource it is for.
    pub resource: String,
    /// The verified identity of the token service the agent disclosed to.
    pub disclosed_to: String,
}

impl McpToken {
    /// The granted scopes.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }
}

#[derive(Deserialize)]
struct CreatedRequest {
    authorization_request: String,
}

#[derive(Deserialize)]
struct GrantedToken {
    access_token: String,
    #[serde(default)]
    scope: String,
    expires_in: i64,
}

impl Wallet {
    /// Discovers the MCP server at `resource`'s token service (see
    /// [`Wallet::discover_mcp_auth`]) and gets a token for `scope` (the
    /// challenge's, when `scope` is `None`).
    pub async fn authorize_mcp(
        &self,
        resource: &str,
        challenge: Option<&ResourceChallenge>,
        scope: Option<&str>,
    ) -> Result<(McpAuthServer, McpToken), McpAuthError> {
        let server = self.discover_mcp_auth(resource, challenge).await?;
        let scope = scope.or(challenge.and_then(|c| c.scope.as_deref()));
        let token = self.get_mcp_token(&server, scope).await?;
        Ok((server, token))
    }

    /// Gets a token for `server`'s resource and `scope` (all the policy
    /// maps when `None`): asks its token service for an OpenID4VP request,
    /// verifies it (it must come from that service), answers it as the
    /// holder policy allows, and exchanges the response code with
    /// `resource` and a DPoP proof. A refused scope is
    /// [`McpAuthError::TokenRefused`].
    pub async fn get_mcp_token(
        &self,
        server: &McpAuthServer,
        scope: Option<&str>,
    ) -> Result<McpToken, McpAuthError> {
        let (status, body) = self
            .fetcher
            .post_form(&server.request_endpoint, &[], "application/json")
            .await
            .map_err(|source| McpAuthError::Fetch {
                what: "presentation request endpoint",
                source,
            })?;
        if status != 201 {
            return Err(McpAuthError::RequestRefused { status, body });
        }
        let created: CreatedRequest = serde_json::from_str(&body)
            .map_err(|e| McpAuthError::Discovery(format!("presentation request: {e}")))?;
        let request = self.open_openid4vp(&created.authorization_request).await?;
        if !request
            .request
            .response_uri
            .starts_with(&format!("{}/", server.issuer))
        {
            return Err(McpAuthError::Discovery(format!(
                "the request answers to {}, not to the token service {}",
                request.request.response_uri, server.issuer
            )));
        }
        let disclosed_to = request.verifier.to_string();
        let answer = self.respond_openid4vp(&request).await?;
        let code = answer
            .response_code
            .ok_or_else(|| Openid4vpError::Response("the verifier sent no response_code".into()))?;
        let response = self
            .exchange_response_code(
                &server.token_endpoint,
                &code,
                TokenTarget::Resource(&server.resource),
                scope,
            )
            .await?;
        if response.status != 200 {
            let text = |k: &str| {
                response
                    .body
                    .get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            return Err(McpAuthError::TokenRefused {
                scope: scope.map(str::to_owned),
                error: text("error"),
                description: text("error_description"),
            });
        }
        let granted: GrantedToken = serde_json::from_value(response.body)
            .map_err(|e| McpAuthError::TokenResponse(e.to_string()))?;
        Ok(McpToken {
            access_token: granted.access_token,
            scope: granted.scope,
            expires_at: self.clock.now().timestamp() + granted.expires_in,
            resource: server.resource.clone(),
            disclosed_to,
        })
    }
}
