//! The verifier's trust policy: which issuers are trusted for which
//! credential types, and how verified claims map to scopes.
//!
//! ```toml
//! [[issuer]]
//! did = "did:key:zUC7…"
//! name = "Acme Corp"
//! credential_types = ["AgentCredential"]
//!
//! [[rule]]
//! issuer = "did:key:zUC7…"          # optional: any trusted issuer
//! credential_type = "AgentCredential"
//! claim = "capabilities"
//! equals = "invoices.read"
//! scope = "invoices:read"
//! audience = "https://api.globex.example"
//! ttl_secs = 300                     # optional, capped at 300
//! ```

use credence_core::MAX_TOKEN_TTL_SECS;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// Errors loading a policy.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read policy {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        reason: String,
    },
    /// Not valid TOML for a policy (the message names line and column).
    #[error("policy syntax error: {0}")]
    Syntax(String),
    /// Valid TOML with inconsistent content.
    #[error("invalid policy: {0}")]
    Invalid(String),
}

/// An issuer the verifier trusts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    /// The issuer's DID.
    pub did: String,
    /// A display name.
    pub name: String,
    /// The credential types it may assert (compact names).
    pub credential_types: Vec<String>,
}

/// A mapping from a verified claim value to a scope for an audience.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRule {
    /// Restrict the rule to one issuer DID.
    pub issuer: Option<String>,
    /// The credential type the claim must come from.
    pub credential_type: String,
    /// The subject claim name.
    pub claim: String,
    /// The value it must have (for lists: one element must equal it).
    pub equals: String,
    /// The scope granted.
    pub scope: String,
    /// The resource the scope is for.
    pub audience: String,
    /// Token lifetime for this scope (seconds, capped at 300).
    pub ttl_secs: Option<i64>,
}

/// A trust policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustPolicy {
    /// Trusted issuers.
    #[serde(default, rename = "issuer")]
    pub issuers: Vec<TrustedIssuer>,
    /// Scope mapping rules.
    #[serde(default, rename = "rule")]
    pub rules: Vec<ScopeRule>,
}

/// What the policy grants for one audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Scopes, sorted and deduplicated.
    pub scopes: Vec<String>,
    /// Token lifetime: the shortest among the matched rules, ≤ 300 s.
    pub ttl_secs: i64,
}

impl TrustPolicy {
    /// Parses and validates a policy from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let policy: Self = toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Loads a policy file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_toml(&text)
    }

    fn validate(&self) -> Result<(), PolicyError> {
        for i in &self.issuers {
            if !i.did.starts_with("did:") {
                return Err(PolicyError::Invalid(format!(
                    "issuer `{}` is not a DID",
                    i.did
                )));
            }
        }
        for (n, r) in self.rules.iter().enumerate() {
            if let Some(ttl) = r.ttl_secs {
                if ttl <= 0 || ttl > MAX_TOKEN_TTL_SECS {
                    return Err(PolicyError::Invalid(format!(
                        "rule {} ({}): ttl_secs must be 1..={MAX_TOKEN_TTL_SECS}",
                        n + 1,
                        r.scope
                    )));
                }
            }
            if let Some(issuer) = &r.issuer {
                if !self.issuers.iter().any(|i| &i.did == issuer) {
                    return Err(PolicyError::Invalid(format!(
                        "rule {} ({}) names issuer {issuer}, which is not a trusted issuer",
                        n + 1,
                        r.scope
                    )));
                }
            }
            if r.scope.contains(char::is_whitespace) || r.scope.is_empty() {
                return Err(PolicyError::Invalid(format!(
                    "rule {}: scope `{}` must be one non-empty token",
                    n + 1,
                    r.scope
                )));
            }
        }
        Ok(())
    }

    /// Whether `issuer` is trusted to assert `credential_type`.
    pub fn trusts(&self, issuer: &str, credential_type: &str) -> bool {
        self.issuers
            .iter()
            .any(|i| i.did == issuer && i.credential_types.iter().any(|t| t == credential_type))
    }

    /// The scopes the verified `claims` of a credential of `credential_type`
    /// from `issuer` earn for `audience`.
    pub fn grant(
        &self,
        issuer: &str,
        credential_type: &str,
        claims: &serde_json::Map<String, Value>,
        audience: &str,
    ) -> Grant {
        let mut scopes = Vec::new();
        let mut ttl = MAX_TOKEN_TTL_SECS;
        for rule in &self.rules {
            let applies = rule.audience == audience
                && rule.credential_type == credential_type
                && rule.issuer.as_deref().is_none_or(|i| i == issuer);
            let matches = match claims.get(&rule.claim) {
                Some(Value::String(s)) => s == &rule.equals,
                Some(Value::Array(items)) => items.iter().any(|v| v.as_str() == Some(&rule.equals)),
                _ => false,
            };
            if applies && matches {
                scopes.push(rule.scope.clone());
                ttl = ttl.min(rule.ttl_secs.unwrap_or(MAX_TOKEN_TTL_SECS));
            }
        }
        scopes.sort();
        scopes.dedup();
        Grant {
            scopes,
            ttl_secs: ttl,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[issuer]]
did = "did:key:zAcme"
name = "Acme"
credential_types = ["AgentCredential"]

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "https://api.globex.example"
ttl_secs = 120
"#;

    #[test]
    fn grants_only_matching_rules() {
        let p = TrustPolicy::from_toml(GOOD).unwrap();
        assert!(p.trusts("did:key:zAcme", "AgentCredential"));
        assert!(!p.trusts("did:key:zOther", "AgentCredential"));
        let claims = serde_json::json!({"capabilities": ["invoices.read", "x"]});
        let g = p.grant(
            "did:key:zAcme",
            "AgentCredential",
            claims.as_object().unwrap(),
            "https://api.globex.example",
        );
        assert_eq!(g.scopes, vec!["invoices:read"]);
        assert_eq!(g.ttl_secs, 120);
        let g = p.grant(
            "did:key:zAcme",
            "AgentCredential",
            claims.as_object().unwrap(),
            "https://other",
        );
        assert!(g.scopes.is_empty());
    }

    #[test]
    fn errors_name_the_problem() {
        let e = TrustPolicy::from_toml("[[issuer]]\ndid = \"did:key:z\"\nname = 1\n").unwrap_err();
        assert!(
            matches!(&e, PolicyError::Syntax(m) if m.contains("line 3")),
            "{e}"
        );
        let e =
            TrustPolicy::from_toml(&GOOD.replace("ttl_secs = 120", "ttl_secs = 3600")).unwrap_err();
        assert!(matches!(e, PolicyError::Invalid(_)));
        let e = TrustPolicy::from_toml(
            "[[issuer]]\ndid = \"x\"\nname = \"n\"\ncredential_types = []\n",
        )
        .unwrap_err();
        assert!(matches!(e, PolicyError::Invalid(_)));
        let e = TrustPolicy::from_toml("surprise = 1\n").unwrap_err();
        assert!(matches!(e, PolicyError::Syntax(_)));
        assert!(matches!(
            TrustPolicy::load("/nonexistent/policy.toml"),
            Err(PolicyError::Io { .. })
        ));
    }
}
