//! `credence audit`: check and export the hash-chained audit log of a
//! wallet, verifier or any directory holding one.

use crate::common::{err, finish, CliError};
use clap::{Args, Subcommand};
use credence_store::{export_audit, verify_audit, StoreError, AUDIT_DIR};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Check or export an audit log.
#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the log: entries numbered without gaps, each linked to the
    /// digest of the one before, every checkpoint signed and matching.
    /// Prints one JSON line; exit 0 when intact, 1 naming the first bad
    /// entry when edited, deleted, reordered or truncated.
    ///
    /// Example: credence audit verify ./globex-verifier --signer did:key:z6Mk…
    Verify {
        /// A wallet or verifier directory (its `audit/` folder is used) or
        /// an audit folder itself.
        dir: PathBuf,
        /// The did:key the checkpoints must be signed by (otherwise the
        /// first checkpoint's signer is reported and all must match it).
        #[arg(long)]
        signer: Option<String>,
    },
    /// Export every entry, then every signed checkpoint, as JSON lines
    /// (for a SIEM) to standard output.
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

fn execute(args: AuditArgs) -> Result<(), CliError> {
    match args.command {
        AuditCommand::Verify { dir, signer } => {
            match verify_audit(&audit_dir(&dir), signer.as_deref()) {
                Ok(report) => {
                    println!(
                        "{}",
                        json!({
                            "intact": true,
                            "entries": report.entries,
                            "checkpoints": report.checkpoints,
                            "signer": report.signer,
                            "unsigned_tail": report.unsigned_tail,
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
                        })
                    );
                    Err(err(1, v))
                }
                Err(e) => Err(e.into()),
            }
        }
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
