//! The holder disclosure policy: which verifiers may receive which claims.
//!
//! ```toml
//! # holder-policy.toml — claims named relative to credentialSubject, or as
//! # full dotted paths ("credentialSubject.organization").
//! [[verifier]]
//! name = "Globex procurement"          # a label, optional
//! domain = "*.globex.example"          # https://globex.example/…, https://api.globex.example/…
//! claims = ["organization", "capabilities"]
//!
//! [[verifier]]
//! did = "did:web:globex.example"       # exactly this client_id
//! claims = ["organization", "capabilities"]
//! elements = { capabilities = ["invoices.read"] }  # of this list, only these
//! ```
//!
//! A request is matched against every rule; the claims of all matching
//! rules are allowed, anything else requested is refused.
//!
//! `elements` narrows claims the rule allows to some of their values,
//! compared by lexical form (`"invoices.read"`, `"2"`, `"true"`): of a list
//! claim, only the listed elements may be disclosed, each by its own
//! selective-disclosure pointer (the others stay hidden); a single-valued
//! claim only when its value is listed. Its keys are named as in `claims`
//! and must be among them. A claim some matching rule allows without
//! `elements` may be disclosed whole; otherwise the matching rules'
//! elements add up. A request whose `values` for a claim are all elements
//! the policy forbids is refused, naming them
//! (`credentialSubject.capabilities[orders.create]`); allowed values
//! alongside forbidden ones are answered with the allowed ones only.
//!
//! - A `did` rule matches a `client_id` that is exactly, byte for byte, its
//!   value. This is the only way a DID (`did:web:…`, `did:key:…`, or any
//!   other non-URL client id) is matched: never by pattern, never by the
//!   host a did:web names, and not after case folding.
//! - A `domain` rule matches a web origin client id: an `https` URL, or
//!   `http` to a loopback host (`localhost`, `127.0.0.1`, `[::1]`), parsed
//!   with the `url` crate as a browser would (WHATWG URL). The rule's host
//!   — parsed the same way: ASCII case folded, IDNs to punycode — must be
//!   the URL's host; `*.globex.example` also matches any subdomain (label
//!   by label: never `evilglobex.example`). A rule with a port
//!   (`globex.example:8443`) matches only that port (the scheme's default
//!   when the URL names none); without one, any port. IP addresses match
//!   only exactly, never by wildcard.
//! - A client id no domain rule can match, whatever the rule: `http` to a
//!   non-loopback host or any other scheme; a URL with userinfo
//!   (`https://api.globex.example@evil.example`); a backslash, whitespace or
//!   control character anywhere (parsers disagree on them); a host not
//!   written as the parser reads it, up to ASCII case (percent-encoding,
//!   Unicode instead of its punycode A-labels, IPv4 shorthand such as
//!   `0x7f.1`); a host with an empty label (a trailing dot, `a..b`).
//!
//! The path, query and fragment of a URL client id are not compared.
//!
//! An OpenID4VP request names its verifier by a signed identity instead
//! (see [`VerifierIdentity`]): a verifier whose request object verified
//! under its DID is matched by `did` rules naming that DID, never by
//! `domain` rules; an unsigned request (`redirect_uri:` prefix) is
//! anonymous and matched only by rules with `anonymous = true`, which name
//! no verifier (without one, an anonymous verifier receives nothing).
//!
//! ```toml
//! [[verifier]]
//! name = "anyone"
//! anonymous = true
//! claims = ["organization"]
//! ```

use crate::WalletError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod allowance;
mod identity;
mod origin;

pub use allowance::Allowance;
pub use identity::VerifierIdentity;
use origin::{web_origin, DomainPattern, WebOrigin};

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
# elements = { capabilities = ["invoices.read"] }   # optional: of a list, only these
#
# An OpenID4VP verifier is matched by the DID whose key signed its request
# (`did` rules only). An unsigned OpenID4VP request is anonymous: it gets
# only what `anonymous = true` rules allow, and nothing without one.
#
# [[verifier]]
# anonymous = true
# claims = ["organization"]
"#;

/// Why a holder policy could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// The verifier's exact `client_id` (usually its DID), compared byte
    /// for byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub did: Option<String>,
    /// The verifier's host (`*.` prefix for subdomains too, `:port` for
    /// one port only); matched against URL client ids, never DIDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Matches anonymous verifiers (unsigned OpenID4VP requests) and
    /// nothing else; such a rule names no `did` or `domain`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
    /// The claims it may receive.
    pub claims: Vec<String>,
    /// For some of those claims, the only elements (list elements, or the
    /// value of a single-valued claim, by lexical form) it may receive.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub elements: BTreeMap<String, Vec<String>>,
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

impl VerifierRule {
    fn matches(&self, client_id: &str, origin: Option<&WebOrigin>) -> bool {
        if self.did.as_deref() == Some(client_id) {
            return true;
        }
        match (self.domain.as_deref(), origin) {
            // A domain that does not parse matches nothing (`from_toml`
            // refuses it; `allow_domain` cannot).
            (Some(domain), Some(origin)) => {
                DomainPattern::parse(domain).is_ok_and(|p| p.matches(origin))
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
            match (&rule.did, &rule.domain, rule.anonymous) {
                (Some(_), Some(_), _) => return Err(invalid("give `did` or `domain`, not both")),
                (None, None, false) => {
                    return Err(invalid(
                        "give the verifier's `did` or `domain` (or `anonymous = true`)",
                    ))
                }
                (Some(_), _, true) | (_, Some(_), true) => {
                    return Err(invalid(
                        "an `anonymous` rule names no verifier: drop `did` / `domain`",
                    ))
                }
                _ => {}
            }
            if rule.claims.iter().any(|c| c.trim().is_empty()) {
                return Err(invalid("an empty claim name"));
            }
            check_elements(rule).map_err(|reason| invalid(&reason))?;
            if rule.did.as_deref().is_some_and(|d| d.trim().is_empty()) {
                return Err(invalid("an empty `did`"));
            }
            if let Some(domain) = &rule.domain {
                DomainPattern::parse(domain).map_err(|reason| invalid(&reason))?;
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
            anonymous: false,
            claims: claims.iter().map(|c| c.to_string()).collect(),
            elements: BTreeMap::new(),
        });
        self
    }

    /// Allows `claims` for verifiers on `domain` (see the module doc; a
    /// domain [`HolderPolicy::from_toml`] would refuse matches nothing).
    pub fn allow_domain(mut self, domain: &str, claims: &[&str]) -> Self {
        self.verifiers.push(VerifierRule {
            name: None,
            did: None,
            domain: Some(domain.into()),
            anonymous: false,
            claims: claims.iter().map(|c| c.to_string()).collect(),
            elements: BTreeMap::new(),
        });
        self
    }

    /// Allows `claims` for anonymous verifiers (unsigned OpenID4VP
    /// requests).
    pub fn allow_anonymous(mut self, claims: &[&str]) -> Self {
        self.verifiers.push(VerifierRule {
            name: None,
            did: None,
            domain: None,
            anonymous: true,
            claims: claims.iter().map(|c| c.to_string()).collect(),
            elements: BTreeMap::new(),
        });
        self
    }

    /// Narrows the rule added last: of `claim` (which it should allow), only
    /// `elements` may be disclosed to its verifier. Without a rule, does
    /// nothing.
    pub fn only_elements(mut self, claim: &str, elements: &[&str]) -> Self {
        if let Some(rule) = self.verifiers.last_mut() {
            rule.elements.insert(
                claim.to_owned(),
                elements.iter().map(|e| e.to_string()).collect(),
            );
        }
        self
    }

    /// What `client_id` may receive: claims, and their allowed elements
    /// (see the module doc for how rules match).
    pub fn allowance(&self, client_id: &str) -> Allowance {
        let origin = web_origin(client_id);
        let mut allowance = Allowance::default();
        for rule in self
            .verifiers
            .iter()
            .filter(|r| r.matches(client_id, origin.as_ref()))
        {
            allowance.add(rule);
        }
        allowance
    }

    /// The claims (dotted paths) `client_id` may receive (see the module
    /// doc for how rules match).
    pub fn allowed_claims(&self, client_id: &str) -> BTreeSet<String> {
        self.allowance(client_id)
            .claims()
            .map(str::to_owned)
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

/// An `elements` table names claims of the rule, each with some elements.
fn check_elements(rule: &VerifierRule) -> Result<(), String> {
    let claims: BTreeSet<String> = rule.claims.iter().map(|c| normalize_claim(c)).collect();
    for (claim, elements) in &rule.elements {
        if !claims.contains(&normalize_claim(claim)) {
            return Err(format!(
                "`elements` names `{claim}`, which is not among its `claims`"
            ));
        }
        if elements.is_empty() || elements.iter().any(|e| e.is_empty()) {
            return Err(format!(
                "`elements` for `{claim}`: list some non-empty elements (or drop the claim)"
            ));
        }
    }
    Ok(())
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

    #[test]
    fn element_rules_name_allowed_claims_and_round_trip() {
        for (elements, why) in [
            ("{ owner = [\"x\"] }", "not among its `claims`"),
            ("{ capabilities = [] }", "non-empty"),
            ("{ capabilities = [\"\"] }", "non-empty"),
        ] {
            let toml = format!(
                "[[verifier]]\ndid = \"d\"\nclaims = [\"capabilities\"]\nelements = {elements}\n"
            );
            match HolderPolicy::from_toml(&toml) {
                Err(PolicyError::Invalid { index: 1, reason }) => {
                    assert!(reason.contains(why), "{reason}")
                }
                other => panic!("{elements}: {other:?}"),
            }
        }
        let p = HolderPolicy::default()
            .allow_did("did:web:globex.example", &["organization", "capabilities"])
            .only_elements("capabilities", &["invoices.read"]);
        let text = p.to_toml().unwrap();
        assert_eq!(HolderPolicy::from_toml(&text).unwrap(), p, "{text}");
        // A policy without element rules writes none.
        let plain = HolderPolicy::default().allow_did("d", &["organization"]);
        assert!(!plain.to_toml().unwrap().contains("elements"));
    }
}
