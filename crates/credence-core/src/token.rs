//! Claims of Credence's scoped access tokens (RFC 9068 JWT profile).

use serde::{Deserialize, Serialize};

/// The JOSE `typ` of an RFC 9068 access token.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// The longest lifetime a Credence access token may have, in seconds.
pub const MAX_TOKEN_TTL_SECS: i64 = 300;

/// RFC 7800 confirmation: the token is bound to the agent's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// RFC 7638 JWK SHA-256 thumbprint of the agent's key.
    pub jkt: String,
}

/// The payload of a scoped access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// The verifier that minted the token.
    pub iss: String,
    /// The agent's DID.
    pub sub: String,
    /// The one audience (resource) the token is for.
    pub aud: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds), at most [`MAX_TOKEN_TTL_SECS`] after `iat`.
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// The OAuth client the token was issued to: the agent's DID.
    pub client_id: String,
    /// Key binding.
    pub cnf: Confirmation,
}

impl AccessTokenClaims {
    /// The scopes as a list.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }
}
