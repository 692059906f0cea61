//! `credence wallet …`: the agent wallet from the command line.

use crate::common::{err, finish, init_logging, passphrase, read_json, CliError};
use crate::table;
use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand};
use credence_core::PresentationRequest;
use credence_server::ApiToken;
use credence_wallet::{
    CredentialFilter, CredentialSummary, ImportError, KdfParams, PresentError, Unlock, Wallet,
    WalletError,
};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options shared by every wallet command.
#[derive(Args)]
#[command(after_help = crate::EXIT_CODES)]
pub struct WalletArgs {
    /// The wallet directory [default: ~/.credence/wallet].
    #[arg(long, env = "CREDENCE_WALLET", global = true)]
    wallet: Option<PathBuf>,
    /// Unlock with this key file (≥ 32 random bytes) instead of a passphrase.
    /// The passphrase comes from CREDENCE_PASSPHRASE, or is asked for.
    #[arg(long, global = true, value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: WalletCommand,
}

#[derive(Subcommand)]
enum WalletCommand {
    /// Create a wallet: encrypted store, agent key and DID, API secret,
    /// and a holder policy that discloses nothing until edited.
    ///
    /// Example: CREDENCE_PASSPHRASE=… credence wallet --wallet ./agent init
    Init {
        /// Argon2id memory in MiB.
        #[arg(long, default_value_t = 64)]
        kdf_memory_mib: u32,
        /// Argon2id passes.
        #[arg(long, default_value_t = 3)]
        kdf_passes: u32,
    },
    /// Print the agent's DID (with --json: also its verification method and DID document).
    ///
    /// Example: credence wallet did
    Did,
    /// Verify a credential (issuer signature, subject = this agent, not
    /// expired) and store it. FILE may be - for standard input.
    ///
    /// Example: credence wallet import credential.json
    Import { file: PathBuf },
    /// List stored credentials.
    ///
    /// Example: credence wallet list --type AgentCredential --expiring-before 7d
    List {
        /// Only this type (AgentCredential, or an IRI).
        #[arg(long = "type")]
        credential_type: Option<String>,
        /// Only from this issuer DID.
        #[arg(long)]
        issuer: Option<String>,
        /// Only those expiring before an RFC 3339 instant or a span from now (30m, 12h, 7d).
        #[arg(long, value_name = "WHEN")]
        expiring_before: Option<String>,
    },
    /// Print one credential's JSON.
    ///
    /// Example: credence wallet show 3f2a…
    Show { id: String },
    /// Delete one credential.
    ///
    /// Example: credence wallet delete 3f2a…
    Delete { id: String },
    /// Delete every expired credential.
    ///
    /// Example: credence wallet prune
    Prune,
    /// Answer a presentation request (JSON file, or - for stdin) with a
    /// signed presentation on stdout, within the holder policy
    /// (holder-policy.toml in the wallet). --dry-run shows what would be
    /// disclosed to whom, signing nothing.
    ///
    /// Example: credence wallet present request.json --dry-run
    Present {
        request: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
    /// Answer an OpenID4VP request: an `openid4vp://` or https URL (by
    /// value, by request_uri, or unsigned), a file holding one or a request
    /// object, or - for stdin. The request object is verified against the
    /// verifier's DID first; the holder policy then applies to that
    /// verified DID (an unsigned request is anonymous: only `anonymous =
    /// true` rules). Prints who is asking before anything is disclosed.
    /// --dry-run shows what would go to whom and sends nothing; --audience
    /// exchanges the response code for a DPoP-bound token.
    ///
    /// Example: credence wallet respond 'openid4vp://?client_id=…&request_uri=…' --audience https://tools.globex.example
    Respond {
        /// The URL, a file, or -.
        request: String,
        /// Show what would be disclosed to whom; sign and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Exchange the response code for a token for this audience.
        #[arg(long)]
        audience: Option<String>,
        /// The scope to ask for with --audience (space-separated).
        #[arg(long, requires = "audience")]
        scope: Option<String>,
    },
    /// Write an encrypted export of the whole wallet, locked with the same
    /// passphrase or key file.
    ///
    /// Example: credence wallet export agent.credence-export
    Export { file: PathBuf },
    /// Restore an export into a new wallet directory (--wallet), unlocked
    /// with the export's passphrase or key file. A new API secret is made.
    ///
    /// Example: credence wallet --wallet ./restored restore agent.credence-export
    Restore { file: PathBuf },
    /// Sub-agent identities.
    #[command(subcommand)]
    Child(ChildCommand),
    /// Serve the wallet as an MCP server on stdin/stdout, for agent
    /// runtimes (Claude Desktop, an IDE, any MCP client) to launch. Tools:
    /// identity, list_credentials, plan_disclosure, present, get_token,
    /// dpop_proof; the holder policy applies to every disclosure and no tool
    /// returns key material. Unlock with CREDENCE_PASSPHRASE or --key-file
    /// (stdin is the protocol: there is no prompt). Logs go to stderr.
    ///
    /// Example: CREDENCE_PASSPHRASE=… credence wallet --wallet ./agent mcp
    Mcp,
    /// Serve the wallet API for the agent (see docs/api/wallet-openapi.json).
    /// Requests need `Authorization: Bearer <api-token file>`. The wallet is
    /// locked by the server while it runs; stop it with Ctrl-C.
    ///
    /// Example: credence wallet serve --listen 127.0.0.1:7341
    Serve {
        #[arg(long, default_value = "127.0.0.1:7341")]
        listen: SocketAddr,
        /// Allow a non-loopback address (the API has no TLS).
        #[arg(long)]
        allow_remote: bool,
    },
}

#[derive(Subcommand)]
enum ChildCommand {
    /// Create a sub-agent wallet with its own DID, under children/NAME,
    /// locked with the same passphrase or key file.
    ///
    /// Example: credence wallet child new researcher
    New { name: String },
    /// List sub-agents.
    ///
    /// Example: credence wallet child list
    List,
}

impl From<WalletError> for CliError {
    fn from(e: WalletError) -> Self {
        match e {
            WalletError::Store(s) => s.into(),
            WalletError::NoSuchCredential(_) | WalletError::ChildExists(_) => err(1, e),
            WalletError::InvalidName(_) | WalletError::Policy(_) => err(2, e),
            other => err(4, other),
        }
    }
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Wallet(w) => w.into(),
            other => err(1, format!("refused: {other}")),
        }
    }
}

impl From<PresentError> for CliError {
    fn from(e: PresentError) -> Self {
        match e {
            PresentError::Wallet(w) => w.into(),
            PresentError::Derive(_) | PresentError::Sign(_) => err(4, e),
            other => err(1, format!("refused: {other}")),
        }
    }
}

fn wallet_dir(args: &WalletArgs) -> Result<PathBuf, CliError> {
    if let Some(dir) = &args.wallet {
        return Ok(dir.clone());
    }
    std::env::var_os("HOME")
        .map(|home| Path::new(&home).join(".credence").join("wallet"))
        .ok_or_else(|| err(2, "no --wallet given and HOME is not set"))
}

fn unlock(args: &WalletArgs) -> Result<Unlock, CliError> {
    match &args.key_file {
        Some(path) => Ok(Unlock::KeyFile(path.clone())),
        None => passphrase(false),
    }
}

fn open(args: &WalletArgs) -> Result<Wallet, CliError> {
    // did:web issuers are resolved over bounded HTTP(S), like the verifier does.
    Ok(Wallet::open(wallet_dir(args)?, &unlock(args)?)?
        .with_resolver(std::sync::Arc::new(credence_did::DidResolver::default())))
}

fn parse_when(text: &str) -> Result<DateTime<Utc>, CliError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let (n, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| {
        err(
            2,
            format!("`{text}` is neither RFC 3339 nor a span like 30m, 12h, 7d"),
        )
    })?;
    let span = match unit {
        "m" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        _ => return Err(err(2, format!("`{text}`: use m, h or d"))),
    };
    Ok(Utc::now() + span)
}

fn date(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

fn short(did: &str) -> String {
    if did.len() > 32 {
        format!("{}…{}", &did[..20], &did[did.len() - 8..])
    } else {
        did.to_owned()
    }
}

fn print_summaries(list: &[CredentialSummary]) {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.types
                    .iter()
                    .filter(|t| *t != "VerifiableCredential")
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(","),
                short(&s.issuer),
                date(s.valid_until),
            ]
        })
        .collect();
    table::print(&["ID", "TYPE", "ISSUER", "VALID UNTIL"], &rows);
}

async fn execute(args: WalletArgs) -> Result<(), CliError> {
    let json_out = args.json;
    let emit = |v: Value| println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    match &args.command {
        WalletCommand::Init {
            kdf_memory_mib,
            kdf_passes,
        } => {
            let dir = wallet_dir(&args)?;
            let secret = match &args.key_file {
                Some(path) if !path.exists() => {
                    let u = Unlock::create_key_file(path)?;
                    eprintln!(
                        "Created key file {} (mode 0600): keep it apart from the wallet.",
                        path.display()
                    );
                    u
                }
                Some(path) => Unlock::KeyFile(path.clone()),
                None => passphrase(true)?,
            };
            let params = KdfParams {
                m_cost_kib: kdf_memory_mib.saturating_mul(1024),
                t_cost: *kdf_passes,
                p_cost: 1,
            };
            let wallet = Wallet::create(&dir, &secret, params)?;
            ApiToken::create(&dir)?;
            if json_out {
                emit(
                    json!({"did": wallet.did(), "wallet": dir, "api_token": dir.join(credence_server::API_TOKEN_FILE), "holder_policy": dir.join(credence_wallet::HOLDER_POLICY_FILE)}),
                );
            } else {
                println!("Created wallet {}", dir.display());
                println!("  DID            {}", wallet.did());
                println!(
                    "  holder policy  {} (discloses nothing until edited)",
                    dir.join(credence_wallet::HOLDER_POLICY_FILE).display()
                );
                println!(
                    "  API secret     {} (mode 0600)",
                    dir.join(credence_server::API_TOKEN_FILE).display()
                );
            }
        }
        WalletCommand::Did => {
            let wallet = open(&args)?;
            if json_out {
                emit(
                    json!({"did": wallet.did(), "verification_method": wallet.verification_method(), "did_document": wallet.did_document().await?}),
                );
            } else {
                println!("{}", wallet.did());
            }
        }
        WalletCommand::Import { file } => {
            let credential = read_json(file)?;
            let wallet = open(&args)?;
            let imported = wallet.import(&credential).await?;
            if json_out {
                emit(json!(imported));
            } else {
                let verb = if imported.new {
                    "Imported"
                } else {
                    "Already held"
                };
                println!(
                    "{verb} {} (issuer {}, valid until {})",
                    imported.summary.id,
                    imported.summary.issuer,
                    date(imported.summary.valid_until)
                );
            }
        }
        WalletCommand::List {
            credential_type,
            issuer,
            expiring_before,
        } => {
            let filter = CredentialFilter {
                credential_type: credential_type.clone(),
                issuer: issuer.clone(),
                expiring_before: expiring_before.as_deref().map(parse_when).transpose()?,
            };
            let list = open(&args)?.list(&filter)?;
            if json_out {
                emit(json!(list));
            } else {
                print_summaries(&list);
            }
        }
        WalletCommand::Show { id } => emit(open(&args)?.show(id)?),
        WalletCommand::Delete { id } => {
            let gone = open(&args)?.delete(id)?;
            if json_out {
                emit(json!(gone));
            } else {
                println!("Deleted {}", gone.id);
            }
        }
        WalletCommand::Prune => {
            let pruned = open(&args)?.prune_expired()?;
            if json_out {
                emit(json!(pruned));
            } else {
                println!("Pruned {} expired credential(s)", pruned.len());
                print_summaries(&pruned);
            }
        }
        WalletCommand::Present { request, dry_run } => {
            let request: PresentationRequest = serde_json::from_value(read_json(request)?)
                .map_err(|e| err(2, format!("not a presentation request: {e}")))?;
            let wallet = open(&args)?;
            crate::wallet_present::present(&wallet, &request, *dry_run, json_out).await?;
        }
        WalletCommand::Respond {
            request,
            dry_run,
            audience,
            scope,
        } => {
            let respond = crate::wallet_respond::Respond {
                input: request,
                dry_run: *dry_run,
                audience: audience.as_deref(),
                scope: scope.as_deref(),
                json: json_out,
            };
            respond.run(&open(&args)?).await?;
        }
        WalletCommand::Mcp => {
            if args.key_file.is_none() && std::env::var_os("CREDENCE_PASSPHRASE").is_none() {
                return Err(err(
                    2,
                    "wallet mcp: set CREDENCE_PASSPHRASE or --key-file (stdin carries the MCP protocol)",
                ));
            }
            crate::wallet_mcp::serve_stdio(open(&args)?).await?;
        }
        WalletCommand::Export { file } => {
            let wallet = open(&args)?;
            let mut out = credence_store::fsutil::create_private(file)?;
            let secret = unlock(&args)?;
            let summary = wallet.export(&mut out, &secret, KdfParams::default())?;
            out.sync_all()
                .map_err(|e| err(4, format!("{}: {e}", file.display())))?;
            if json_out {
                emit(json!({"file": file, "records": summary.records, "bytes": summary.bytes}));
            } else {
                println!(
                    "Exported {} records ({} bytes) to {}",
                    summary.records,
                    summary.bytes,
                    file.display()
                );
            }
        }
        WalletCommand::Restore { file } => {
            let dir = wallet_dir(&args)?;
            let mut input = std::fs::File::open(file)
                .map_err(|e| err(2, format!("{}: {e}", file.display())))?;
            let (wallet, summary) = Wallet::restore(
                &mut std::io::BufReader::new(&mut input),
                &dir,
                &unlock(&args)?,
            )?;
            ApiToken::create(&dir)?;
            if json_out {
                emit(json!({"did": wallet.did(), "wallet": dir, "records": summary.records}));
            } else {
                println!(
                    "Restored {} records into {} (DID {}); new API secret created",
                    summary.records,
                    dir.display(),
                    wallet.did()
                );
            }
        }
        WalletCommand::Child(ChildCommand::New { name }) => {
            let wallet = open(&args)?;
            let child = wallet.create_child(name, &unlock(&args)?, KdfParams::default())?;
            if json_out {
                emit(json!(child));
            } else {
                println!(
                    "Created sub-agent {} with DID {} in {}",
                    child.name,
                    child.did,
                    child.dir.display()
                );
            }
        }
        WalletCommand::Child(ChildCommand::List) => {
            let children = open(&args)?.children()?;
            if json_out {
                emit(json!(children));
            } else {
                let rows: Vec<Vec<String>> = children
                    .iter()
                    .map(|c| vec![c.name.clone(), c.did.clone(), date(Some(c.created))])
                    .collect();
                table::print(&["NAME", "DID", "CREATED"], &rows);
            }
        }
        WalletCommand::Serve {
            listen,
            allow_remote,
        } => {
            if !listen.ip().is_loopback() && !allow_remote {
                return Err(err(2, format!("{listen} is not a loopback address; the API has no TLS (use --allow-remote behind a TLS proxy)")));
            }
            let dir = wallet_dir(&args)?;
            let wallet = open(&args)?;
            let token = ApiToken::load(&dir)?;
            init_logging();
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| err(4, format!("cannot listen on {listen}: {e}")))?;
            let addr = listener.local_addr().map_err(|e| err(4, e))?;
            eprintln!(
                "Wallet API for {} on http://{addr} (bearer secret in {}); Ctrl-C stops.",
                wallet.did(),
                dir.join(credence_server::API_TOKEN_FILE).display()
            );
            if json_out {
                // One line, so a supervisor can read the address as it starts.
                println!(
                    "{}",
                    json!({"listening": format!("http://{addr}"), "did": wallet.did()})
                );
            }
            credence_server::serve(listener, wallet, token, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| err(4, e))?;
        }
    }
    Ok(())
}

/// Runs a wallet command and maps its outcome to an exit code.
pub async fn run(args: WalletArgs) -> ExitCode {
    finish(execute(args).await)
}
