//! Delegation: the chain that authorizes this agent, and the links it
//! signs to hand a narrower part of that authority to a sub-agent.

use crate::{PresentError, Wallet};
use credence_core::{delegation_document, link_digest, DelegationGrant, DelegationLink, ParentRef};
use credence_store::{AuditRecord, Space};
use serde_json::Value;
use ssi::verification_methods::ProofPurpose;

const CHAIN_SETTING: &str = "delegation-chain";

fn refused(reason: impl Into<String>) -> PresentError {
    PresentError::Delegation(reason.into())
}

impl Wallet {
    /// Stores the delegation chain (root first) authorizing this agent;
    /// its last link must delegate to this wallet's DID. Presentations
    /// carry it from now on. An empty chain removes it.
    pub fn set_delegation_chain(&self, chain: &[Value]) -> Result<(), PresentError> {
        if let Some(last) = chain.last() {
            let link = DelegationLink::parse(last).map_err(refused)?;
            if link.grant.delegate != self.did {
                return Err(refused(format!(
                    "the chain delegates to {}, not to this agent",
                    link.grant.delegate
                )));
            }
        }
        let bytes = serde_json::to_vec(chain).map_err(|e| refused(e.to_string()))?;
        self.store.put(Space::Settings, CHAIN_SETTING, &bytes)?;
        Ok(())
    }

    /// The stored delegation chain (root first); empty when none.
    pub fn delegation_chain(&self) -> Result<Vec<Value>, PresentError> {
        match self.store.get(Space::Settings, CHAIN_SETTING)? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map_err(|_| refused("the stored delegation chain is unreadable")),
            None => Ok(Vec::new()),
        }
    }

    /// Delegates part of this agent's authority: checks `grant` narrows the
    /// wallet's own last link (capabilities ⊆, audiences ⊆, expiry ≤, depth
    /// left, same principal), signs the new link naming that parent, and
    /// returns the sub-agent's whole chain to hand it.
    pub async fn delegate(&self, grant: &DelegationGrant) -> Result<Vec<Value>, PresentError> {
        let mut chain = self.delegation_chain()?;
        let parent = chain
            .last()
            .ok_or_else(|| refused("this agent holds no delegation to pass on"))?;
        let own = DelegationLink::parse(parent).map_err(refused)?;
        let g = &own.grant;
        if g.max_depth == 0 {
            return Err(refused("this agent may not delegate further (maxDepth 0)"));
        }
        if grant.max_depth >= g.max_depth {
            return Err(refused(format!("maxDepth must be below {}", g.max_depth)));
        }
        if let Some(c) = grant
            .capabilities
            .iter()
            .find(|c| !g.capabilities.contains(c))
        {
            return Err(refused(format!(
                "capability {c} is not this agent's to give"
            )));
        }
        if !g.audiences.is_empty()
            && (grant.audiences.is_empty()
                || grant.audiences.iter().any(|a| !g.audiences.contains(a)))
        {
            return Err(refused("audiences must stay within this agent's"));
        }
        if grant.valid_until > g.valid_until {
            return Err(refused("the delegation would outlive this agent's own"));
        }
        if grant.principal != g.principal {
            return Err(refused("the principal must stay the same along the chain"));
        }
        let link = self.sign_delegation(grant, Some(parent)).await?;
        chain.push(link);
        Ok(chain)
    }

    /// Signs a delegation link from this agent with `grant`, naming
    /// `parent` (by id and digest) when given. This checks nothing: it
    /// signs what it is given (verifiers check the chain), and audits it.
    pub async fn sign_delegation(
        &self,
        grant: &DelegationGrant,
        parent: Option<&Value>,
    ) -> Result<Value, PresentError> {
        let parent_ref = match parent {
            Some(p) => Some(ParentRef {
                id: p
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| refused("the parent link has no id"))?
                    .to_owned(),
                digest: link_digest(p).ok_or_else(|| refused("the parent link is not signed"))?,
            }),
            None => None,
        };
        let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let document = delegation_document(&id, &self.did, grant, parent_ref.as_ref());
        let signed = self
            .sign_as_agent(document, ProofPurpose::Assertion, None)
            .await?;
        self.record(
            AuditRecord::new(&self.did, "sign_delegation", "done", &id)
                .principal(grant.principal.clone())
                .reason(format!(
                    "to {}: [{}], depth {}",
                    grant.delegate,
                    grant.capabilities.join(", "),
                    grant.max_depth
                )),
        )?;
        Ok(signed)
    }
}
