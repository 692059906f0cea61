//! Shared set-up: Acme's issuer, an agent wallet in a temp dir, and
//! Globex's verifier trusting Acme.
#![allow(dead_code)]

use chrono::{Duration, Utc};
use credence::issuer::Issuer;
use credence::model::AgentProfile;
use credence::verify::{TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};

pub const VERIFIER_ID: &str = "https://verifier.globex.example";
pub const API: &str = "https://api.globex.example";

pub struct World {
    pub issuer: Issuer,
    pub wallet: Wallet,
    pub verifier: Verifier,
    pub tokens: TokenIssuer,
    /// The token service's signing key (private), for tests that forge.
    pub token_key: ssi::JWK,
    pub dir: tempfile::TempDir,
}

pub fn profile() -> AgentProfile {
    AgentProfile::sample()
}

pub fn policy_for(issuer_did: &str) -> TrustPolicy {
    TrustPolicy::from_toml(&format!(
        r#"
[[issuer]]
did = "{issuer_did}"
name = "Acme Corp"
credential_types = ["AgentCredential"]
# These test issuers (did:key) publish no status lists.
require_status = false

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
    let policy =
        HolderPolicy::default().allow_domain("*.globex.example", credence::model::PROFILE_CLAIMS);
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
    let verifier = Verifier::new(VERIFIER_ID, policy_for(issuer.did()));
    let token_key = ssi::JWK::generate_ed25519().unwrap();
    let tokens = TokenIssuer::new(&verifier, token_key.clone());
    World {
        issuer,
        wallet,
        verifier,
        tokens,
        token_key,
        dir,
    }
}

pub mod chain;
pub mod holder;

/// Presents `claims`, lets `edit` change the derived credential, and has the
/// holder re-sign the presentation, so only the credential's own checks can
/// catch the edit.
pub async fn edited_and_resigned(
    w: &World,
    claims: &[&str],
    edit: impl FnOnce(&mut serde_json::Value),
) -> serde_json::Value {
    let request = w
        .verifier
        .create_request_for(credence_core::agent_credential_query(claims))
        .await
        .expect("a valid query");
    edited_for(w, &request, edit).await
}

/// As [`edited_and_resigned`], answering `request`.
pub async fn edited_for(
    w: &World,
    request: &credence::model::PresentationRequest,
    edit: impl FnOnce(&mut serde_json::Value),
) -> serde_json::Value {
    let vp = w.wallet.present(request).await.unwrap();
    let mut cred = vp["verifiableCredential"][0].clone();
    edit(&mut cred);
    w.wallet
        .sign_presentation(cred, &request.nonce, VERIFIER_ID)
        .await
        .unwrap()
}

/// A request for an AgentCredential disclosing `claims`, issued by `verifier`.
pub async fn agent_request(
    verifier: &credence::verify::Verifier,
    claims: &[&str],
) -> credence::model::PresentationRequest {
    verifier
        .create_request_for(credence::model::agent_credential_query(claims))
        .await
        .expect("a valid query")
}
