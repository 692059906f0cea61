//! A throwaway issuer for trying the wallet by hand: generates a did:key
//! issuer and prints an AgentCredential (bbs-2023) for `--subject`.
//!
//! ```text
//! cargo run --release --example issue -- --subject "$(credence wallet did)" > credential.json
//! ```

use chrono::{Duration, Utc};
use clap::Parser;
use credence::issuer::Issuer;
use credence::model::AgentProfile;

/// Issue a sample AgentCredential to an agent DID (prints JSON to stdout).
#[derive(Parser)]
struct Args {
    /// The agent's DID (`credence wallet did`).
    #[arg(long)]
    subject: String,
    /// Validity in days from now.
    #[arg(long, default_value_t = 30)]
    days: i64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let issuer = Issuer::generate()?;
    let profile = AgentProfile::sample();
    let credential = issuer
        .issue_agent_credential(
            &args.subject,
            &profile,
            Utc::now() - Duration::minutes(1),
            Utc::now() + Duration::days(args.days),
        )
        .await?;
    eprintln!("issued by {}", issuer.did());
    println!("{}", serde_json::to_string_pretty(&credential)?);
    Ok(())
}
