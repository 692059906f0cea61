//! A real wallet on sled files in a temp dir, and real bbs-2023 issuers.
#![allow(dead_code)]

use chrono::{Duration, Utc};
use credence_bbs2023::verify_derived;
use credence_core::{
    context_loader, expand_credential_type, AgentProfile, ClaimsQuery, CredentialQuery,
    CredentialSetQuery, DcqlQuery, PresentationRequest, PROFILE_CLAIMS,
};
use credence_issuer::Issuer;
use credence_wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use serde_json::Value;

/// The verifier asking.
pub const VERIFIER: &str = "https://verifier.globex.example";

/// A wallet whose policy lets `*.globex.example` receive every profile
/// claim, with its temp dir.
pub struct Holder {
    pub wallet: Wallet,
    pub dir: tempfile::TempDir,
}

pub fn holder() -> Holder {
    let dir = tempfile::tempdir().unwrap();
    let wallet = Wallet::create(
        dir.path().join("agent"),
        &Unlock::passphrase("test wallet passphrase"),
        KdfParams::minimal(),
    )
    .unwrap();
    wallet
        .set_holder_policy(
            &HolderPolicy::default().allow_domain("*.globex.example", PROFILE_CLAIMS),
        )
        .unwrap();
    Holder { wallet, dir }
}

/// A profile of `organization` with these capabilities.
pub fn profile(organization: &str, capabilities: &[&str]) -> AgentProfile {
    AgentProfile {
        organization: organization.into(),
        capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
        ..AgentProfile::sample()
    }
}

/// Has `issuer` issue an AgentCredential for `profile`, valid for
/// `hours`, and imports it; returns the wallet's id for it.
pub async fn issue(wallet: &Wallet, issuer: &Issuer, profile: &AgentProfile, hours: i64) -> String {
    let credential = issuer
        .issue_agent_credential(
            wallet.did(),
            profile,
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(hours),
        )
        .await
        .unwrap();
    wallet.import(&credential).await.unwrap().summary.id
}

/// An `AgentCredential` query.
pub fn agent_query(id: &str, claims: Vec<ClaimsQuery>) -> CredentialQuery {
    CredentialQuery::ldp_vc(id, vec![expand_credential_type("AgentCredential")], claims)
}

/// A request from [`VERIFIER`] for these queries and sets.
pub fn request(
    queries: Vec<CredentialQuery>,
    sets: Option<Vec<CredentialSetQuery>>,
) -> PresentationRequest {
    PresentationRequest::for_query(
        VERIFIER,
        DcqlQuery {
            credentials: queries,
            credential_sets: sets,
        },
        Utc::now().timestamp() + 300,
    )
}

/// A credential set of these options.
pub fn set(options: &[&[&str]], required: bool) -> CredentialSetQuery {
    CredentialSetQuery {
        options: options
            .iter()
            .map(|o| o.iter().map(|id| id.to_string()).collect())
            .collect(),
        required,
    }
}

/// The credentials in a presentation.
pub fn credentials(vp: &Value) -> &Vec<Value> {
    vp["verifiableCredential"].as_array().unwrap()
}

/// Verifies a derived credential's bbs-2023 proof with `issuer`'s key and
/// returns its verified statements as N-Quads text.
pub async fn verified_statements(derived: &Value, issuer: &Issuer, nonce: &str) -> String {
    let ok = verify_derived(derived, issuer.public_key(), &context_loader())
        .await
        .unwrap_or_else(|e| panic!("derived proof rejected: {e}"));
    assert_eq!(ok.presentation_header, nonce.as_bytes());
    ok.statements.iter().map(|q| format!("{q} .\n")).collect()
}

/// The reason of the wallet's last `present` audit record.
pub fn last_present_reason(wallet: &Wallet) -> String {
    let entries = wallet.audit_log().entries().unwrap();
    let presented = entries
        .iter()
        .rfind(|e| e.record.action == "present")
        .expect("a present record");
    presented.record.reason.clone().unwrap_or_default()
}
