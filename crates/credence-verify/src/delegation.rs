//! Checking a delegation chain: principal → agent → … → the holder.
//!
//! Every link is checked — shape, context, the delegator's signature with a
//! key its DID authorizes for `assertionMethod`, validity, status — and the
//! links must connect: each names its parent by id and digest, the
//! delegate of one is the delegator of the next, the last delegate is the
//! holder. Each link may only narrow its parent (capabilities ⊆, audiences
//! ⊆, `validUntil` ≤), the chain must fit every ancestor's `maxDepth`, and
//! the root must be a principal the policy trusts.

use crate::presentation::check_context;
use crate::status::StatusChecker;
use crate::{ProofTarget, TrustPolicy, VerifyError};
use chrono::{DateTime, Utc};
use credence_core::{
    link_digest, verify_eddsa_rdfc, DelegationLink, CREDENCE_CONTEXT_URL, MAX_CHAIN_LENGTH,
    VC_V2_CONTEXT_URL,
};
use credence_did::{authorized_method, did_of, LocalResolver, ResolveDid};
use serde_json::Value;
use ssi::json_ld::ContextLoader;

/// What a verified chain allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The human principal every link names.
    pub principal: String,
    /// The root delegator (the principal, or an org acting for them).
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

/// Inputs shared by every link's check.
pub(crate) struct ChainContext<'a> {
    pub policy: &'a TrustPolicy,
    pub resolver: &'a dyn ResolveDid,
    pub loader: &'a ContextLoader,
    pub status: &'a StatusChecker,
    /// The org whose status lists the links' `credentialStatus` must use:
    /// the trusted issuer of the holder's AgentCredential.
    pub status_issuer: &'a str,
    pub now: DateTime<Utc>,
}

fn broken(link: usize, reason: impl Into<String>) -> VerifyError {
    VerifyError::DelegationBroken {
        link,
        reason: reason.into(),
    }
}

fn exceeds(link: usize, reason: impl Into<String>) -> VerifyError {
    VerifyError::DelegationExceedsParent {
        link,
        reason: reason.into(),
    }
}

/// Verifies `links` (root first) as the chain authorizing `holder`.
pub(crate) async fn verify_chain(
    links: &[Value],
    holder: &str,
    cx: &ChainContext<'_>,
) -> Result<VerifiedChain, VerifyError> {
    if links.is_empty() || links.len() > MAX_CHAIN_LENGTH {
        return Err(VerifyError::Malformed(format!(
            "a delegation chain has 1..={MAX_CHAIN_LENGTH} links"
        )));
    }
    let parsed: Vec<DelegationLink> = links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            check_context(l, &[VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL])?;
            DelegationLink::parse(l)
                .map_err(|e| VerifyError::Malformed(format!("delegation link {i}: {e}")))
        })
        .collect::<Result<_, _>>()?;

    // Trust the root before resolving or fetching anything it names.
    let root = &parsed[0];
    if !cx.policy.trusts_principal(&root.delegator) {
        return Err(VerifyError::UntrustedPrincipal(root.delegator.clone()));
    }
    if root.parent.is_some() {
        return Err(broken(0, "the root link names a parent"));
    }
    let principal = root.grant.principal.clone();
    if !LocalResolver::supports(&principal) && principal != root.delegator {
        // The principal is a person's DID; only an org may sign for one.
        return Err(broken(0, "the principal must be a did:key or did:jwk"));
    }

    let n = parsed.len();
    for (i, link) in parsed.iter().enumerate() {
        // Connection to the parent and to the next link.
        if let Some(parent) = i.checked_sub(1).map(|p| &parsed[p]) {
            let reference = link
                .parent
                .as_ref()
                .ok_or_else(|| broken(i, "no parentDelegation"))?;
            if reference.id != parent.id {
                return Err(broken(
                    i,
                    format!("parent is {}, not {}", reference.id, parent.id),
                ));
            }
            if Some(&reference.digest) != link_digest(&parent.document).as_ref() {
                return Err(broken(i, "parentDigest does not match the parent link"));
            }
            if link.delegator != parent.grant.delegate {
                return Err(broken(
                    i,
                    format!(
                        "signed by {}, but the parent delegated to {}",
                        link.delegator, parent.grant.delegate
                    ),
                ));
            }
            check_narrower(i, link, parent)?;
        }
        if link.grant.principal != principal {
            return Err(broken(i, "names another principal than the root"));
        }
        let expected = if i + 1 == n {
            holder
        } else {
            &parsed[i + 1].delegator
        };
        if link.grant.delegate != expected {
            return Err(broken(
                i,
                format!("delegates to {}, not {expected}", link.grant.delegate),
            ));
        }
        // Depth: the hops below this link fit its limit.
        let below = (n - 1 - i) as u32;
        if below > link.grant.max_depth {
            return Err(VerifyError::DelegationDepthExceeded {
                link: i,
                limit: link.grant.max_depth,
            });
        }
        if cx.now < link.grant.valid_from {
            return Err(VerifyError::NotYetValid(format!(
                "delegation link {i}: {}",
                link.grant.valid_from.to_rfc3339()
            )));
        }
        if cx.now >= link.grant.valid_until {
            return Err(VerifyError::Expired(format!(
                "delegation link {i}: {}",
                link.grant.valid_until.to_rfc3339()
            )));
        }
        verify_link_proof(i, link, cx).await?;
        cx.status
            .check(
                &link.document,
                cx.status_issuer,
                cx.resolver,
                cx.loader,
                cx.now,
            )
            .await?;
    }

    let leaf = &parsed[n - 1];
    let audiences = parsed
        .iter()
        .rev()
        .find(|l| !l.grant.audiences.is_empty())
        .map(|l| l.grant.audiences.clone());
    Ok(VerifiedChain {
        principal,
        root: root.delegator.clone(),
        actors: parsed.iter().map(|l| l.grant.delegate.clone()).collect(),
        capabilities: leaf.grant.capabilities.clone(),
        audiences,
        valid_until: parsed
            .iter()
            .map(|l| l.grant.valid_until)
            .min()
            .unwrap_or(cx.now),
        link_ids: parsed.iter().map(|l| l.id.clone()).collect(),
        purpose: leaf.grant.purpose.clone(),
    })
}

/// A child may only narrow its parent. With this checked at every step,
/// the leaf's capabilities and audiences are the intersection along the
/// chain.
fn check_narrower(
    i: usize,
    link: &DelegationLink,
    parent: &DelegationLink,
) -> Result<(), VerifyError> {
    let extra: Vec<&str> = link
        .grant
        .capabilities
        .iter()
        .filter(|c| !parent.grant.capabilities.contains(c))
        .map(String::as_str)
        .collect();
    if !extra.is_empty() {
        return Err(exceeds(
            i,
            format!("capabilities {extra:?} are not granted by the parent"),
        ));
    }
    if !parent.grant.audiences.is_empty() {
        if link.grant.audiences.is_empty() {
            return Err(exceeds(i, "drops the parent's audience restriction"));
        }
        if let Some(a) = link
            .grant
            .audiences
            .iter()
            .find(|a| !parent.grant.audiences.contains(a))
        {
            return Err(exceeds(
                i,
                format!("audience {a} is not granted by the parent"),
            ));
        }
    }
    if link.grant.valid_until > parent.grant.valid_until {
        return Err(exceeds(i, "outlives its parent (validUntil)"));
    }
    if link.grant.max_depth >= parent.grant.max_depth {
        // Depth limits shrink by at least one per hop; the depth check on
        // every ancestor catches this too, this names the offending link.
        return Err(VerifyError::DelegationDepthExceeded {
            link: i - 1,
            limit: parent.grant.max_depth,
        });
    }
    Ok(())
}

async fn verify_link_proof(
    i: usize,
    link: &DelegationLink,
    cx: &ChainContext<'_>,
) -> Result<(), VerifyError> {
    let bad = |reason: String| VerifyError::BadProof {
        target: ProofTarget::Delegation,
        reason: format!("link {i}: {reason}"),
    };
    let proof = link
        .document
        .get("proof")
        .filter(|p| p.is_object())
        .ok_or_else(|| bad("exactly one proof object expected".into()))?;
    let field = |k: &str| proof.get(k).and_then(Value::as_str).unwrap_or_default();
    if field("cryptosuite") != "eddsa-rdfc-2022" {
        return Err(bad("cryptosuite must be eddsa-rdfc-2022".into()));
    }
    let method = field("verificationMethod");
    if did_of(method) != link.delegator {
        return Err(bad(format!(
            "signed by {method}, not by {}",
            link.delegator
        )));
    }
    if field("proofPurpose") != "assertionMethod" {
        return Err(VerifyError::KeyNotAuthorized {
            method: method.to_owned(),
            purpose: "assertionMethod".into(),
        });
    }
    // Agents (every non-root delegator) resolve locally; the root was
    // trusted by the policy before this point.
    let resolver: &dyn ResolveDid = if i == 0 { cx.resolver } else { &LocalResolver };
    if i > 0 && !LocalResolver::supports(&link.delegator) {
        return Err(broken(i, "agents delegate with did:key or did:jwk"));
    }
    let authorized = authorized_method(resolver, method, "assertionMethod").await?;
    let controller = resolver.resolve_did(&authorized.did).await?;
    verify_eddsa_rdfc(&link.document, controller, cx.loader, cx.now)
        .await
        .map_err(bad)
}
