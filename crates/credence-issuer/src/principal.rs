//! Principals: the humans agents act for. A principal signs the root link
//! of a delegation chain with its own did:key; an organization's issuer
//! can sign it instead, on the principal's behalf
//! ([`Issuer::delegate_on_behalf`]).

use crate::{IssueError, Issuer};
use credence_core::{
    context_loader, delegation_document, sign_eddsa_rdfc, DelegationGrant, EddsaSigning,
};
use credence_did::resolve_local;
use serde_json::Value;
use ssi::dids::DIDKey;
use ssi::json_ld::ContextLoader;
use ssi::verification_methods::ProofPurpose;
use ssi::JWK;

/// A human principal holding an Ed25519 key (did:key).
pub struct Principal {
    key: JWK,
    did: String,
    method: String,
    loader: ContextLoader,
    clock: std::sync::Arc<dyn credence_core::Clock>,
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal").field("did", &self.did).finish()
    }
}

fn key_err(e: impl std::fmt::Display) -> IssueError {
    IssueError::StatusSigning(format!("principal key: {e}"))
}

fn link_id() -> String {
    format!("urn:uuid:{}", uuid::Uuid::new_v4())
}

impl Principal {
    /// A principal with a fresh key.
    pub fn generate() -> Result<Self, IssueError> {
        Self::from_key(JWK::generate_ed25519().map_err(key_err)?)
    }

    /// A principal holding `key` (Ed25519, with its private part).
    pub fn from_key(key: JWK) -> Result<Self, IssueError> {
        let did = DIDKey::generate(&key).map_err(key_err)?.to_string();
        let method = DIDKey::generate_url(&key).map_err(key_err)?.to_string();
        Ok(Self {
            key,
            did,
            method,
            loader: context_loader(),
            clock: std::sync::Arc::new(credence_core::SystemClock),
        })
    }

    /// Dates its signatures (`created`) by `clock` instead of the system
    /// clock (fixed-clock test vectors).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn credence_core::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The principal's DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// Signs the root link of a chain: `grant` from this principal (whose
    /// DID must be `grant.principal`) to an agent.
    pub async fn delegate(&self, grant: &DelegationGrant) -> Result<Value, IssueError> {
        if grant.principal != self.did {
            return Err(IssueError::Delegation(format!(
                "the grant names {} as principal, not {}",
                grant.principal, self.did
            )));
        }
        let document = delegation_document(&link_id(), &self.did, grant, None);
        let controller = resolve_local(&self.did).await.map_err(key_err)?;
        let signing = EddsaSigning {
            key: &self.key,
            method: &self.method,
            controller,
            purpose: ProofPurpose::Assertion,
            binding: None,
            created: Some(self.clock.now()),
            expires: None,
        };
        sign_eddsa_rdfc(document, signing, &self.loader)
            .await
            .map_err(IssueError::Delegation)
    }
}

impl Issuer {
    /// Signs the root link of a chain as the organization, on behalf of
    /// the human `grant.principal` (the org vouches that they authorized
    /// it). Needs the issuer's Ed25519 key (did:web issuers).
    pub async fn delegate_on_behalf(&self, grant: &DelegationGrant) -> Result<Value, IssueError> {
        let document = delegation_document(&link_id(), self.did(), grant, None);
        self.sign_eddsa(document).await
    }
}
