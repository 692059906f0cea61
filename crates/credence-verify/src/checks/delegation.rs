//! Checking a delegation chain: principal → agent → … → the holder.
//!
//! Every link is a document of its own: safe mode, then what its
//! statements say. The root is checked first, before anything is resolved
//! or fetched: a human signing in their own name (a trusted
//! `[[principal]]`), or an organization the policy trusts to sign for the
//! principals it names (`signs_for_principals`); nobody roots a chain in
//! someone else's name. No DID appears twice along the chain (no cycle, no
//! self-delegation). The links connect (each names its parent by id and
//! digest, the delegate of one is the delegator of the next, the last
//! delegate is the holder), each only narrows its parent (capabilities ⊆,
//! audiences ⊆, `validUntil` ≤, `maxDepth` <), the chain fits every
//! ancestor's `maxDepth`, every link is valid now, signed by its delegator
//! for `assertionMethod`, and not revoked in the organization's lists.

use super::proofs::{verify_eddsa, ProofEnv};
use crate::parse::ProofHeader;
use crate::signed::graph::Statements;
use crate::signed::link::LinkStatements;
use crate::status_list::StatusLists;
use crate::verified::VerifiedChain;
use crate::{
    DelegationError, ParseError, ProofTarget, StatusError, TrustPolicy, ValidityError, VerifyError,
};
use credence_core::{link_digest, MAX_CHAIN_LENGTH};
use credence_did::LocalResolver;
use serde_json::Value;

/// Inputs shared by every link's check.
pub(crate) struct ChainContext<'a> {
    pub policy: &'a TrustPolicy,
    pub env: ProofEnv<'a>,
    pub status: &'a StatusLists,
    /// The lists the links' `credentialStatus` may use, with the trusted
    /// issuer that signs each: the URLs the holder's credentials' own
    /// (issuer-signed) status entries name. A link (signed by an agent)
    /// pointing anywhere else is refused before anything is fetched.
    pub status_lists: Vec<(&'a str, &'a str)>,
}

impl<'a> ChainContext<'a> {
    /// The context for a chain presented with `credentials`.
    pub fn new(
        policy: &'a TrustPolicy,
        env: ProofEnv<'a>,
        status: &'a StatusLists,
        credentials: &'a [crate::VerifiedCredential],
    ) -> Self {
        let status_lists = credentials
            .iter()
            .flat_map(|c| {
                c.status
                    .iter()
                    .map(|e| (c.issuer.as_str(), e.list.as_str()))
            })
            .collect();
        Self {
            policy,
            env,
            status,
            status_lists,
        }
    }

    /// The issuer whose list `url` is, if a credential names it.
    fn list_issuer(&self, url: &str) -> Option<&'a str> {
        self.status_lists
            .iter()
            .find(|(_, u)| *u == url)
            .map(|(issuer, _)| *issuer)
    }
}

/// A link read and not yet verified.
struct Link<'a> {
    document: &'a Value,
    stated: LinkStatements,
    header: ProofHeader,
}

fn broken(link: usize, reason: impl Into<String>) -> DelegationError {
    DelegationError::Broken {
        link,
        reason: reason.into(),
    }
}

fn exceeds(link: usize, reason: impl Into<String>) -> DelegationError {
    DelegationError::ExceedsParent {
        link,
        reason: reason.into(),
    }
}

/// Verifies `links` (root first; `statements` are theirs, in safe mode) as
/// the chain authorizing `holder`.
pub(crate) async fn verify_chain(
    links: &[Value],
    statements: Vec<Statements>,
    holder: &str,
    cx: &ChainContext<'_>,
) -> Result<VerifiedChain, VerifyError> {
    if links.is_empty() || links.len() > MAX_CHAIN_LENGTH {
        return Err(ParseError::Malformed(format!(
            "a delegation chain has 1..={MAX_CHAIN_LENGTH} links"
        ))
        .into());
    }
    let mut parsed = Vec::with_capacity(links.len());
    for (document, statements) in links.iter().zip(statements) {
        parsed.push(Link {
            document,
            stated: LinkStatements::read(statements)?,
            header: ProofHeader::parse(document, ProofTarget::Delegation)?,
        });
    }
    check_root(&parsed[0].stated, cx.policy)?;
    check_no_cycle(&parsed)?;
    for i in 0..parsed.len() {
        check_link(&parsed, i, holder, cx).await?;
    }
    Ok(chain_of(&parsed))
}

/// The root is trusted, names no parent, and is signed by its principal
/// or by an organization trusted to sign for principals.
fn check_root(root: &LinkStatements, policy: &TrustPolicy) -> Result<(), DelegationError> {
    if root.parent.is_some() {
        return Err(broken(0, "the root link names a parent"));
    }
    if root.delegator == root.principal {
        return if policy.trusts_principal(&root.principal) {
            Ok(())
        } else {
            Err(DelegationError::UntrustedPrincipal(root.principal.clone()))
        };
    }
    match policy.issuer(&root.delegator) {
        // A principal the policy lists delegates in her own name only: no
        // organization signs for her.
        Some(org) if org.signs_for_principals && !policy.trusts_principal(&root.principal) => {
            if root.principal.starts_with("did:") {
                Ok(())
            } else {
                Err(broken(0, "the principal must be a DID"))
            }
        }
        Some(_) => Err(DelegationError::PrincipalNotSigner {
            principal: root.principal.clone(),
            signer: root.delegator.clone(),
        }),
        None if policy.trusts_principal(&root.delegator) => {
            Err(DelegationError::PrincipalNotSigner {
                principal: root.principal.clone(),
                signer: root.delegator.clone(),
            })
        }
        None => Err(DelegationError::UntrustedPrincipal(root.delegator.clone())),
    }
}

/// The principal, the root signer and every delegate are distinct.
fn check_no_cycle(links: &[Link<'_>]) -> Result<(), DelegationError> {
    let root = &links[0].stated;
    let mut seen = vec![root.principal.as_str()];
    if root.delegator != root.principal {
        seen.push(&root.delegator);
    }
    for link in links {
        let delegate = link.stated.delegate.as_str();
        if seen.contains(&delegate) {
            return Err(DelegationError::Cycle(delegate.to_owned()));
        }
        seen.push(delegate);
    }
    Ok(())
}

async fn check_link(
    links: &[Link<'_>],
    i: usize,
    holder: &str,
    cx: &ChainContext<'_>,
) -> Result<(), VerifyError> {
    let link = &links[i].stated;
    let n = links.len();
    if let Some(parent) = i.checked_sub(1).map(|p| &links[p]) {
        check_connection(i, link, parent)?;
        check_narrower(i, link, &parent.stated)?;
    }
    if link.principal != links[0].stated.principal {
        return Err(broken(i, "names another principal than the root").into());
    }
    let expected = links
        .get(i + 1)
        .map_or(holder, |next| &next.stated.delegator);
    if link.delegate != expected {
        return Err(broken(i, format!("delegates to {}, not {expected}", link.delegate)).into());
    }
    let below = (n - 1 - i) as u32;
    if below > link.max_depth {
        return Err(DelegationError::DepthExceeded {
            link: i,
            limit: link.max_depth,
        }
        .into());
    }
    let now = cx.env.now;
    if now < link.valid_from {
        return Err(ValidityError::NotYetValid(format!(
            "delegation link {i}: {}",
            link.valid_from.to_rfc3339()
        ))
        .into());
    }
    if now >= link.valid_until {
        return Err(ValidityError::Expired(format!(
            "delegation link {i}: {}",
            link.valid_until.to_rfc3339()
        ))
        .into());
    }
    // Agents (every delegator but the root) resolve locally; the root was
    // trusted by the policy before this point.
    let env = if i == 0 {
        cx.env
    } else if LocalResolver::supports(&link.delegator) {
        cx.env.with_resolver(&LocalResolver)
    } else {
        return Err(broken(i, "agents delegate with did:key or did:jwk").into());
    };
    let header = &links[i].header;
    verify_eddsa(
        links[i].document,
        header,
        &link.delegator,
        "assertionMethod",
        env,
    )
    .await
    .map_err(|e| match e {
        VerifyError::BadProof { target, reason } => VerifyError::BadProof {
            target,
            reason: format!("link {i}: {reason}"),
        },
        other => other,
    })?;
    let mut signed_by = Vec::with_capacity(link.status.len());
    for entry in &link.status {
        let issuer = cx.list_issuer(&entry.list).ok_or_else(|| StatusError::ListInvalid {
            url: entry.list.clone(),
            reason: format!(
                "delegation link {i} names a list that none of the presented credentials' issuers' entries name"
            ),
        })?;
        signed_by.push(issuer);
    }
    for (entry, issuer) in link.status.iter().zip(signed_by) {
        cx.status
            .check(std::slice::from_ref(entry), issuer, cx.env)
            .await?;
    }
    Ok(())
}

/// The link names its parent by id and digest, and is signed by the
/// parent's delegate.
fn check_connection(
    i: usize,
    link: &LinkStatements,
    parent: &Link<'_>,
) -> Result<(), DelegationError> {
    let (id, digest) = link
        .parent
        .as_ref()
        .ok_or_else(|| broken(i, "no parentDelegation"))?;
    if *id != parent.stated.id {
        return Err(broken(
            i,
            format!("parent is {id}, not {}", parent.stated.id),
        ));
    }
    if Some(digest) != link_digest(parent.document).as_ref() {
        return Err(broken(i, "parentDigest does not match the parent link"));
    }
    if link.delegator != parent.stated.delegate {
        return Err(broken(
            i,
            format!(
                "signed by {}, but the parent delegated to {}",
                link.delegator, parent.stated.delegate
            ),
        ));
    }
    Ok(())
}

/// A child may only narrow its parent. With this checked at every step,
/// the leaf's capabilities and audiences are the intersection along the
/// chain.
fn check_narrower(
    i: usize,
    link: &LinkStatements,
    parent: &LinkStatements,
) -> Result<(), DelegationError> {
    let extra: Vec<&str> = link
        .capabilities
        .iter()
        .filter(|c| !parent.capabilities.contains(c))
        .map(String::as_str)
        .collect();
    if !extra.is_empty() {
        return Err(exceeds(
            i,
            format!("capabilities {extra:?} are not granted by the parent"),
        ));
    }
    if !parent.audiences.is_empty() {
        if link.audiences.is_empty() {
            return Err(exceeds(i, "drops the parent's audience restriction"));
        }
        if let Some(a) = link
            .audiences
            .iter()
            .find(|a| !parent.audiences.contains(a))
        {
            return Err(exceeds(
                i,
                format!("audience {a} is not granted by the parent"),
            ));
        }
    }
    if link.valid_until > parent.valid_until {
        return Err(exceeds(i, "outlives its parent (validUntil)"));
    }
    if link.max_depth >= parent.max_depth {
        // Depth limits shrink by at least one per hop; the depth check on
        // every ancestor catches this too, this names the offending link.
        return Err(DelegationError::DepthExceeded {
            link: i - 1,
            limit: parent.max_depth,
        });
    }
    Ok(())
}

fn chain_of(links: &[Link<'_>]) -> VerifiedChain {
    let root = &links[0].stated;
    // invariant: verify_chain refuses an empty chain before this point.
    let leaf = &links[links.len() - 1].stated;
    VerifiedChain {
        principal: root.principal.clone(),
        root: root.delegator.clone(),
        actors: links.iter().map(|l| l.stated.delegate.clone()).collect(),
        capabilities: leaf.capabilities.clone(),
        audiences: links
            .iter()
            .rev()
            .find(|l| !l.stated.audiences.is_empty())
            .map(|l| l.stated.audiences.clone()),
        valid_until: links
            .iter()
            .map(|l| l.stated.valid_until)
            .min()
            .unwrap_or(root.valid_until),
        link_ids: links.iter().map(|l| l.stated.id.clone()).collect(),
        purpose: leaf.purpose.clone(),
        status: links.iter().flat_map(|l| l.stated.status.clone()).collect(),
    }
}
