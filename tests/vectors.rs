//! Runs Credence's own conformance set (`vectors/cases/*`, see
//! vectors/README.md) through `credence-verify` exactly as an integrator
//! would: the case's policy, its request registered, the verifier clock
//! fixed at the case's `now`, DIDs and status lists from the case alone; then checks the
//! expected token claims or the expected rejection reason. Every
//! rejection reason a presentation can cause must be covered by a case.

use credence::model::{AccessTokenClaims, FixedClock, PresentationRequest};
use credence::verify::{
    OfflineDocuments, ParseError, TokenIssuer, TrustPolicy, Verifier, VerifyError,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reasons a case must exist for. The others need a per-step exchange, a
/// broken signing key or a failing disk, and are covered by the loopback
/// tests (see vectors/README.md).
const PRESENTATION_REASONS: &[&str] = &[
    "malformed",
    "unsupported_context",
    "resolution_failed",
    "key_not_authorized",
    "bad_proof",
    "nonce_mismatch",
    "nonce_expired",
    "replay",
    "audience_mismatch",
    "holder_mismatch",
    "expired",
    "not_yet_valid",
    "untrusted_issuer",
    "wrong_credential_type",
    "missing_claim",
    "claim_value_mismatch",
    "request_not_satisfied",
    "format_not_allowed",
    "constraint_failed",
    "scope_not_granted",
    "no_scope_mapped",
    "untrusted_principal",
    "delegation_broken",
    "delegation_exceeds_parent",
    "delegation_depth_exceeded",
    "audience_not_delegated",
    "revoked",
    "suspended",
    "status_unavailable",
    "status_list_invalid",
    "unsigned_member",
    "nested_context",
    "valid_until_missing",
    "validity_too_long",
    "status_missing",
    "proof_expired",
    "proof_not_yet_valid",
    "principal_not_signer",
    "delegation_cycle",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What the verifier decided: the minted token's claims, or the reason.
async fn run_case(dir: &Path) -> (Value, Result<Value, String>) {
    let case = json(&dir.join("case.json"));
    let request: PresentationRequest = serde_json::from_value(json(&dir.join("request.json")))
        .unwrap_or_else(|e| panic!("{}: request: {e}", dir.display()));
    let vp = json(&dir.join("presentation.json"));
    let policy = TrustPolicy::load(dir.join("policy.toml"))
        .unwrap_or_else(|e| panic!("{}: policy: {e}", dir.display()));
    let now = chrono::DateTime::parse_from_rfc3339(case["now"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{}: now: {e}", dir.display()))
        .with_timezone(&chrono::Utc);
    // documents.json: DID documents and status lists given to the verifier.
    let documents = dir.join("documents.json");
    let documents = if documents.is_file() {
        OfflineDocuments::from_json(&json(&documents))
            .unwrap_or_else(|e| panic!("{}: documents: {e}", dir.display()))
    } else {
        OfflineDocuments::default()
    };
    let verifier = Verifier::new(&request.client_id, policy)
        .with_clock(Arc::new(FixedClock(now)))
        .offline(documents);
    let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519().unwrap());
    verifier.register_request(request).await.unwrap();
    let audience = case["audience"].as_str().unwrap_or("").to_owned();
    let scope: Option<Vec<String>> = case
        .get("scope")
        .map(|s| serde_json::from_value(s.clone()).unwrap());
    let mut outcome: Result<Value, VerifyError> =
        Err(ParseError::Malformed("not run".into()).into());
    for _ in 0..case["submissions"].as_u64().unwrap_or(1) {
        outcome = match verifier.verify_presentation(&vp).await {
            Ok(verified) => tokens
                .mint_narrowed(verified, &audience, scope.as_deref())
                .await
                .map(|t| serde_json::to_value(&t.claims).unwrap()),
            Err(e) => Err(e),
        };
    }
    (case, outcome.map_err(|e| e.code().to_owned()))
}

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/cases")
}

#[tokio::test]
async fn every_published_case_has_its_expected_outcome() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("vectors/cases exists (cargo run --example make_vectors regenerates it)")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut covered = BTreeSet::new();
    let (mut accepted, mut failures) = (0, vec![]);
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (case, outcome) = run_case(dir).await;
        let expected = &case["expected"];
        let ok = match (expected["outcome"].as_str(), &outcome) {
            (Some("accept"), Ok(claims)) => {
                accepted += 1;
                let want = &expected["token"];
                let token: AccessTokenClaims = serde_json::from_value(claims.clone()).unwrap();
                let act: Vec<&str> = token.act.as_ref().map(|a| a.subjects()).unwrap_or_default();
                ["sub", "client_id", "scope", "aud"]
                    .iter()
                    .all(|k| claims[k] == want[k])
                    && want
                        .get("act")
                        .map_or(act.is_empty(), |w| *w == serde_json::json!(act))
                    && claims["exp"].as_i64() > claims["iat"].as_i64()
            }
            (Some("reject"), Err(reason)) => {
                covered.insert(reason.clone());
                expected["reason"] == reason.as_str()
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: expected {expected}, got {outcome:?}"));
        }
    }
    println!(
        "vectors/: {} cases, {accepted} accepted, {} rejection reasons covered",
        dirs.len(),
        covered.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(accepted >= 2, "at least two accepted cases");
    let missing: Vec<_> = PRESENTATION_REASONS
        .iter()
        .filter(|r| !covered.contains(**r))
        .collect();
    assert!(missing.is_empty(), "no case for {missing:?}");
}
