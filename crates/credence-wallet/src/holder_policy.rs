//! The holder disclosure policy: which verifiers may receive which claims.
//!
//! ```toml
//! # holder-policy.toml — claims named relative to credentialSubject, or as
//! # full dotted paths ("credentialSubject.organization").
//! [[verifier]]
//! name = "Globex procurement"          # a label, optional
//! domain = "globex.example"            # did:web:globex.example…, https://globex.example/…
//! claims = ["organization", "capabilities"]
//!
//! [[verifier]]
//! did = "did:key:z6Mk…"                # exactly this verifier
//! claims = ["organization"]
//! ```
//!
//! A request is matched against every rule whose `did` equals its
//! `client_id`, or whose `domain` is the host of that `client_id` (a
//! `*.example.com` domain also matches subdomains). The claims of all
//! matching rules are allowed; anything else requested is refused.

use crate::WalletError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// The policy's file name inside a wallet directory.
pub const HOLDER_POLICY_FILE: &str = "holder-policy.toml";

const TEMPLATE: &str = r#"# Credence holder disclosure policy: which verifiers may receive which claims.
# Nothing is disclosed to a verifier no rule names. Claims are named relative
# to credentialSubject ("organization") or as dotted paths.
#
# [[verifier]]
# name = "Globex procurement"
# domain = "globex.example"        # or: did = "did:web:globex.example"
# claims = ["organization", "capabilities"]
"#;

/// Why a holder policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read or written.
    #[error("holder policy {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        reason: String,
    },
    /// The TOML is invalid.
    #[error("holder policy: {0}")]
    Syntax(String),
    /// A rule is incomplete or ambiguous.
    #[error("holder policy rule {index}: {reason}")]
    Invalid {
        /// 1-based rule number.
        index: usize,
        /// What is wrong.
        reason: String,
    },
}

/// One rule: a verifier and the claims it may receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierRule {
    /// A label for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The verifier's exact `client_id` (usually its DID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub did: Option<String>,
    /// The verifier's domain (`*.` prefix for subdomains too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The claims it may receive.
    pub claims: Vec<String>,
}

/// The whole policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolderPolicy {
    /// The rules, in file order.
    #[serde(default, rename = "verifier")]
    pub verifiers: Vec<VerifierRule>,
}

/// `organization` → `credentialSubject.organization`; dotted paths stay.
pub(crate) fn normalize_claim(claim: &str) -> String {
    if claim.contains('.') {
        claim.to_owned()
    } else {
        format!("credentialSubject.{claim}")
    }
}

/// The host a `client_id` names: `did:web:host[:path]` or `scheme://host/…`.
pub(crate) fn host_of(client_id: &str) -> Option<String> {
    if let Some(rest) = client_id.strip_prefix("did:web:") {
        let host = rest.split(':').next()?;
        // did:web encodes a port's colon as %3A.
        let host = host.split("%3A").next()?;
        return Some(host.to_ascii_lowercase());
    }
    let (_, rest) = client_id.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

impl VerifierRule {
    fn matches(&self, client_id: &str) -> bool {
        if self.did.as_deref() == Some(client_id) {
            return true;
        }
        match (self.domain.as_deref(), host_of(client_id)) {
            (Some(domain), Some(host)) => {
                let domain = domain.to_ascii_lowercase();
                match domain.strip_prefix("*.") {
                    Some(parent) => host == parent || host.ends_with(&format!(".{parent}")),
                    None => host == domain,
                }
            }
            _ => false,
        }
    }
}

impl HolderPolicy {
    /// Parses and checks a policy.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let policy: Self = toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        for (i, rule) in policy.verifiers.iter().enumerate() {
            let invalid = |reason: &str| PolicyError::Invalid {
                index: i + 1,
                reason: reason.into(),
            };
            match (&rule.did, &rule.domain) {
                (Some(_), Some(_)) => return Err(invalid("give `did` or `domain`, not both")),
                (None, None) => return Err(invalid("give the verifier's `did` or `domain`")),
                _ => {}
            }
            if rule.claims.iter().any(|c| c.trim().is_empty()) {
                return Err(invalid("an empty claim name"));
            }
        }
        Ok(policy)
    }

    /// Loads `path`; a missing file is the empty policy (discloses nothing).
    pub fn load_or_empty(path: &Path) -> Result<Self, PolicyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(PolicyError::Io {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// The policy as TOML.
    pub fn to_toml(&self) -> Result<String, PolicyError> {
        toml::to_string_pretty(self).map_err(|e| PolicyError::Syntax(e.to_string()))
    }

    /// Allows `claims` for the verifier with exactly this `did`.
    pub fn allow_did(mut self, did: &str, claims: &[&str]) -> Self {
        self.verifiers.push(VerifierRule {
            name: None,
            did: Some(did.into()),
            domain: None,
            claims: claims.iter().map(|c| c.to_string()).collect(),
        });
        self
    }

    /// Allows `claims` for verifiers on `domain`.
    pub fn allow_domain(mut self, domain: &str, claims: &[&str]) -> Self {
        self.verifiers.push(VerifierRule {
            name: None,
            did: None,
            domain: Some(domain.into()),
            claims: claims.iter().map(|c| c.to_string()).collect(),
        });
        self
    }

    /// The claims (dotted paths) `client_id` may receive.
    pub fn allowed_claims(&self, client_id: &str) -> BTreeSet<String> {
        self.verifiers
            .iter()
            .filter(|r| r.matches(client_id))
            .flat_map(|r| r.claims.iter().map(|c| normalize_claim(c)))
            .collect()
    }

    /// The requested claims (dotted paths) `client_id` may not receive.
    pub fn denied(&self, client_id: &str, requested: &[String]) -> Vec<String> {
        let allowed = self.allowed_claims(client_id);
        requested
            .iter()
            .filter(|c| !allowed.contains(*c))
            .cloned()
            .collect()
    }

    pub(crate) fn write_template(path: &Path) -> Result<(), WalletError> {
        write_atomically(path, TEMPLATE)
    }

    pub(crate) fn save(&self, path: &Path) -> Result<(), WalletError> {
        write_atomically(path, &self.to_toml()?)
    }
}

/// Writes `text` to a temporary file, syncs it, renames it over `path`.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), WalletError> {
    let fail = |e: std::io::Error| WalletError::File {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    {
        use std::io::Write;
        let mut f = credence_store::fsutil::create_private(&tmp)?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(fail)?;
    }
    std::fs::rename(&tmp, path).map_err(fail)?;
    credence_store::fsutil::sync_parent(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_client_ids() {
        assert_eq!(
            host_of("did:web:globex.example").as_deref(),
            Some("globex.example")
        );
        assert_eq!(
            host_of("did:web:globex.example:tools").as_deref(),
            Some("globex.example")
        );
        assert_eq!(
            host_of("did:web:localhost%3A8443").as_deref(),
            Some("localhost")
        );
        assert_eq!(
            host_of("https://API.globex.example:8443/x").as_deref(),
            Some("api.globex.example")
        );
        assert_eq!(host_of("did:key:z6Mkabc"), None);
    }

    #[test]
    fn rules_match_by_did_domain_and_wildcard() {
        let policy = HolderPolicy::from_toml(
            r#"
            [[verifier]]
            domain = "globex.example"
            claims = ["organization"]
            [[verifier]]
            domain = "*.initech.example"
            claims = ["credentialSubject.capabilities"]
            [[verifier]]
            did = "did:key:z6MkX"
            claims = ["purpose"]
            "#,
        )
        .unwrap();
        let org = vec!["credentialSubject.organization".to_string()];
        assert!(policy.denied("did:web:globex.example", &org).is_empty());
        assert_eq!(policy.denied("did:web:evil-globex.example", &org), org);
        assert_eq!(policy.denied("did:web:globex.example.evil", &org), org);
        let caps = vec!["credentialSubject.capabilities".to_string()];
        assert!(policy
            .denied("https://api.initech.example/v", &caps)
            .is_empty());
        assert!(policy.denied("did:web:initech.example", &caps).is_empty());
        assert_eq!(policy.denied("did:key:z6MkX", &caps), caps);
        assert!(policy
            .denied("did:key:z6MkX", &["credentialSubject.purpose".into()])
            .is_empty());
    }

    #[test]
    fn invalid_rules_are_refused() {
        assert!(matches!(
            HolderPolicy::from_toml("[[verifier]]\nclaims = [\"a\"]\n"),
            Err(PolicyError::Invalid { index: 1, .. })
        ));
        assert!(matches!(
            HolderPolicy::from_toml("[[verifier]]\ndid = \"d\"\ndomain = \"x\"\nclaims = []\n"),
            Err(PolicyError::Invalid { index: 1, .. })
        ));
        assert!(matches!(
            HolderPolicy::from_toml("[[verifier]]\ndid = \"d\"\nclaims = []\nextra = 1\n"),
            Err(PolicyError::Syntax(_))
        ));
        assert_eq!(
            HolderPolicy::from_toml(TEMPLATE).unwrap(),
            HolderPolicy::default()
        );
    }
}
