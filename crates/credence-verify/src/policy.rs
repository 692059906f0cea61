//! The verifier's trust policy: which issuers are trusted for which
//! credential types, which claim values every accepted credential must
//! have, and how verified claims map to scopes. The format is documented
//! in `docs/policy.md`.
//!
//! ```toml
//! [[context]]                        # a JSON-LD context the reviewers accepted
//! url = "https://vocab.partner.example/agent/v1"
//! file = "contexts/agent-v1.jsonld"  # relative to this file; never fetched
//! sha256 = "d0750748…"               # hex digest of the file's bytes
//!
//! [[issuer]]
//! did = "did:web:acme.example"
//! name = "Acme Corp"
//! credential_types = ["AgentCredential"]
//! # require_valid_until = true      # default: credentials must disclose validUntil
//! # require_status = true           # default: … and a credentialStatus entry
//! # max_validity_days = 30          # optional: validFrom → validUntil at most
//! # signs_for_principals = false    # may root delegation chains for humans
//! # formats = ["bbs-2023"]          # default: bbs-2023, eddsa-rdfc-2022, ecdsa-rdfc-2019;
//! #                                 # "dc+sd-jwt" (SD-JWT VCs) only when listed
//! # require_presentation_header = false  # true: a bbs-2023 header must be the nonce
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
//! [delegation]                       # the claim a chain's capabilities narrow
//! credential_type = "AgentCredential"
//! claim = "capabilities"
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
use std::collections::{BTreeMap, BTreeSet};

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

/// The policy's type names (as the policy spells them) that a verified
/// credential is trusted as: each name's IRI, in the credential's own
/// contexts, is among its types and among its issuer's trusted types.
pub type PolicyTypes = BTreeSet<String>;

/// The securing mechanisms (cryptosuites) a credential inside a
/// presentation may use.
pub const CREDENTIAL_SUITES: &[&str] = &["bbs-2023", "eddsa-rdfc-2022", "ecdsa-rdfc-2019"];

/// Every format an issuer entry may list: the Data Integrity
/// cryptosuites, and `dc+sd-jwt` (SD-JWT VCs, never accepted unless listed).
pub const CREDENTIAL_FORMATS: &[&str] = &[
    "bbs-2023",
    "eddsa-rdfc-2022",
    "ecdsa-rdfc-2019",
    credence_core::DC_SD_JWT,
];

fn all_suites() -> Vec<String> {
    CREDENTIAL_SUITES.iter().map(|s| (*s).to_owned()).collect()
}

/// What the policy reads of one verified credential.
#[derive(Debug, Clone, Copy)]
pub struct CredentialFacts<'a> {
    /// Its issuer's DID.
    pub issuer: &'a str,
    /// The policy type names it is trusted as.
    pub types: &'a PolicyTypes,
    /// Its verified claims, by the names the policy uses.
    pub claims: &'a NamedClaims,
}

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
    /// The credential types it may assert: full IRIs, or names the
    /// credential's own contexts define (matched on expanded IRIs).
    pub credential_types: Vec<String>,
    /// The cryptosuites its credentials may be secured with (default: all
    /// of [`CREDENTIAL_SUITES`]).
    #[serde(default = "all_suites")]
    pub formats: Vec<String>,
    /// A bbs-2023 presentation header must be present and equal the nonce
    /// (default `false`: an empty header is accepted, since the holder's
    /// signature over the presentation binds the nonce and the subject is
    /// the holder; a non-empty one must equal the nonce either way).
    #[serde(default)]
    pub require_presentation_header: bool,
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

impl TrustedIssuer {
    /// An entry for `did` trusted for `credential_types`, with the
    /// defaults a policy file gets (validUntil and status required, every
    /// cryptosuite, no presentation header required).
    pub fn new(did: &str, name: &str, credential_types: &[&str]) -> Self {
        Self {
            did: did.to_owned(),
            name: name.to_owned(),
            credential_types: credential_types.iter().map(|t| (*t).to_owned()).collect(),
            formats: all_suites(),
            require_presentation_header: false,
            require_valid_until: true,
            require_status: true,
            max_validity_days: None,
            signs_for_principals: false,
        }
    }
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
    /// JSON-LD contexts accepted beside the built-in ones.
    pub contexts: Vec<TrustedContext>,
    /// Trusted issuers.
    pub issuers: Vec<TrustedIssuer>,
    /// Principals whose delegation chains are accepted.
    pub principals: Vec<TrustedPrincipal>,
    /// The claim delegation chains narrow (required when a chain can be
    /// accepted: with principals or an issuer that signs for them).
    pub delegation: Option<DelegatedClaim>,
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

impl TrustPolicy {
    /// Whether delegation chains rooted at `did` are accepted.
    pub fn trusts_principal(&self, did: &str) -> bool {
        self.principals.iter().any(|p| p.did == did)
    }

    /// The trusted issuer `did`, if it is one.
    pub fn issuer(&self, did: &str) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| i.did == did)
    }

    /// Every claim name a constraint or rule reads for a credential
    /// trusted as one of `types`.
    pub fn claim_names(&self, types: &PolicyTypes) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .constraints
            .iter()
            .filter(|c| types.contains(&c.credential_type))
            .map(|c| c.claim.as_str())
            .chain(
                self.rules
                    .iter()
                    .filter(|r| types.contains(&r.credential_type))
                    .map(|r| r.claim.as_str()),
            )
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Every type name the policy uses (issuers, constraints, rules).
    pub fn type_names(&self) -> BTreeSet<&str> {
        self.issuers
            .iter()
            .flat_map(|i| i.credential_types.iter())
            .chain(self.constraints.iter().map(|c| &c.credential_type))
            .chain(self.rules.iter().map(|r| &r.credential_type))
            .map(String::as_str)
            .collect()
    }

    /// The first constraint `credential` violates, if any: every
    /// constraint naming one of its types (and its issuer, when the
    /// constraint names one) must hold for its claims.
    pub fn violated(&self, credential: CredentialFacts<'_>) -> Option<&Constraint> {
        self.constraints.iter().find(|c| {
            credential.types.contains(&c.credential_type)
                && c.issuer.as_deref().is_none_or(|i| i == credential.issuer)
                && !c.condition.holds(
                    credential
                        .claims
                        .get(&c.claim)
                        .map_or(&[][..], Vec::as_slice),
                )
        })
    }

    /// Every audience some rule grants scopes for.
    pub fn audiences(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.rules.iter().map(|r| r.audience.as_str()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// Every scope some rule can grant (RFC 8414 `scopes_supported`).
    pub fn scopes(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.rules.iter().map(|r| r.scope.as_str()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// The scopes the verified `credentials` earn together for
    /// `audience`: each rule reads the claims of the credentials of the
    /// type (and issuer) it names; the scopes combine.
    pub fn grant(&self, credentials: &[CredentialFacts<'_>], audience: &str) -> Grant {
        let mut scopes = Vec::new();
        let mut ttl = MAX_TOKEN_TTL_SECS;
        for rule in self.rules.iter().filter(|r| r.audience == audience) {
            let earned = credentials.iter().any(|c| {
                c.types.contains(&rule.credential_type)
                    && rule.issuer.as_deref().is_none_or(|i| i == c.issuer)
                    && rule
                        .condition
                        .holds(c.claims.get(&rule.claim).map_or(&[][..], Vec::as_slice))
            });
            if earned {
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

mod contexts;
mod delegation;
mod load;

pub use contexts::{
    policy_loader, TrustedContext, BUILT_IN_CONTEXTS, DATA_INTEGRITY_V2_CONTEXT_URL,
};
pub use delegation::{narrow_claims, DelegatedClaim};

#[cfg(test)]
mod tests;
