//! What the bench presents with: an issuer, an agent wallet holding its
//! AgentCredential, and the trust policy the token services run (written
//! to `policy.toml`). Kept in `--setup DIR` when given, so replicas
//! started by hand (`--target`) can run that policy.

use crate::common::{err, CliError};
use chrono::{Duration as ChronoDuration, Utc};
use credence_core::{AgentProfile, PROFILE_CLAIMS};
use credence_issuer::Issuer;
use credence_wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use std::path::{Path, PathBuf};

/// The audience the bench's tokens are for.
pub const AUDIENCE: &str = "https://api.bench.example";
/// The identifier every replica serves under (as behind one load balancer).
pub const VERIFIER_ID: &str = "https://verifier.bench.example";
const PASSPHRASE: &str = "bench passphrase";

/// The bench's agent and the policy file.
pub struct Setup {
    pub wallet: Wallet,
    pub policy: PathBuf,
}

fn policy_text(issuer: &str) -> String {
    format!(
        "[[issuer]]\ndid = \"{issuer}\"\nname = \"Bench Org\"\ncredential_types = [\"AgentCredential\"]\nrequire_status = false\n\n\
         [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\n\
         scope = \"invoices:read\"\naudience = \"{AUDIENCE}\"\nttl_secs = 120\n"
    )
}

/// Opens the setup in `dir`, or creates it (a fresh issuer, a wallet with
/// a 30-day credential, the policy).
pub async fn setup(dir: &Path) -> Result<Setup, CliError> {
    let unlock = Unlock::passphrase(PASSPHRASE);
    let policy = dir.join("policy.toml");
    let wallet_dir = dir.join("wallet");
    if policy.exists() && wallet_dir.exists() {
        let wallet = Wallet::open(&wallet_dir, &unlock).map_err(|e| err(4, e))?;
        return Ok(Setup { wallet, policy });
    }
    std::fs::create_dir_all(dir).map_err(|e| err(4, format!("{}: {e}", dir.display())))?;
    let issuer = Issuer::generate().map_err(|e| err(4, e))?;
    let wallet =
        Wallet::create(&wallet_dir, &unlock, KdfParams::minimal()).map_err(|e| err(4, e))?;
    let host = VERIFIER_ID.trim_start_matches("https://");
    wallet
        .set_holder_policy(&HolderPolicy::default().allow_domain(host, PROFILE_CLAIMS))
        .map_err(|e| err(4, e))?;
    let now = Utc::now();
    let credential = issuer
        .issue_agent_credential(
            wallet.did(),
            &AgentProfile::sample(),
            now - ChronoDuration::hours(1),
            now + ChronoDuration::days(30),
        )
        .await
        .map_err(|e| err(4, e))?;
    wallet.import(&credential).await.map_err(|e| err(4, e))?;
    std::fs::write(&policy, policy_text(issuer.did())).map_err(|e| err(4, e))?;
    Ok(Setup { wallet, policy })
}
