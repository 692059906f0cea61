//! What every role records about its decisions, and the [`AuditSink`]
//! they record it to. The tamper-evident log itself (hash chain, signed
//! checkpoints) lives in `credence-store`; roles only see this trait, so a
//! verifier embedded elsewhere can send its decisions to any sink.

use serde::{Deserialize, Serialize};

/// What a caller records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The DID that acted (agent, verifier, tool).
    pub actor: String,
    /// The principal on whose behalf, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The delegation path the action relied on: the principal first, then
    /// each delegate down to the agent acting now (empty without a chain).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// What happened (`present`, `sign`, `verify`, `mint`, `exchange`, …).
    pub action: String,
    /// `allow` or `deny` (or `done` for plain events).
    pub decision: String,
    /// The reason code or a short explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Ties together the entries of one exchange.
    pub correlation: String,
    /// The id of the HTTP request that made the decision (its
    /// `x-request-id`, also in the service's logs), when a service
    /// stamped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl AuditRecord {
    /// A record of `action` by `actor` under `correlation` with `decision`.
    pub fn new(actor: &str, action: &str, decision: &str, correlation: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            principal: None,
            chain: Vec::new(),
            action: action.to_owned(),
            decision: decision.to_owned(),
            reason: None,
            correlation: correlation.to_owned(),
            request_id: None,
        }
    }

    /// Adds the principal.
    pub fn principal(mut self, principal: impl Into<String>) -> Self {
        self.principal = Some(principal.into());
        self
    }

    /// Adds the delegation path (principal first, acting agent last).
    pub fn chain(mut self, chain: Vec<String>) -> Self {
        self.chain = chain;
        self
    }

    /// Adds the reason.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// Why a record could not be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The sink could not durably record the entry.
    #[error("audit log unavailable: {0}")]
    Unavailable(String),
}

/// Somewhere decisions are durably recorded. A role that cannot record a
/// decision refuses it: nothing is allowed unaudited.
pub trait AuditSink: Send + Sync + std::fmt::Debug {
    /// Appends `record`; returns only once it is durable.
    fn append(&self, record: AuditRecord) -> Result<(), AuditError>;
}
