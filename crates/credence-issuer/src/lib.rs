#![forbid(unsafe_code)]
//! The Issuer role: an organization's credential authority.
//!
//! An [`Issuer`] holds the organization's BLS12-381 key (identified by a
//! did:key) and issues W3C VC 2.0 `AgentCredential`s secured with a
//! `bbs-2023` base proof, so that agents can later disclose only what a
//! counterparty asks for. It does not store what it issues, publish status
//! lists or serve HTTP; those come with later roles and crates.

use chrono::{DateTime, SecondsFormat, Utc};
use credence_bbs2023::{sign_base, Bbs2023Error, BbsKeyPair, BbsPublicKey};
use credence_core::{
    context_loader, AgentProfile, AGENT_CREDENTIAL_TYPE, CREDENCE_CONTEXT_URL, MANDATORY_POINTERS,
    VC_V2_CONTEXT_URL,
};
use serde_json::{json, Value};
use ssi::json_ld::ContextLoader;

/// Errors while issuing.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The validity window is empty or reversed.
    #[error("validUntil ({until}) must be after validFrom ({from})")]
    InvalidValidity {
        /// Start of validity.
        from: String,
        /// End of validity.
        until: String,
    },
    /// The subject is not a DID.
    #[error("the credential subject must be a DID, got `{0}`")]
    InvalidSubject(String),
    /// Creating the bbs-2023 proof failed.
    #[error("signing failed: {0}")]
    Signing(#[from] Bbs2023Error),
}

/// An organization's credential issuer.
#[derive(Debug)]
pub struct Issuer {
    keys: BbsKeyPair,
    did: String,
    loader: ContextLoader,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Issuer {
    /// An issuer with a freshly generated key.
    pub fn generate() -> Result<Self, IssueError> {
        Ok(Self::from_keys(BbsKeyPair::generate()?))
    }

    /// An issuer using an existing key pair.
    pub fn from_keys(keys: BbsKeyPair) -> Self {
        Self {
            did: keys.public_key().did_key(),
            keys,
            loader: context_loader(),
        }
    }

    /// The issuer's DID (`did:key:zUC7…`).
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The issuer's BBS public key.
    pub fn public_key(&self) -> &BbsPublicKey {
        self.keys.public_key()
    }

    /// Issues an `AgentCredential` about `agent_did`, valid from `valid_from`
    /// until `valid_until`. Issuer, validity and the subject id are
    /// mandatory disclosures; every profile claim is selectively disclosable.
    pub async fn issue_agent_credential(
        &self,
        agent_did: &str,
        profile: &AgentProfile,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
    ) -> Result<Value, IssueError> {
        if !agent_did.starts_with("did:") {
            return Err(IssueError::InvalidSubject(agent_did.into()));
        }
        if valid_until <= valid_from {
            return Err(IssueError::InvalidValidity {
                from: timestamp(valid_from),
                until: timestamp(valid_until),
            });
        }
        let credential = json!({
            "@context": [VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL],
            "type": ["VerifiableCredential", AGENT_CREDENTIAL_TYPE],
            "issuer": self.did,
            "validFrom": timestamp(valid_from),
            "validUntil": timestamp(valid_until),
            "credentialSubject": profile.to_subject(agent_did),
        });
        let pointers: Vec<String> = MANDATORY_POINTERS.iter().map(|p| p.to_string()).collect();
        self.issue_document(&credential, &pointers).await
    }

    /// Secures any VC 2.0 document with a `bbs-2023` base proof by this
    /// issuer. The document's `issuer` must already be this issuer's DID;
    /// its contexts must be known to the loader (Credence's or W3C's).
    pub async fn issue_document(
        &self,
        document: &Value,
        mandatory_pointers: &[String],
    ) -> Result<Value, IssueError> {
        let vm = self.keys.public_key().did_key_url();
        let created = timestamp(Utc::now());
        Ok(sign_base(
            document,
            &self.keys,
            &vm,
            Some(&created),
            mandatory_pointers,
            &self.loader,
        )
        .await?)
    }
}
