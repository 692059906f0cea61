//! `credence verifier serve` (the token service) and `credence verify`
//! (offline verification of a presentation against a request and policy).

use crate::common::{err, finish, read_json, CliError};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use credence_core::{FixedClock, PresentationRequest};
use credence_verify::{
    CredentialFacts, OfflineDocuments, TrustPolicy, VerifiedCredential, Verifier,
};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// `credence verifier …`.
#[derive(Args)]
#[command(after_help = crate::EXIT_CODES)]
pub struct VerifierArgs {
    #[command(subcommand)]
    command: VerifierCommand,
}

#[derive(Subcommand)]
enum VerifierCommand {
    /// Run the token service: OpenID4VP 1.0 (POST /openid4vp/requests,
    /// signed request objects at /openid4vp/requests/{state}, the
    /// direct_post endpoint /openid4vp/response, its did:web document at
    /// /.well-known/did.json with the request key DIR/request-key.jwk),
    /// POST /presentation-requests (Credence profile), POST /token (RFC
    /// 8693), RFC 8414 metadata at /.well-known/oauth-authorization-server,
    /// GET /.well-known/jwks.json, POST /introspect (RFC 7662, bearer
    /// secret in DIR/api-token), POST /revoke (RFC 7009). The policy file
    /// is reloaded on SIGHUP and when it changes.
    ///
    /// Example: credence verifier serve --policy policy.toml --dir ./globex --listen 127.0.0.1:7402
    Serve(crate::verifier_serve::ServeArgs),
    /// Ask a running token service for a new OpenID4VP request and print
    /// its `openid4vp://?client_id=…&request_uri=…` URL (the signed request
    /// object is at request_uri), for `credence wallet respond`.
    ///
    /// Example: credence verifier request --server http://127.0.0.1:7402 --claims organization,capabilities
    Request {
        /// The token service's URL.
        #[arg(long)]
        server: String,
        /// The claims to ask for (comma-separated) [default: the service's].
        #[arg(long, value_delimiter = ',')]
        claims: Vec<String>,
        /// The credential format: ldp_vc or dc+sd-jwt [default: ldp_vc].
        #[arg(long)]
        format: Option<String>,
        /// Print the service's whole answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a token-signing key to a verifier directory (rotation): it is
    /// published in the JWKS at once, signs after --activate-in seconds,
    /// and the previous key is dropped from the JWKS once tokens it signed
    /// have expired. Running replicas on the directory reload within 2 s.
    ///
    /// Example: credence verifier rotate-key --dir ./globex --activate-in 60
    RotateKey(crate::verifier_serve::RotateArgs),
    /// Load-test POST /token on loopback (see `credence verifier bench --help`).
    Bench(crate::bench::BenchArgs),
}

async fn execute(args: VerifierArgs) -> Result<(), CliError> {
    match args.command {
        VerifierCommand::Serve(a) => crate::verifier_serve::serve(a).await?,
        VerifierCommand::Request {
            server,
            claims,
            format,
            json,
        } => crate::verifier_request::request(&server, &claims, format.as_deref(), json).await?,
        VerifierCommand::Bench(b) => crate::bench::run(b).await?,
        VerifierCommand::RotateKey(a) => crate::verifier_serve::rotate(a)?,
    }
    Ok(())
}

/// Runs a verifier command and maps its outcome to an exit code.
pub async fn run(args: VerifierArgs) -> ExitCode {
    finish(execute(args).await)
}

/// `credence verify` options.
#[derive(Args)]
pub struct VerifyArgs {
    /// The presentation (a VC 2.0 VP JSON) — or a single credential, which
    /// is then checked on its own (proof, trust, validity, status,
    /// constraints; no holder binding) —; - for stdin.
    file: PathBuf,
    /// The presentation request it answers (its nonce and client_id);
    /// required for a presentation.
    #[arg(long)]
    request: Option<PathBuf>,
    /// The trust policy. The JSON-LD contexts a document may use are the
    /// built-in ones and the policy's `[[context]]` entries (digest-checked
    /// files): there is no flag to add others.
    #[arg(long)]
    policy: PathBuf,
    /// Verify as of this time (RFC 3339) instead of now.
    #[arg(long)]
    now: Option<String>,
    /// Verify offline with the DID documents and status lists in FILE
    /// (`{"dids": {DID: document}, "status_lists": {URL: list}}`, the
    /// format of vectors/cases/*/documents.json): nothing is fetched; a
    /// DID other than did:key/did:jwk must be in FILE.
    #[arg(long, value_name = "FILE")]
    documents: Option<PathBuf>,
}

/// What the verified credentials would earn, per audience, under the
/// policy snapshot they were verified with.
fn grants(policy: &TrustPolicy, facts: &[CredentialFacts<'_>]) -> Value {
    let mut out = Map::new();
    for audience in policy.audiences() {
        let g = policy.grant(facts, audience);
        if !g.scopes.is_empty() {
            out.insert(
                audience.to_owned(),
                json!({"scopes": g.scopes, "ttl_secs": g.ttl_secs}),
            );
        }
    }
    Value::Object(out)
}

fn describe(c: &VerifiedCredential) -> Value {
    json!({"query": c.query(), "issuer": c.issuer(), "credential_types": c.policy_types(),
           "claims": c.disclosed()})
}

fn is_presentation(doc: &Value) -> bool {
    match doc.get("type") {
        Some(Value::String(t)) => t == "VerifiablePresentation",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "VerifiablePresentation"),
        _ => false,
    }
}

async fn verifier_for(args: &VerifyArgs, id: &str) -> Result<Verifier, CliError> {
    let policy = TrustPolicy::load(&args.policy).map_err(|e| err(2, e))?;
    // Offline verification mints nothing: no signing key is created.
    let mut verifier = Verifier::new(id, policy);
    if let Some(now) = &args.now {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339(now)
            .map_err(|e| err(2, format!("--now: {e}")))?
            .with_timezone(&Utc);
        verifier = verifier.with_clock(Arc::new(FixedClock(now)));
    }
    if let Some(file) = &args.documents {
        let documents = OfflineDocuments::from_json(&read_json(file)?)
            .map_err(|e| err(2, format!("{}: {e}", file.display())))?;
        verifier = verifier.offline(documents);
    }
    Ok(verifier)
}

fn refused(e: &credence_verify::VerifyError) -> bool {
    println!(
        "{}",
        json!({"accepted": false, "reason": e.code(), "message": e.to_string()})
    );
    false
}

async fn verify(args: VerifyArgs) -> Result<bool, CliError> {
    let doc = read_json(&args.file)?;
    if !is_presentation(&doc) {
        let verifier = verifier_for(&args, "urn:credence:offline").await?;
        return Ok(match verifier.verify_credential(&doc).await {
            Ok(c) => {
                let policy = verifier.policy();
                println!(
                    "{}",
                    json!({"accepted": true, "kind": "credential", "credential": describe(&c),
                           "grants": grants(&policy, &[c.facts()])})
                );
                true
            }
            Err(e) => refused(&e),
        });
    }
    let path = args
        .request
        .as_ref()
        .ok_or_else(|| err(2, "a presentation needs --request (the request it answers)"))?;
    let request: PresentationRequest = serde_json::from_value(read_json(path)?).map_err(|e| {
        err(
            2,
            format!("{}: not a presentation request: {e}", path.display()),
        )
    })?;
    let verifier = verifier_for(&args, &request.client_id).await?;
    verifier
        .register_request(request)
        .await
        .map_err(|e| err(2, format!("{}: {e}", path.display())))?;
    Ok(match verifier.verify_presentation(&doc).await {
        Ok(v) => {
            let credentials: Vec<Value> = v.credentials().iter().map(describe).collect();
            println!(
                "{}",
                json!({"accepted": true, "kind": "presentation", "holder": v.holder(),
                       "credentials": credentials, "grants": grants(v.policy(), &v.facts())})
            );
            true
        }
        Err(e) => refused(&e),
    })
}

/// `credence verify`: exit 0 only when accepted.
pub async fn run_verify(args: VerifyArgs) -> ExitCode {
    match verify(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => finish(Err(e)),
    }
}
