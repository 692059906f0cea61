//! What every command shares: failures with exit codes, the passphrase,
//! reading JSON input, and service logging.

use credence_store::{StoreError, Unlock};
use serde_json::Value;
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

/// A failure with its exit code.
pub(crate) struct CliError {
    pub code: u8,
    pub message: String,
}

pub(crate) fn err(code: u8, message: impl ToString) -> CliError {
    CliError {
        code,
        message: message.to_string(),
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::WrongSecret | StoreError::Kdf(_) | StoreError::KeyFile { .. } => 3,
            StoreError::BadExport(_) => 2,
            _ => 4,
        };
        err(code, e)
    }
}

pub(crate) fn passphrase(confirm: bool) -> Result<Unlock, CliError> {
    if let Ok(p) = std::env::var("CREDENCE_PASSPHRASE") {
        return Ok(Unlock::passphrase(p));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| {
                err(
                    2,
                    format!("no passphrase: set CREDENCE_PASSPHRASE or use --key-file ({e})"),
                )
            })
    };
    let first = ask("Passphrase: ")?;
    if confirm && *ask("Repeat passphrase: ")? != *first {
        return Err(err(2, "the passphrases differ"));
    }
    Ok(Unlock::Passphrase(Zeroizing::new(first.to_string())))
}

pub(crate) fn read_json(path: &Path) -> Result<Value, CliError> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(|e| err(2, format!("stdin: {e}")))?
    } else {
        std::fs::read_to_string(path).map_err(|e| err(2, format!("{}: {e}", path.display())))?
    };
    serde_json::from_str(&text).map_err(|e| err(2, format!("{}: not JSON: {e}", path.display())))
}

/// How service logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (with the request's span fields).
    Json,
}

/// Logs to standard error (RUST_LOG, default `info`).
pub(crate) fn init_logging() {
    init_logging_as(LogFormat::Text);
}

/// Logs to standard error in `format` (RUST_LOG, default `info`).
pub(crate) fn init_logging_as(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
}

/// Maps a command's outcome to its exit code.
pub(crate) fn finish(outcome: Result<(), CliError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
