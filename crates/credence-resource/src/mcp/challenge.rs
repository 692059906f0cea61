//! `WWW-Authenticate` challenges (RFC 6750 §3, RFC 9449 §7.1, RFC 9728
//! §5.1) for a refused MCP request.

use axum::http::HeaderValue;

/// Why the request is challenged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Challenge {
    /// No token at all (401, no error code: RFC 6750 §3.1).
    NoToken,
    /// The token is bad: signature, issuer, audience, times, revoked (401).
    InvalidToken(String),
    /// The DPoP proof is missing, bad, replayed or from another key (401).
    InvalidDpopProof(String),
    /// The token lacks the scope the operation needs (403).
    InsufficientScope(String),
}

impl Challenge {
    /// The OAuth error code, if any.
    pub fn error(&self) -> Option<&'static str> {
        match self {
            Self::NoToken => None,
            Self::InvalidToken(_) => Some("invalid_token"),
            Self::InvalidDpopProof(_) => Some("invalid_dpop_proof"),
            Self::InsufficientScope(_) => Some("insufficient_scope"),
        }
    }

    fn description(&self) -> Option<&str> {
        match self {
            Self::NoToken => None,
            Self::InvalidToken(d) | Self::InvalidDpopProof(d) | Self::InsufficientScope(d) => {
                Some(d)
            }
        }
    }
}

/// The challenge header values, `Bearer` first (for MCP clients that only
/// read a Bearer challenge's `resource_metadata`), then `DPoP` with the
/// algorithms accepted: the tokens this resource takes are DPoP-bound.
/// `scope` is what the refused operation needs.
pub fn challenge_headers(
    challenge: &Challenge,
    resource_metadata: &str,
    scope: Option<&str>,
) -> Vec<HeaderValue> {
    let mut params = vec![format!(
        "resource_metadata=\"{}\"",
        quoted(resource_metadata)
    )];
    if let Some(scope) = scope.filter(|s| !s.is_empty()) {
        params.push(format!("scope=\"{}\"", quoted(scope)));
    }
    if let Some(error) = challenge.error() {
        params.push(format!("error=\"{error}\""));
    }
    if let Some(description) = challenge.description() {
        params.push(format!("error_description=\"{}\"", quoted(description)));
    }
    let params = params.join(", ");
    [
        format!("Bearer realm=\"credence\", {params}"),
        format!("DPoP algs=\"EdDSA ES256\", {params}"),
    ]
    .into_iter()
    // Every byte was made visible ASCII by `quoted`: the values parse.
    .filter_map(|v| HeaderValue::from_str(&v).ok())
    .collect()
}

/// The content of an RFC 9110 quoted-string: printable ASCII without `"`
/// and `\` (replaced), so no caller text can end the parameter early.
fn quoted(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_401_names_the_metadata_and_scope_but_no_error() {
        let values = challenge_headers(
            &Challenge::NoToken,
            "https://h/.well-known/oauth-protected-resource/mcp",
            Some("invoices:read"),
        );
        assert_eq!(values.len(), 2);
        assert_eq!(
            values[0],
            "Bearer realm=\"credence\", resource_metadata=\"https://h/.well-known/oauth-protected-resource/mcp\", scope=\"invoices:read\""
        );
        assert!(values[1]
            .to_str()
            .unwrap()
            .starts_with("DPoP algs=\"EdDSA ES256\", "));
    }

    #[test]
    fn descriptions_cannot_inject_parameters() {
        let values = challenge_headers(
            &Challenge::InvalidToken("x\", scope=\"admin\r\n".into()),
            "https://h/m",
            None,
        );
        let text = values[0].to_str().unwrap();
        assert!(text.ends_with("error=\"invalid_token\", error_description=\"x', scope='admin??\""));
    }
}
