//! `credence audit`: check and export the hash-chained audit log of a
//! wallet, verifier or any directory holding one.

use crate::common::{err, finish, CliError};
use clap::{Args, Subcommand};
use credence_server::verifier_dir::TOKEN_KEY_FILE;
use credence_store::{export_audit, verify_audit, StoreError, AUDIT_DIR};
use serde_json::json;
use ssi::dids::DIDKey;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Check or export an audit log.
#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the log: every line matches its hash, entries are numbered
    /// without gaps and each links to the one before, every checkpoint is
    /// in place, links to the one before and is signed by the directory's
    /// own signer key, and nothing acknowledged is missing from the end.
    /// Prints one JSON line; exit 0 when intact (naming the first entry no
    /// checkpoint covers yet, if any), 1 naming the first missing, edited,
    /// reordered or unsigned entry otherwise, 4 when a file is unreadable.
    ///
    /// The signer checked against is --signer when given, else the public
    /// half of the verifier's token-key.jwk in DIR, else the log's own
    /// signer key file (audit/signer.jwk). Pin it with --signer from a
    /// source outside the directory to also catch a log rewritten whole
    /// under another key.
    ///
    /// Example: credence audit verify ./globex-verifier --signer did:key:z6Mk…
    Verify {
        /// A wallet or verifier directory (its `audit/` folder is used) or
        /// an audit folder itself.
        dir: PathBuf,
        /// The did:key the checkpoints must be signed by.
        #[arg(long)]
        signer: Option<String>,
    },
    /// Export the log as JSON lines (for a SIEM) to standard output: each
    /// entry with its hash, each signed checkpoint after the entry it
    /// covers. (A SIEM may also tail audit/audit.jsonl directly.)
    ///
    /// Example: credence audit export ./agent --jsonl > agent-audit.jsonl
    Export {
        /// A wallet or verifier directory, or an audit folder.
        dir: PathBuf,
        /// JSON lines (the only format; accepted for explicitness).
        #[arg(long)]
        jsonl: bool,
    },
}

/// `DIR/audit` when it exists, else `DIR`.
fn audit_dir(dir: &Path) -> PathBuf {
    let inner = dir.join(AUDIT_DIR);
    if inner.is_dir() {
        inner
    } else {
        dir.to_owned()
    }
}

/// The signer to check against and where it came from: `--signer`, else
/// the verifier's token key in `dir` (the key its checkpoints are signed
/// with), else `None` (the log's own signer key file).
fn expected_signer(
    dir: &Path,
    signer: Option<String>,
) -> Result<(Option<String>, &'static str), CliError> {
    if let Some(s) = signer {
        return Ok((Some(s), "--signer"));
    }
    // DIR may be the verifier's directory or its audit folder.
    let home = if audit_dir(dir) == dir {
        dir.parent().unwrap_or(dir)
    } else {
        dir
    };
    let path = home.join(TOKEN_KEY_FILE);
    if !path.is_file() {
        return Ok((None, "audit/signer.jwk"));
    }
    let bad = |e: &dyn std::fmt::Display| err(4, format!("{}: {e}", path.display()));
    let text = Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| bad(&e))?);
    let key: ssi::JWK = serde_json::from_str(&text).map_err(|e| bad(&e))?;
    let did = DIDKey::generate(&key.to_public()).map_err(|e| bad(&e))?;
    Ok((Some(did.to_string()), TOKEN_KEY_FILE))
}

fn verify(dir: &Path, signer: Option<String>) -> Result<(), CliError> {
    let (signer, source) = expected_signer(dir, signer)?;
    match verify_audit(&audit_dir(dir), signer.as_deref()) {
        Ok(report) => {
            println!(
                "{}",
                json!({
                    "intact": true,
                    "entries": report.entries,
                    "checkpoints": report.checkpoints,
                    "signer": report.signer,
                    "signer_source": source,
                    "unsigned_tail": report.unsigned_tail,
                    "first_unsigned_entry": report.first_unsigned,
                })
            );
            Ok(())
        }
        Err(StoreError::AuditBroken(v)) => {
            println!(
                "{}",
                json!({
                    "intact": false,
                    "first_bad_entry": v.seq,
                    "violation": v.kind.to_string(),
                    "detail": v.detail,
                    "signer_source": source,
                })
            );
            Err(err(1, v))
        }
        Err(e) => Err(e.into()),
    }
}

fn execute(args: AuditArgs) -> Result<(), CliError> {
    match args.command {
        AuditCommand::Verify { dir, signer } => verify(&dir, signer),
        AuditCommand::Export { dir, jsonl: _ } => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let lines = export_audit(&audit_dir(&dir), &mut out)?;
            eprintln!("exported {lines} lines");
            Ok(())
        }
    }
}

/// Runs an audit command and maps its outcome to an exit code.
pub fn run(args: AuditArgs) -> ExitCode {
    finish(execute(args))
}
