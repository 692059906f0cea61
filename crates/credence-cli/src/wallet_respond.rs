//! `credence wallet respond`: answer an OpenID4VP request — fetch and
//! verify it, say who is asking and what would go to them, then (unless
//! `--dry-run`) answer by direct_post and, with `--audience`, exchange the
//! response code for a token.

use crate::common::{err, CliError};
use crate::wallet_present::print_plan;
use credence_wallet::openid4vp::{Openid4vpError, ResponsePlan, TokenTarget, VerifiedRequest};
use credence_wallet::{VerifierIdentity, Wallet};
use serde_json::{json, Value};
use std::path::Path;

impl From<Openid4vpError> for CliError {
    fn from(e: Openid4vpError) -> Self {
        match e {
            Openid4vpError::Present(p) => p.into(),
            Openid4vpError::Invocation(_) => err(2, e),
            other => err(1, format!("refused ({}): {other}", other.code())),
        }
    }
}

/// What `credence wallet respond` was asked to do.
pub(crate) struct Respond<'a> {
    /// A URL, a file holding one (or a request object), or `-`.
    pub input: &'a str,
    /// Only show what would be disclosed.
    pub dry_run: bool,
    /// Exchange the response code for a token for this audience.
    pub audience: Option<&'a str>,
    /// The scope to ask for.
    pub scope: Option<&'a str>,
    /// Print JSON.
    pub json: bool,
}

/// The invocation text: the argument itself when it is a URL, else the
/// content of the file it names (or of stdin for `-`).
fn invocation(input: &str) -> Result<String, CliError> {
    if input == "-" {
        return std::io::read_to_string(std::io::stdin())
            .map_err(|e| err(2, format!("stdin: {e}")));
    }
    if input.contains("://") || !Path::new(input).exists() {
        return Ok(input.to_owned());
    }
    std::fs::read_to_string(input).map_err(|e| err(2, format!("{input}: {e}")))
}

fn describe(request: &VerifiedRequest) -> String {
    let who = match &request.verifier {
        VerifierIdentity::VerifiedDid(did) => format!("{did} (signature verified)"),
        VerifierIdentity::Anonymous => "an anonymous verifier (unsigned request)".into(),
        other => other.to_string(),
    };
    format!(
        "Request from {who}\n  client id    {}\n  answer goes  {}",
        request.request.client_id, request.request.response_uri
    )
}

fn print_response_plan(plan: &ResponsePlan) {
    if let Some(ldp) = &plan.ldp_vc {
        print_plan(ldp);
    }
    for q in &plan.sd_jwt {
        println!(
            "  for query {}: SD-JWT VC {} — discloses {}",
            q.query_id,
            q.vct,
            q.claims.join(", ")
        );
    }
}

impl Respond<'_> {
    /// Runs the command against `wallet`.
    pub(crate) async fn run(&self, wallet: &Wallet) -> Result<(), CliError> {
        let request = wallet.open_openid4vp(&invocation(self.input)?).await?;
        eprintln!("{}", describe(&request));
        let plan = match wallet.plan_openid4vp(&request) {
            Ok(plan) => plan,
            Err(refusal) if !self.dry_run => {
                let told = wallet.decline_openid4vp(&request).await.is_ok();
                eprintln!(
                    "Declined{}.",
                    if told {
                        "; the verifier was told (access_denied)"
                    } else {
                        ""
                    }
                );
                return Err(refusal.into());
            }
            Err(refusal) => return Err(refusal.into()),
        };
        if self.dry_run {
            if self.json {
                println!("{}", pretty(&json!(plan)));
            } else {
                print_response_plan(&plan);
                println!("Nothing was signed or sent (dry run).");
            }
            return Ok(());
        }
        let answer = wallet.respond_openid4vp(&request).await?;
        let mut out = json!({"verifier": plan.verifier, "answer": answer});
        eprintln!("Answered {} credential query(ies).", answer.presented.len());
        if let Some(audience) = self.audience {
            let code = answer
                .response_code
                .as_deref()
                .ok_or_else(|| err(1, "the verifier returned no response_code to exchange"))?;
            let endpoint = wallet
                .discover_token_endpoint(&request.request.response_uri)
                .await?;
            let token = wallet
                .exchange_response_code(
                    &endpoint,
                    code,
                    TokenTarget::Audience(audience),
                    self.scope,
                )
                .await?;
            if token.status != 200 {
                return Err(err(1, format!("token endpoint refused: {}", token.body)));
            }
            out["token"] = token.body;
        }
        println!("{}", pretty(&out));
        Ok(())
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}
