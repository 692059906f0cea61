//! Reading a policy file: TOML into a validated [`TrustPolicy`], every
//! error naming the line of the entry at fault.

use super::contexts::RawContext;
use super::{
    Condition, Constraint, DelegatedClaim, PolicyError, ScopeRule, TrustPolicy, TrustedIssuer,
    TrustedPrincipal, CREDENTIAL_FORMATS,
};
use credence_core::MAX_TOKEN_TTL_SECS;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default, rename = "context")]
    contexts: Vec<Spanned<RawContext>>,
    #[serde(default, rename = "issuer")]
    issuers: Vec<Spanned<TrustedIssuer>>,
    #[serde(default, rename = "principal")]
    principals: Vec<Spanned<TrustedPrincipal>>,
    delegation: Option<Spanned<DelegatedClaim>>,
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
    /// Parses and validates a policy from TOML text; `[[context]]` files
    /// are read relative to the current directory.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        Self::from_toml_in(text, Path::new("."))
    }

    /// Parses and validates a policy from TOML text whose `[[context]]`
    /// files are relative to `base` (the policy file's directory).
    pub fn from_toml_in(text: &str, base: &Path) -> Result<Self, PolicyError> {
        let raw: RawPolicy =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let invalid = |span: std::ops::Range<usize>, message: String| PolicyError::Invalid {
            line: line_of(text, span.start),
            message,
        };
        let mut policy = Self::default();
        // The first entry that lets a delegation chain be accepted.
        let mut root_span = None;
        for entry in raw.contexts {
            let span = entry.span();
            let context = entry
                .into_inner()
                .load(base)
                .map_err(|m| invalid(span.clone(), m))?;
            if policy.contexts.iter().any(|c| c.url == context.url) {
                return Err(invalid(
                    span,
                    format!("context {} declared twice", context.url),
                ));
            }
            policy.contexts.push(context);
        }
        for entry in raw.issuers {
            let span = entry.span();
            let issuer = entry.into_inner();
            if let Some(f) = issuer
                .formats
                .iter()
                .find(|f| !CREDENTIAL_FORMATS.contains(&f.as_str()))
            {
                return Err(invalid(
                    span,
                    format!(
                        "issuer {}: format `{f}` is not one of {CREDENTIAL_FORMATS:?}",
                        issuer.did
                    ),
                ));
            }
            if !issuer.did.starts_with("did:") {
                return Err(invalid(
                    span,
                    format!("issuer `{}` is not a DID", issuer.did),
                ));
            }
            if issuer.require_presentation_header
                && issuer
                    .formats
                    .iter()
                    .any(|f| f != "bbs-2023" && f != credence_core::DC_SD_JWT)
            {
                return Err(invalid(
                    span,
                    format!(
                        "issuer {}: require_presentation_header binds bbs-2023 proofs only; set formats = [\"bbs-2023\"]",
                        issuer.did
                    ),
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
            if issuer.signs_for_principals {
                root_span.get_or_insert(span);
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
            root_span.get_or_insert(span);
        }
        policy.delegation = delegation(raw.delegation, root_span, &invalid)?;
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
        Self::from_toml_in(&text, path.parent().unwrap_or(Path::new(".")))
    }
}

/// `[delegation]`: required when a chain can be accepted (`root` is the
/// span of the first entry that allows one), refused otherwise.
fn delegation(
    raw: Option<Spanned<DelegatedClaim>>,
    root: Option<std::ops::Range<usize>>,
    invalid: &dyn Fn(std::ops::Range<usize>, String) -> PolicyError,
) -> Result<Option<DelegatedClaim>, PolicyError> {
    match (raw, root) {
        (Some(d), None) => Err(invalid(
            d.span(),
            "[delegation] without a [[principal]] or an issuer with signs_for_principals: \
             no chain can be accepted"
                .into(),
        )),
        (Some(d), Some(_))
            if d.get_ref().claim.is_empty() || d.get_ref().credential_type.is_empty() =>
        {
            Err(invalid(
                d.span(),
                "[delegation] needs a credential_type and a claim".into(),
            ))
        }
        (Some(d), Some(_)) => Ok(Some(d.into_inner())),
        (None, Some(span)) => Err(invalid(
            span,
            "this entry lets delegation chains be accepted, but no [delegation] section \
             names the claim a chain's capabilities narrow"
                .into(),
        )),
        (None, None) => Ok(None),
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
