//! `credence issuer …`: an organization's issuer (did:web, status lists).

use crate::common::{err, finish, init_logging, passphrase, read_json, CliError};
use chrono::{Duration, Utc};
use clap::{Args, Subcommand};
use credence_core::AgentProfile;
use credence_issuer::{Authority, IssueError};
use credence_server::ApiToken;
use credence_store::{KdfParams, Unlock};
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options shared by every issuer command.
#[derive(Args)]
#[command(after_help = crate::EXIT_CODES)]
pub struct IssuerArgs {
    /// The issuer directory [default: ~/.credence/issuer].
    #[arg(long, env = "CREDENCE_ISSUER", global = true)]
    dir: Option<PathBuf>,
    /// Unlock with this key file instead of a passphrase
    /// (CREDENCE_PASSPHRASE, or asked for).
    #[arg(long, global = true, value_name = "FILE")]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: IssuerCommand,
}

#[derive(Subcommand)]
enum IssuerCommand {
    /// Create an issuer: BBS and Ed25519 keys, a did:web identity for the
    /// origin it will be served at, empty status lists, an admin secret
    /// (file `api-token`).
    ///
    /// Example: credence issuer --dir ./acme init --url http://127.0.0.1:7400
    Init {
        /// The origin the issuer is served at: https://host[:port], or
        /// http:// on a loopback host. Its DID is did:web of that origin.
        #[arg(long)]
        url: String,
        /// Argon2id memory in MiB.
        #[arg(long, default_value_t = 64)]
        kdf_memory_mib: u32,
    },
    /// Print the issuer's DID and DID document.
    Did,
    /// Issue an AgentCredential (with revocation and suspension status) to
    /// an agent DID; prints the credential JSON.
    ///
    /// Example: credence issuer issue --subject did:key:z6Mk… --profile agent.json > cred.json
    Issue {
        /// The agent's DID.
        #[arg(long)]
        subject: String,
        /// The agent profile JSON (organization, owner, purpose, model,
        /// modelVersion, runtimeDigest, capabilities); - for stdin.
        #[arg(long)]
        profile: PathBuf,
        /// Days of validity.
        #[arg(long, default_value_t = 30)]
        valid_days: i64,
    },
    /// Revoke the credential with this status index (final).
    ///
    /// Example: credence issuer revoke 48213
    Revoke { index: usize },
    /// Suspend the credential with this status index.
    Suspend { index: usize },
    /// Lift a suspension.
    Unsuspend { index: usize },
    /// Serve the DID document (/.well-known/did.json), the status lists
    /// (/status/revocation, /status/suspension) and the admin API
    /// (/admin/credentials, /admin/status; bearer secret in api-token).
    /// While it runs, change status through the admin API (the directory
    /// is locked).
    ///
    /// Example: credence issuer serve --listen 127.0.0.1:7400
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7400")]
        listen: SocketAddr,
    },
}

impl From<IssueError> for CliError {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::Store(s) => s.into(),
            IssueError::UnknownIndex(_) | IssueError::StatusSigning(_) => err(1, e),
            IssueError::InvalidUrl(_)
            | IssueError::InvalidSubject(_)
            | IssueError::InvalidValidity { .. } => err(2, e),
            other => err(4, other),
        }
    }
}

fn dir(args: &IssuerArgs) -> Result<PathBuf, CliError> {
    if let Some(dir) = &args.dir {
        return Ok(dir.clone());
    }
    std::env::var_os("HOME")
        .map(|home| Path::new(&home).join(".credence").join("issuer"))
        .ok_or_else(|| err(2, "no --dir given and HOME is not set"))
}

fn unlock(args: &IssuerArgs, confirm: bool) -> Result<Unlock, CliError> {
    match &args.key_file {
        Some(path) => Ok(Unlock::KeyFile(path.clone())),
        None => passphrase(confirm),
    }
}

fn set(args: &IssuerArgs, index: usize, purpose: &str, on: bool) -> Result<(), CliError> {
    let authority = Authority::open(dir(args)?, &unlock(args, false)?)?;
    let changed = authority.set_status(index, purpose, on)?;
    println!(
        "{}",
        json!({"index": index, "purpose": purpose, "set": on, "changed": changed})
    );
    Ok(())
}

async fn execute(args: IssuerArgs) -> Result<(), CliError> {
    match &args.command {
        IssuerCommand::Init {
            url,
            kdf_memory_mib,
        } => {
            let dir = dir(&args)?;
            if let Some(key_file) = &args.key_file {
                if !key_file.exists() {
                    Unlock::create_key_file(key_file)?;
                }
            }
            let params = KdfParams {
                m_cost_kib: kdf_memory_mib.saturating_mul(1024),
                ..KdfParams::default()
            };
            let authority = Authority::create(&dir, &unlock(&args, true)?, params, url)?;
            ApiToken::create(&dir)?;
            eprintln!(
                "Issuer {} created in {} (admin secret in {}).",
                authority.issuer().did(),
                dir.display(),
                dir.join(credence_server::API_TOKEN_FILE).display()
            );
            println!("{}", authority.issuer().did());
        }
        IssuerCommand::Did => {
            let authority = Authority::open(dir(&args)?, &unlock(&args, false)?)?;
            println!(
                "{}",
                json!({"did": authority.issuer().did(), "didDocument": authority.issuer().did_document()})
            );
        }
        IssuerCommand::Issue {
            subject,
            profile,
            valid_days,
        } => {
            let profile: AgentProfile = serde_json::from_value(read_json(profile)?)
                .map_err(|e| err(2, format!("profile: {e}")))?;
            if !(1..=3650).contains(valid_days) {
                return Err(err(2, "--valid-days must be 1..=3650"));
            }
            let authority = Authority::open(dir(&args)?, &unlock(&args, false)?)?;
            let now = Utc::now();
            let (credential, status) = authority
                .issue(subject, &profile, now, now + Duration::days(*valid_days))
                .await?;
            eprintln!("Issued to {subject}; status index {}.", status.index);
            println!(
                "{}",
                serde_json::to_string_pretty(&credential).map_err(|e| err(4, e))?
            );
        }
        IssuerCommand::Revoke { index } => set(&args, *index, "revocation", true)?,
        IssuerCommand::Suspend { index } => set(&args, *index, "suspension", true)?,
        IssuerCommand::Unsuspend { index } => set(&args, *index, "suspension", false)?,
        IssuerCommand::Serve { listen } => {
            let dir = dir(&args)?;
            let authority = Authority::open(&dir, &unlock(&args, false)?)?;
            let admin = ApiToken::load(&dir)?;
            init_logging();
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| err(4, format!("cannot listen on {listen}: {e}")))?;
            let addr = listener.local_addr().map_err(|e| err(4, e))?;
            eprintln!(
                "Issuer {} on http://{addr}; Ctrl-C stops.",
                authority.issuer().did()
            );
            println!(
                "{}",
                json!({"listening": format!("http://{addr}"), "did": authority.issuer().did()})
            );
            credence_server::serve_issuer(listener, authority, admin, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| err(4, e))?;
        }
    }
    Ok(())
}

/// Runs an issuer command and maps its outcome to an exit code.
pub async fn run(args: IssuerArgs) -> ExitCode {
    finish(execute(args).await)
}
