//! Shared set-up: Acme's issuer, an agent wallet in a temp dir, and
//! Globex's verifier trusting Acme.
#![allow(dead_code)]

use chrono::{Duration, Utc};
use credence::issuer::Issuer;
use credence::model::AgentProfile;
use credence::verify::{TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};

pub const VERIFIER_ID: &str = "https://verifier.globex.example";
pub const API: &str = "https://api.globex.example";

pub struct World {
    pub issuer: Issuer,
    pub wallet: Wallet,
    pub verifier: Verifier,
    pub dir: tempfile::TempDir,
}

pub fn profile() -> AgentProfile {
    AgentProfile {
        organization: "Acme Corp".into(),
        owner: "mailto:alice@acme.example".into(),
        purpose: "procurement".into(),
        model_name: "claude-agent".into(),
        model_version: "2026-10".into(),
        runtime_digest: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            .into(),
        capabilities: vec!["invoices.read".into(), "orders.create".into()],
    }
}

pub fn policy_for(issuer_did: &str) -> TrustPolicy {
    TrustPolicy::from_toml(&format!(
        r#"
[[issuer]]
did = "{issuer_did}"
name = "Acme Corp"
credential_types = ["AgentCredential"]

[[rule]]
issuer = "{issuer_did}"
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{API}"
ttl_secs = 300
"#
    ))
    .unwrap()
}

/// The passphrase of every test wallet.
pub const PASSPHRASE: &str = "test wallet passphrase";

/// A new wallet at `dir` (cheapest Argon2id cost) whose holder policy lets
/// Globex's verifiers (any `*.globex.example`) receive every profile claim.
pub fn new_wallet(dir: impl AsRef<std::path::Path>) -> Wallet {
    let wallet =
        Wallet::create(dir, &Unlock::passphrase(PASSPHRASE), KdfParams::minimal()).unwrap();
    let policy = HolderPolicy::default().allow_domain(
        "*.globex.example",
        &[
            "organization",
            "owner",
            "purpose",
            "modelName",
            "modelVersion",
            "runtimeDigest",
            "capabilities",
        ],
    );
    wallet.set_holder_policy(&policy).unwrap();
    wallet
}

/// Issues a credential valid for a day around now, stored in the wallet.
pub async fn world() -> World {
    let issuer = Issuer::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wallet = new_wallet(dir.path().join("agent"));
    let credential = issuer
        .issue_agent_credential(
            wallet.did(),
            &profile(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(23),
        )
        .await
        .unwrap();
    wallet.import(&credential).await.unwrap();
    let verifier = Verifier::new(
        VERIFIER_ID,
        policy_for(issuer.did()),
        ssi::JWK::generate_ed25519().unwrap(),
    );
    World {
        issuer,
        wallet,
        verifier,
        dir,
    }
}
