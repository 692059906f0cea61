//! What verification established. Only [`crate::Verifier::verify`] makes
//! these, and only a [`VerifiedPresentation`] can be minted into a token.

use crate::policy::{CredentialFacts, NamedClaims, PolicyTypes};
use crate::signed::credential::StatusEntry;
use crate::TrustPolicy;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::sync::Arc;

/// What a verified delegation chain allows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VerifiedChain {
    /// The human principal every link names (a DID that signed the root,
    /// or on whose behalf a trusted organization signed it).
    pub principal: String,
    /// The root delegator (the principal, or an organization acting for them).
    pub root: String,
    /// The delegates from the first to the holder.
    pub actors: Vec<String>,
    /// Capabilities every link allows (the intersection along the chain).
    pub capabilities: Vec<String>,
    /// Audiences every restricting link allows; `None` = unrestricted.
    pub audiences: Option<Vec<String>>,
    /// The earliest `validUntil` of the chain.
    pub valid_until: DateTime<Utc>,
    /// The link ids, root first.
    pub link_ids: Vec<String>,
    /// The last link's purpose.
    pub purpose: String,
    /// Every link's status entries (in the organization's lists).
    pub status: Vec<StatusEntry>,
}

impl VerifiedChain {
    /// The principal, then each delegate down to the holder: the path an
    /// audit entry records.
    pub fn path(&self) -> Vec<String> {
        std::iter::once(&self.principal)
            .chain(&self.actors)
            .cloned()
            .collect()
    }
}

/// A credential of a verified presentation, as its verified statements
/// state it.
#[derive(Debug, Clone)]
pub struct VerifiedCredential {
    pub(crate) query: String,
    pub(crate) issuer: String,
    pub(crate) policy_types: PolicyTypes,
    pub(crate) types: Vec<String>,
    pub(crate) subject: String,
    pub(crate) valid_until: Option<DateTime<Utc>>,
    pub(crate) status: Vec<StatusEntry>,
    pub(crate) claims: NamedClaims,
    pub(crate) disclosed: Map<String, Value>,
    pub(crate) method: String,
}

impl VerifiedCredential {
    /// The id of the credential query it answers.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The trusted issuer's DID.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The policy's names of the types it is trusted as.
    pub fn policy_types(&self) -> &PolicyTypes {
        &self.policy_types
    }

    /// Every type the credential states (IRIs).
    pub fn types(&self) -> &[String] {
        &self.types
    }

    /// The subject's DID (the holder).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// `validUntil`, when disclosed.
    pub fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.valid_until
    }

    /// The verification method that signed it.
    pub fn verification_method(&self) -> &str {
        &self.method
    }

    /// The verified values of every claim the policy reads for its types,
    /// by the policy's claim name; with a delegation chain, only the
    /// delegated `capabilities`, narrowed to what the chain allows.
    pub fn claims(&self) -> &NamedClaims {
        &self.claims
    }

    /// The disclosed subject claims as received (for display: safe mode
    /// made them say what the statements say; decisions read
    /// [`VerifiedCredential::claims`]).
    pub fn disclosed(&self) -> &Map<String, Value> {
        &self.disclosed
    }

    /// What the policy reads of it.
    pub fn facts(&self) -> CredentialFacts<'_> {
        CredentialFacts {
            issuer: &self.issuer,
            types: &self.policy_types,
            claims: &self.claims,
        }
    }
}

/// A presentation whose every proof, binding and policy check passed. It
/// is not `Clone`: it mints one token ([`crate::TokenIssuer::mint`] takes
/// it by value), as its nonce answered one request.
#[derive(Debug)]
pub struct VerifiedPresentation {
    pub(crate) holder: String,
    pub(crate) holder_jkt: String,
    pub(crate) credentials: Vec<VerifiedCredential>,
    pub(crate) verifier: String,
    pub(crate) chain: Option<VerifiedChain>,
    pub(crate) correlation: String,
    /// The policy snapshot it was verified under; minting maps scopes with
    /// the same one.
    pub(crate) policy: Arc<TrustPolicy>,
}

impl VerifiedPresentation {
    /// The agent's DID (holder = VP signer = every credential's subject).
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// RFC 7638 thumbprint of the agent's key.
    pub fn holder_jkt(&self) -> &str {
        &self.holder_jkt
    }

    /// The verified credentials, one per answered credential query, in the
    /// presentation's order.
    pub fn credentials(&self) -> &[VerifiedCredential] {
        &self.credentials
    }

    /// The credential answering credential query `id`.
    pub fn answer(&self, id: &str) -> Option<&VerifiedCredential> {
        self.credentials.iter().find(|c| c.query == id)
    }

    /// What the policy reads of every credential.
    pub fn facts(&self) -> Vec<CredentialFacts<'_>> {
        self.credentials
            .iter()
            .map(VerifiedCredential::facts)
            .collect()
    }

    /// The earliest `validUntil` of the credentials.
    pub fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.credentials.iter().filter_map(|c| c.valid_until).min()
    }

    /// The verified delegation chain, when one was presented.
    pub fn chain(&self) -> Option<&VerifiedChain> {
        self.chain.as_ref()
    }

    /// The correlation id of this exchange in the audit log.
    pub fn correlation(&self) -> &str {
        &self.correlation
    }

    /// The policy snapshot it was verified under.
    pub fn policy(&self) -> &TrustPolicy {
        &self.policy
    }
}
