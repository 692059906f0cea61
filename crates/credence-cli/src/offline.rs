//! The offline tools: the vocabulary, trust-policy checks, and verifying a
//! derived credential.

use crate::fail;
use credence_core::{context_loader_with, CREDENCE_CONTEXT};
use credence_did::DidResolver;
use credence_verify::{verify_credential_with, TrustPolicy};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

/// `credence context`.
pub fn context() -> ExitCode {
    print!("{CREDENCE_CONTEXT}");
    ExitCode::SUCCESS
}

/// `credence policy-check FILE`.
pub fn policy_check(file: &Path) -> ExitCode {
    match TrustPolicy::load(file) {
        Ok(p) => {
            println!(
                "{}: {} trusted issuer(s), {} constraint(s), {} rule(s)",
                file.display(),
                p.issuers.len(),
                p.constraints.len(),
                p.rules.len()
            );
            for c in &p.constraints {
                println!("  require {} {}", c.claim, c.condition);
            }
            for r in &p.rules {
                println!(
                    "  {} {} -> scope {} for {}",
                    r.claim, r.condition, r.scope, r.audience
                );
            }
            ExitCode::SUCCESS
        }
        Err(e @ credence_verify::PolicyError::Io { .. }) => fail(e.to_string()),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// `credence verify-credential FILE [--context URL=FILE]`.
pub async fn verify_credential(file: &Path, contexts: Vec<String>) -> ExitCode {
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
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => return fail(format!("{}: not JSON: {e}", file.display())),
    };
    let resolver = DidResolver::default();
    match verify_credential_with(&doc, &context_loader_with(extra), &resolver).await {
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
