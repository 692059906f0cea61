#![forbid(unsafe_code)]
//! The `credence` command line: the agent wallet (`credence wallet …`),
//! the issuer (`credence issuer …`), the verifier's token service and its
//! load bench (`credence verifier …`), offline verification of a
//! presentation (`credence verify`), the audit log (`credence audit`), and
//! small tools (print the vocabulary,
//! check a trust policy, verify a derived bbs-2023 credential).
//!
//! Exit codes: 0 success; 1 refused (verification, import or holder policy
//! said no); 2 bad usage or unreadable input; 3 the passphrase or key file
//! does not unlock the wallet; 4 the wallet is unusable (not a wallet, in
//! use, damaged, or from a newer version).

/// The allocator the service runs on (see the workspace Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit_cmd;
mod bench;
mod common;
mod issuer_cmd;
mod offline;
mod table;
mod verifier_cmd;
mod verifier_request;
mod verifier_serve;
mod wallet_cmd;
mod wallet_mcp;
mod wallet_present;
mod wallet_respond;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_CODES: &str = "Exit codes: 0 ok; 1 refused (verification, import or holder policy); \
2 bad usage or input; 3 wrong passphrase or key file; 4 wallet unusable (missing, in use, damaged, newer version).";

/// Credence: verifiable identity for AI agents across organizations.
#[derive(Parser)]
#[command(version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The agent's wallet: its DID, keys and credentials, encrypted at rest.
    Wallet(wallet_cmd::WalletArgs),
    /// An organization's issuer: did:web identity, AgentCredentials,
    /// revocation and suspension status lists.
    Issuer(issuer_cmd::IssuerArgs),
    /// The verifier's token service, and its load bench.
    Verifier(verifier_cmd::VerifierArgs),
    /// Check (`verify`) or export (`export --jsonl`) the hash-chained audit
    /// log kept in a wallet or verifier directory.
    Audit(audit_cmd::AuditArgs),
    /// Verify a presentation offline against a request and a trust policy;
    /// prints the decision as one JSON line (exit 0 only when accepted).
    ///
    /// Example: credence verify vp.json --request request.json --policy policy.toml --now 2026-11-22T10:00:00Z
    Verify(verifier_cmd::VerifyArgs),
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

/// Prints `error: …` and returns exit code 2 (bad usage or input).
pub(crate) fn fail(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Wallet(args) => wallet_cmd::run(args).await,
        Command::Issuer(args) => issuer_cmd::run(args).await,
        Command::Verifier(args) => verifier_cmd::run(args).await,
        Command::Audit(args) => audit_cmd::run(args),
        Command::Verify(args) => verifier_cmd::run_verify(args).await,
        Command::Context => offline::context(),
        Command::PolicyCheck { file } => offline::policy_check(&file),
        Command::VerifyCredential { file, contexts } => {
            offline::verify_credential(&file, contexts).await
        }
    }
}
