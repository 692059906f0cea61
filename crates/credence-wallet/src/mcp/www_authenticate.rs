//! Reading a `WWW-Authenticate` field (RFC 9110 §11.6.1): one or more
//! challenges, each a scheme and auth-params (`name=token` or
//! `name="quoted string"`), as MCP resource servers send them.

/// What a resource server's challenge tells the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResourceChallenge {
    /// The challenge's scheme (`Bearer`, `DPoP`).
    pub scheme: String,
    /// RFC 9728 §5.1: where the resource's metadata is.
    pub resource_metadata: Option<String>,
    /// The scopes the refused request needs.
    pub scope: Option<String>,
    /// The OAuth error code (`invalid_token`, `insufficient_scope`, …).
    pub error: Option<String>,
    /// The server's explanation.
    pub error_description: Option<String>,
}

impl ResourceChallenge {
    /// The first `Bearer` or `DPoP` challenge of `field` (several fields
    /// joined with `, ` are one field), or `None` when there is none.
    pub fn parse(field: &str) -> Option<Self> {
        parse_challenges(field).into_iter().find(|c| {
            c.scheme.eq_ignore_ascii_case("bearer") || c.scheme.eq_ignore_ascii_case("dpop")
        })
    }
}

fn parse_challenges(field: &str) -> Vec<ResourceChallenge> {
    let mut challenges: Vec<ResourceChallenge> = Vec::new();
    let mut rest = field.trim_start();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let (word, after) = split_token(rest);
        if word.is_empty() {
            break;
        }
        let after_ws = after.trim_start();
        if let Some(value_part) = after_ws.strip_prefix('=') {
            let (value, remaining) = split_value(value_part.trim_start());
            if let Some(current) = challenges.last_mut() {
                set_param(current, word, value);
            }
            rest = remaining;
        } else {
            challenges.push(ResourceChallenge {
                scheme: word.to_owned(),
                ..ResourceChallenge::default()
            });
            rest = after;
        }
    }
    challenges
}

fn set_param(challenge: &mut ResourceChallenge, name: &str, value: String) {
    let slot = match name.to_ascii_lowercase().as_str() {
        "resource_metadata" => &mut challenge.resource_metadata,
        "scope" => &mut challenge.scope,
        "error" => &mut challenge.error,
        "error_description" => &mut challenge.error_description,
        _ => return,
    };
    // A repeated parameter is ambiguous: the first one stands.
    if slot.is_none() {
        *slot = Some(value);
    }
}

fn split_token(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
        .unwrap_or(text.len());
    text.split_at(end)
}

fn split_value(text: &str) -> (String, &str) {
    let Some(quoted) = text.strip_prefix('"') else {
        let (token, rest) = split_token(text);
        return (token.to_owned(), rest);
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            '"' => return (value, &quoted[i + 1..]),
            _ => value.push(c),
        }
    }
    (value, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_bearer_or_dpop_challenge() {
        let field = "Bearer realm=\"credence\", resource_metadata=\"https://h/.well-known/oauth-protected-resource/mcp\", scope=\"invoices:read invoices:write\", error=\"insufficient_scope\", DPoP algs=\"EdDSA ES256\", scope=\"other\"";
        let c = ResourceChallenge::parse(field).unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some("https://h/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(c.scope.as_deref(), Some("invoices:read invoices:write"));
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
    }

    #[test]
    fn quoted_commas_escapes_and_tokens() {
        let c = ResourceChallenge::parse(
            "Basic realm=x, DPoP error=invalid_token, error_description=\"a, \\\"b\\\"\"",
        )
        .unwrap();
        assert_eq!(c.scheme, "DPoP");
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(c.error_description.as_deref(), Some("a, \"b\""));
        assert_eq!(ResourceChallenge::parse("Basic realm=\"x\""), None);
        assert_eq!(ResourceChallenge::parse(""), None);
    }

    #[test]
    fn a_repeated_parameter_does_not_override_the_first() {
        let c = ResourceChallenge::parse(
            "Bearer resource_metadata=\"https://good/m\", resource_metadata=\"https://evil/m\"",
        )
        .unwrap();
        assert_eq!(c.resource_metadata.as_deref(), Some("https://good/m"));
    }
}
