#![forbid(unsafe_code)]
//! The `credence` command line. This first version offers the offline
//! tools: print the bundled vocabulary, check a trust policy, and verify a
//! derived bbs-2023 credential. Wallet, issuer and verifier services come
//! with later versions.
//!
//! Exit codes: 0 success / accepted, 1 rejected (verification or policy
//! check failed), 2 bad usage or unreadable input.

use clap::{Parser, Subcommand};
use credence_core::{context_loader_with, CREDENCE_CONTEXT};
use credence_verify::{verify_credential_with, TrustPolicy};
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Credence: verifiable identity for AI agents across organizations.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = "Exit codes: 0 ok/accepted, 1 rejected, 2 bad usage or input."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print Credence's JSON-LD context (the vocabulary of AgentCredential).
    ///
    /// Example: credence context > credence-v1.jsonld
    Context,
    /// Check a verifier trust policy file and summarize it.
    ///
    /// Example: credence policy-check policy.toml
    PolicyCheck {
        /// The TOML policy file.
        file: PathBuf,
    },
    /// Verify a credential secured with a derived bbs-2023 proof, offline:
    /// resolves the issuer's did:key, checks the key is authorized for
    /// assertionMethod, and checks the BBS proof. Prints one JSON line.
    ///
    /// Example: credence verify-credential derived.json --context https://example.org/ctx=ctx.jsonld
    VerifyCredential {
        /// The credential JSON file.
        file: PathBuf,
        /// Extra JSON-LD contexts as URL=FILE (never fetched from the network).
        #[arg(long = "context", value_name = "URL=FILE")]
        contexts: Vec<String>,
    },
}

fn fail(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Context => {
            print!("{CREDENCE_CONTEXT}");
            ExitCode::SUCCESS
        }
        Command::PolicyCheck { file } => match TrustPolicy::load(&file) {
            Ok(p) => {
                println!(
                    "{}: {} trusted issuer(s), {} rule(s)",
                    file.display(),
                    p.issuers.len(),
                    p.rules.len()
                );
                for r in &p.rules {
                    println!(
                        "  {} = {} -> scope {} for {}",
                        r.claim, r.equals, r.scope, r.audience
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e @ credence_verify::PolicyError::Io { .. }) => fail(e.to_string()),
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(1)
            }
        },
        Command::VerifyCredential { file, contexts } => {
            let mut extra = HashMap::new();
            for spec in contexts {
                let Some((url, path)) = spec.split_once('=') else {
                    return fail(format!("--context expects URL=FILE, got `{spec}`"));
                };
                match std::fs::read_to_string(path) {
                    Ok(text) => extra.insert(url.to_owned(), text),
                    Err(e) => return fail(format!("{path}: {e}")),
                };
            }
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => return fail(format!("{}: {e}", file.display())),
            };
            let doc: serde_json::Value = match serde_json::from_str(&text) {
                Ok(d) => d,
                Err(e) => return fail(format!("{}: not JSON: {e}", file.display())),
            };
            match verify_credential_with(&doc, &context_loader_with(extra)).await {
                Ok(v) => {
                    println!(
                        "{}",
                        json!({"accepted": true, "verificationMethod": v.verification_method})
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    println!("{}", json!({"accepted": false, "reason": e.to_string()}));
                    ExitCode::from(1)
                }
            }
        }
    }
}
