//! The verifier's trust policy: which issuers are trusted for which
//! credential types, which claim values every accepted credential must
//! have, and how verified claims map to scopes. The format is documented
//! in `docs/policy.md`.
//!
//! ```toml
//! [[issuer]]
//! did = "did:web:acme.example"
//! name = "Acme Corp"
//! credential_types = ["AgentCredential"]
//! # require_valid_until = true      # default: credentials must disclose validUntil
//! # require_status = true           # default: … and a credentialStatus entry
//! # max_validity_days = 30          # optional: validFrom → validUntil at most
//! # signs_for_principals = false    # may root delegation chains for humans
//!
//! [[constraint]]                     # must hold, or the presentation is refused
//! credential_type = "AgentCredential"
//! claim = "organization"
//! equals = "Acme Corp"
//!
//! [[principal]]                     # roots of delegation chains
//! did = "did:key:z6Mk…"
//! name = "Alice Martin (Acme finance)"
//!
//! [[rule]]
//! issuer = "did:web:acme.example"    # optional: any trusted issuer
//! credential_type = "AgentCredential"
//! claim = "capabilities"
//! equals = "invoices.read"           # or one_of = [..], or prefix = ".."
//! scope = "invoices:read"
//! audience = "https://api.globex.example"
//! ttl_secs = 300                     # optional, capped at 300
//! ```

use crate::signed::graph::ClaimValue;
use credence_core::MAX_TOKEN_TTL_SECS;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// Errors loading a policy. Every variant but `Io` names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
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
    #[error("invalid policy, line {line}: {message}")]
    Invalid {
        /// 1-based line of the offending entry.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Verified claim values by the name the policy or request uses
/// (`capabilities`, `credentialSubject.organization`).
pub type NamedClaims = BTreeMap<String, Vec<ClaimValue>>;

fn yes() -> bool {
    true
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
    /// Its credentials must disclose `validUntil` (default `true`): a
    /// holder can withhold a statement the issuer did not make mandatory,
    /// and "never set" cannot be told from "withheld".
    #[serde(default = "yes")]
    pub require_valid_until: bool,
    /// Its credentials must disclose a `credentialStatus` entry (default
    /// `true`), for the same reason.
    #[serde(default = "yes")]
    pub require_status: bool,
    /// The longest validity (`validFrom` → `validUntil`) accepted, in days.
    #[serde(default)]
    pub max_validity_days: Option<u32>,
    /// The organization may sign root delegation links on behalf of the
    /// principals (humans) they name (default `false`).
    #[serde(default)]
    pub signs_for_principals: bool,
}

/// A principal (a human, or an org issuer acting on a human's behalf)
/// whose delegation chains the verifier accepts as roots.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedPrincipal {
    /// The principal's DID: it signs the root delegation link.
    pub did: String,
    /// A display name.
    pub name: String,
}

/// A test on one claim value. A list-valued claim passes when one of its
/// elements passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The value equals this string.
    Equals(String),
    /// The value is one of these strings.
    OneOf(Vec<String>),
    /// The value starts with this string.
    Prefix(String),
}

impl Condition {
    fn holds_for(&self, value: &str) -> bool {
        match self {
            Self::Equals(e) => value == e,
            Self::OneOf(set) => set.iter().any(|e| e == value),
            Self::Prefix(p) => value.starts_with(p.as_str()),
        }
    }

    /// Whether one of a claim's verified `values` satisfies the condition.
    pub fn holds(&self, values: &[ClaimValue]) -> bool {
        values
            .iter()
            .any(|v| v.as_text().is_some_and(|s| self.holds_for(s)))
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Equals(e) => write!(f, "= {e:?}"),
            Self::OneOf(set) => write!(f, "one of {set:?}"),
            Self::Prefix(p) => write!(f, "starts with {p:?}"),
        }
    }
}

/// A condition every accepted credential of a type must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// Restrict the constraint to one issuer DID.
    pub issuer: Option<String>,
    /// The credential type it applies to.
    pub credential_type: String,
    /// The subject claim name.
    pub claim: String,
    /// The test.
    pub condition: Condition,
}

/// A mapping from a verified claim value to a scope for an audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRule {
    /// Restrict the rule to one issuer DID.
    pub issuer: Option<String>,
    /// The credential type the claim must come from.
    pub credential_type: String,
    /// The subject claim name.
    pub claim: String,
    /// The test the claim must pass.
    pub condition: Condition,
    /// The scope granted.
    pub scope: String,
    /// The resource the scope is for.
    pub audience: String,
    /// Token lifetime for this scope (seconds, capped at 300).
    pub ttl_secs: Option<i64>,
}

/// A trust policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustPolicy {
    /// Trusted issuers.
    pub issuers: Vec<TrustedIssuer>,
    /// Principals whose delegation chains are accepted.
    pub principals: Vec<TrustedPrincipal>,
    /// Conditions every accepted credential must meet.
    pub constraints: Vec<Constraint>,
    /// Scope mapping rules.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default, rename = "issuer")]
    issuers: Vec<Spanned<TrustedIssuer>>,
    #[serde(default, rename = "principal")]
    principals: Vec<Spanned<TrustedPrincipal>>,
    #[serde(default, rename = "constraint")]
    constraints: Vec<Spanned<RawMatch>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    issuer: Option<String>,
    credential_type: String,
    claim: String,
    equals: Option<String>,
    one_of: Option<Vec<String>>,
    prefix: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(flatten)]
    test: RawMatch,
    scope: String,
    audience: String,
    ttl_secs: Option<i64>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

impl TrustPolicy {
    /// Parses and validates a policy from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let raw: RawPolicy =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let invalid = |span: std::ops::Range<usize>, message: String| PolicyError::Invalid {
            line: line_of(text, span.start),
            message,
        };
        let mut policy = Self::default();
        for entry in raw.issuers {
            let span = entry.span();
            let issuer = entry.into_inner();
            if !issuer.did.starts_with("did:") {
                return Err(invalid(
                    span,
                    format!("issuer `{}` is not a DID", issuer.did),
                ));
            }
            if issuer.max_validity_days == Some(0) {
                return Err(invalid(
                    span,
                    format!(
                        "issuer {}: max_validity_days must be at least 1",
                        issuer.did
                    ),
                ));
            }
            if issuer.credential_types.is_empty() {
                return Err(invalid(
                    span,
                    format!("issuer {} lists no credential_types", issuer.did),
                ));
            }
            policy.issuers.push(issuer);
        }
        for entry in raw.principals {
            let span = entry.span();
            let principal = entry.into_inner();
            if !principal.did.starts_with("did:") {
                return Err(invalid(
                    span,
                    format!("principal `{}` is not a DID", principal.did),
                ));
            }
            policy.principals.push(principal);
        }
        let known = |d: &Option<String>| {
            d.as_ref()
                .is_none_or(|d| policy.issuers.iter().any(|i| &i.did == d))
        };
        for entry in raw.constraints {
            let span = entry.span();
            let m = entry.into_inner();
            let condition = condition(&m).map_err(|msg| invalid(span.clone(), msg))?;
            if !known(&m.issuer) {
                return Err(invalid(
                    span,
                    "names an issuer that is not a trusted issuer".into(),
                ));
            }
            policy.constraints.push(Constraint {
                issuer: m.issuer,
                credential_type: m.credential_type,
                claim: m.claim,
                condition,
            });
        }
        for entry in raw.rules {
            let span = entry.span();
            let r = entry.into_inner();
            let condition = condition(&r.test).map_err(|msg| invalid(span.clone(), msg))?;
            if let Some(ttl) = r.ttl_secs {
                if ttl <= 0 || ttl > MAX_TOKEN_TTL_SECS {
                    return Err(invalid(
                        span,
                        format!(
                            "rule {}: ttl_secs must be 1..={MAX_TOKEN_TTL_SECS}",
                            r.scope
                        ),
                    ));
                }
            }
            if !known(&r.test.issuer) {
                return Err(invalid(
                    span,
                    format!(
                        "rule {} names an issuer that is not a trusted issuer",
                        r.scope
                    ),
                ));
            }
            if r.scope.is_empty() || r.scope.contains(char::is_whitespace) {
                return Err(invalid(
                    span,
                    format!("scope `{}` must be one non-empty token", r.scope),
                ));
            }
            if r.audience.is_empty() {
                return Err(invalid(span, "audience must not be empty".into()));
            }
            policy.rules.push(ScopeRule {
                issuer: r.test.issuer,
                credential_type: r.test.credential_type,
                claim: r.test.claim,
                condition,
                scope: r.scope,
                audience: r.audience,
                ttl_secs: r.ttl_secs,
            });
        }
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

    /// Whether delegation chains rooted at `did` are accepted.
    pub fn trusts_principal(&self, did: &str) -> bool {
        self.principals.iter().any(|p| p.did == did)
    }

    /// The trusted issuer `did`, if it is one.
    pub fn issuer(&self, did: &str) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| i.did == did)
    }

    /// Whether `issuer` is trusted to assert `credential_type`.
    pub fn trusts(&self, issuer: &str, credential_type: &str) -> bool {
        self.issuer(issuer)
            .is_some_and(|i| i.credential_types.iter().any(|t| t == credential_type))
    }

    /// Every claim name a constraint or rule reads for `credential_type`.
    pub fn claim_names(&self, credential_type: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .constraints
            .iter()
            .filter(|c| c.credential_type == credential_type)
            .map(|c| c.claim.as_str())
            .chain(
                self.rules
                    .iter()
                    .filter(|r| r.credential_type == credential_type)
                    .map(|r| r.claim.as_str()),
            )
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The first constraint the claims of a credential of `credential_type`
    /// from `issuer` violate, if any.
    pub fn violated(
        &self,
        issuer: &str,
        credential_type: &str,
        claims: &NamedClaims,
    ) -> Option<&Constraint> {
        self.constraints.iter().find(|c| {
            c.credential_type == credential_type
                && c.issuer.as_deref().is_none_or(|i| i == issuer)
                && !c
                    .condition
                    .holds(claims.get(&c.claim).map_or(&[][..], Vec::as_slice))
        })
    }

    /// Every audience some rule grants scopes for.
    pub fn audiences(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.rules.iter().map(|r| r.audience.as_str()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// The scopes the verified `claims` of a credential of `credential_type`
    /// from `issuer` earn for `audience`.
    pub fn grant(
        &self,
        issuer: &str,
        credential_type: &str,
        claims: &NamedClaims,
        audience: &str,
    ) -> Grant {
        let mut scopes = Vec::new();
        let mut ttl = MAX_TOKEN_TTL_SECS;
        for rule in &self.rules {
            let applies = rule.audience == audience
                && rule.credential_type == credential_type
                && rule.issuer.as_deref().is_none_or(|i| i == issuer);
            let values = claims.get(&rule.claim).map_or(&[][..], Vec::as_slice);
            if applies && rule.condition.holds(values) {
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

fn condition(m: &RawMatch) -> Result<Condition, String> {
    match (&m.equals, &m.one_of, &m.prefix) {
        (Some(e), None, None) => Ok(Condition::Equals(e.clone())),
        (None, Some(set), None) if !set.is_empty() => Ok(Condition::OneOf(set.clone())),
        (None, Some(_), None) => Err(format!("claim `{}`: one_of must not be empty", m.claim)),
        (None, None, Some(p)) if !p.is_empty() => Ok(Condition::Prefix(p.clone())),
        (None, None, Some(_)) => Err(format!("claim `{}`: prefix must not be empty", m.claim)),
        _ => Err(format!(
            "claim `{}` needs exactly one of equals, one_of, prefix",
            m.claim
        )),
    }
}

#[cfg(test)]
mod tests;
