//! Building blocks for tests that hand the verifier documents a wallet
//! would not make: credentials for a test signer, its presentations, and
//! delegation links signed by whoever the test says.
#![allow(dead_code)]

use super::holder::{Signer, Times};
use super::{policy_for, profile, World, API, VERIFIER_ID};
use chrono::{Duration, Utc};
use credence::model::{
    delegation_document, link_digest, ClaimPath, DelegationGrant, ParentRef, PresentationRequest,
};
use credence::verify::TrustPolicy;
use serde_json::Value;

/// A derived AgentCredential of `credential` for `claims` (plus `extra`
/// JSON pointers), bound to `request`, in a VP signed by `holder`.
pub async fn present_as(
    holder: &Signer,
    credential: &Value,
    request: &PresentationRequest,
    claims: &[&str],
    extra: &[&str],
    times: Times,
) -> Value {
    let mut pointers: Vec<String> = claims
        .iter()
        .map(|c| ClaimPath::subject(c).to_pointer())
        .collect();
    pointers.extend(extra.iter().map(|p| p.to_string()));
    let loader = credence::model::context_loader();
    let derived =
        credence::bbs2023::derive(credential, &pointers, request.nonce.as_bytes(), &loader)
            .await
            .unwrap();
    holder
        .present(vec![derived], &request.nonce, VERIFIER_ID, times)
        .await
}

/// The world's issuer issues an AgentCredential to `holder` (a day).
pub async fn credential_for(w: &World, holder: &str) -> Value {
    w.issuer
        .issue_agent_credential(
            holder,
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(23),
        )
        .await
        .unwrap()
}

pub fn grant(principal: &str, delegate: &str, caps: &[&str], depth: u32) -> DelegationGrant {
    DelegationGrant {
        delegate: delegate.to_owned(),
        principal: principal.to_owned(),
        capabilities: caps.iter().map(|c| c.to_string()).collect(),
        audiences: vec![API.into()],
        max_depth: depth,
        purpose: "close the quarter".into(),
        valid_from: Utc::now() - Duration::minutes(5),
        valid_until: Utc::now() + Duration::hours(1),
        status: None,
    }
}

pub fn random_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("urn:uuid:{hex}")
}

/// A link signed by `signer` (root when `parent` is `None`).
pub async fn link(signer: &Signer, grant: &DelegationGrant, parent: Option<&Value>) -> Value {
    let parent = parent.map(|p| ParentRef {
        id: p["id"].as_str().unwrap().to_owned(),
        digest: link_digest(p).unwrap(),
    });
    let doc = delegation_document(&random_id(), &signer.did, grant, parent.as_ref());
    signer.sign_link(doc).await
}

/// The world's policy plus `principals` (trusted roots).
pub fn with_principals(w: &World, principals: &[&str]) -> TrustPolicy {
    let mut text = String::new();
    for p in principals {
        text.push_str(&format!("[[principal]]\ndid = \"{p}\"\nname = \"p\"\n\n"));
    }
    text.push_str(
        "[delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n",
    );
    let mut policy = TrustPolicy::from_toml(&text).unwrap();
    let base = policy_for(w.issuer.did());
    policy.issuers = base.issuers;
    policy.rules = base.rules;
    policy
}
