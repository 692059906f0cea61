//! The agent profile: what an `AgentCredential` says about one agent instance.

use serde::{Deserialize, Serialize};

/// The credential type Credence issues to agents.
pub const AGENT_CREDENTIAL_TYPE: &str = "AgentCredential";

/// JSON pointers that are always disclosed: issuer, validity window and the
/// subject's id (the agent DID). Types are always disclosed by bbs-2023.
pub const MANDATORY_POINTERS: &[&str] = &[
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/credentialSubject/id",
];

/// The `credentialSubject` claim names an [`AgentProfile`] carries, as in JSON.
pub const PROFILE_CLAIMS: &[&str] = &[
    "organization",
    "owner",
    "purpose",
    "modelName",
    "modelVersion",
    "runtimeDigest",
    "capabilities",
];

/// The claims about one agent instance, as carried in `credentialSubject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentProfile {
    /// The organization operating the agent (display name).
    pub organization: String,
    /// The human principal the agent acts for (a DID or `mailto:` URI).
    pub owner: String,
    /// What the agent is for, in a few words.
    pub purpose: String,
    /// The model the agent runs on.
    pub model_name: String,
    /// The model version.
    pub model_version: String,
    /// Digest of the agent's runtime image, e.g. `sha256:…`.
    pub runtime_digest: String,
    /// Capabilities granted by the issuing organization, e.g. `invoices.read`.
    pub capabilities: Vec<String>,
}

impl AgentProfile {
    /// A sample profile — Acme's invoice-reconciling procurement agent — for
    /// demos, examples and tests.
    pub fn sample() -> Self {
        Self {
            organization: "Acme Corp".into(),
            owner: "mailto:alice@acme.example".into(),
            purpose: "Reconcile supplier invoices".into(),
            model_name: "claude-procurement".into(),
            model_version: "2026-10".into(),
            runtime_digest:
                "sha256:4c1f6e1a0bd7d2d1e3c2a5f58b3c9d2e7f0a1b2c3d4e5f60718293a4b5c6d7e8".into(),
            capabilities: vec!["invoices.read".into(), "orders.create".into()],
        }
    }

    /// The `credentialSubject` object for the agent `agent_did`.
    pub fn to_subject(&self, agent_did: &str) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("id".into(), agent_did.into());
        }
        v
    }
}

/// A DCQL query (credential query id `agent`) for a Credence
/// `AgentCredential` disclosing the subject claims `claims`: the request
/// Credence's own agents answer. A verifier asks for any other type with
/// its own [`crate::DcqlQuery`].
pub fn agent_credential_query(claims: &[&str]) -> crate::DcqlQuery {
    use crate::{expand_credential_type, ClaimsQuery, CredentialQuery};
    crate::DcqlQuery {
        credentials: vec![CredentialQuery::ldp_vc(
            "agent",
            vec![
                expand_credential_type("VerifiableCredential"),
                expand_credential_type(AGENT_CREDENTIAL_TYPE),
            ],
            claims.iter().map(|c| ClaimsQuery::subject(c)).collect(),
        )],
        credential_sets: None,
    }
}

/// The `vct` of Credence's `AgentCredential` as an SD-JWT VC.
pub const AGENT_CREDENTIAL_VCT: &str = "https://ns.credence.dev/v1/AgentCredential";

/// The `vct` a policy's type name stands for when Credence defines it
/// (`AgentCredential`), so one policy entry trusts both formats.
pub fn built_in_vct(type_name: &str) -> Option<&'static str> {
    (type_name == AGENT_CREDENTIAL_TYPE).then_some(AGENT_CREDENTIAL_VCT)
}

/// The SD-JWT VC form of [`agent_credential_query`]: query `agent`,
/// format `dc+sd-jwt`, `vct` [`AGENT_CREDENTIAL_VCT`], the claims at the
/// top of the SD-JWT's claims.
pub fn agent_sd_jwt_query(claims: &[&str]) -> crate::DcqlQuery {
    use crate::{ClaimPath, ClaimsQuery, CredentialQuery};
    let claims = claims
        .iter()
        .map(|c| ClaimsQuery {
            id: None,
            path: ClaimPath(vec![(*c).to_owned()]),
            values: None,
        })
        .collect();
    crate::DcqlQuery {
        credentials: vec![CredentialQuery::sd_jwt(
            "agent",
            vec![AGENT_CREDENTIAL_VCT.to_owned()],
            claims,
        )],
        credential_sets: None,
    }
}
