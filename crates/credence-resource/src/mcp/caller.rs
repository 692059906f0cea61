//! What a tool handler learns about its caller: the verified token claims.

use credence_core::AccessTokenClaims;

/// The caller of one MCP request, as the layer verified it: put into the
/// HTTP request's extensions before the MCP service sees the request.
/// rmcp hands tool handlers the request's `http::request::Parts`; read it
/// with [`VerifiedCaller::from_parts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCaller {
    /// The token's verified claims (`sub`, `act` chain, `scope`, `cnf`).
    pub claims: AccessTokenClaims,
}

impl VerifiedCaller {
    /// The caller recorded on a request by the layer, if any.
    pub fn from_parts(parts: &axum::http::request::Parts) -> Option<&Self> {
        parts.extensions.get::<Self>()
    }

    /// The delegation path: the principal first, the acting agent last
    /// (empty without a chain).
    pub fn chain(&self) -> Vec<String> {
        self.claims.delegation_path()
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.claims.scopes().contains(&scope)
    }
}
