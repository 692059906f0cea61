//! `credence wallet present`: answer a Credence-profile presentation
//! request with a VP (ldp_vc) or an SD-JWT VC (dc+sd-jwt), or show what
//! would be disclosed (`--dry-run`).

use crate::common::CliError;
use crate::table;
use credence_core::PresentationRequest;
use credence_wallet::{DisclosurePlan, Wallet};
use serde_json::{json, Value};

fn emit(v: Value) {
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
}

/// Answers `request` (or, with `dry_run`, prints the plan).
pub(crate) async fn present(
    wallet: &Wallet,
    request: &PresentationRequest,
    dry_run: bool,
    json_out: bool,
) -> Result<(), CliError> {
    // A dc+sd-jwt query is answered with an SD-JWT VC (a JSON
    // string), as the wallet API does; any other with a VP.
    let sd_jwt = request
        .dcql_query
        .credentials
        .iter()
        .find(|q| q.format == credence_core::DC_SD_JWT);
    match (sd_jwt, dry_run) {
        (Some(query), true) => {
            let to = credence_wallet::VerifierIdentity::ClientId(request.client_id.clone());
            let plan = wallet.plan_sd_jwt(query, &to)?;
            if json_out {
                emit(json!(plan));
            } else {
                println!(
                    "Would disclose to {}: SD-JWT VC {} — {}\nNothing was signed (dry run).",
                    request.client_id,
                    plan.vct,
                    plan.claims.join(", ")
                );
            }
        }
        (Some(_), false) => emit(Value::String(wallet.present_sd_jwt(request).await?)),
        (None, true) => {
            let plan = wallet.plan(request)?;
            if json_out {
                emit(json!(plan));
            } else {
                print_plan(&plan);
            }
        }
        (None, false) => emit(wallet.present(request).await?),
    }
    Ok(())
}

/// Prints a disclosure plan as tables.
pub(crate) fn print_plan(plan: &DisclosurePlan) {
    println!(
        "Would disclose to {} (nonce {}):",
        plan.verifier, plan.nonce
    );
    for c in &plan.credentials {
        println!(
            "  for query {}: credential {} issued by {}",
            c.query_id, c.credential_id, c.issuer
        );
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (kind, claims) in [("requested", &c.disclosed), ("always", &c.always_disclosed)] {
            for d in claims.iter() {
                rows.push(vec![kind.into(), d.claim.clone(), d.value.to_string()]);
            }
        }
        for w in &c.withheld {
            rows.push(vec!["withheld".into(), w.clone(), "(not disclosed)".into()]);
        }
        table::print(&["", "CLAIM", "VALUE"], &rows);
    }
    println!("Nothing was signed (dry run).");
}
