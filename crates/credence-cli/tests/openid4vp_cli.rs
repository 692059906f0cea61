//! OpenID4VP from the command line, as operators would run it: a real
//! `credence verifier serve` process on loopback, `credence verifier
//! request` printing the `openid4vp://` URL, and `credence wallet respond`
//! verifying the request against the verifier's did:web, showing who asks,
//! and exchanging the response code for a token.

use chrono::{Duration, Utc};
use credence_core::AgentProfile;
use credence_issuer::Issuer;
use serde_json::Value;
use std::path::Path;
use support::{credence_env, serve_verifier};

mod support;

const PASS: &str = "cli test passphrase";
const TOOL: &str = "https://tools.globex.example";

fn wallet(w: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["wallet", "--wallet", w.to_str().unwrap()];
    all.extend_from_slice(args);
    credence_env(&all, &[("CREDENCE_PASSPHRASE", PASS)])
}

fn policy(issuer: &str) -> String {
    format!(
        r#"[[issuer]]
did = "{issuer}"
name = "Acme"
credential_types = ["AgentCredential"]
require_status = false

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "{TOOL}"
"#
    )
}

#[tokio::test]
async fn request_respond_and_exchange_from_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path().join("agent");
    let (code, out, err) = wallet(
        &w,
        &[
            "--json",
            "init",
            "--kdf-memory-mib",
            "8",
            "--kdf-passes",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let did = serde_json::from_str::<Value>(&out).unwrap()["did"]
        .as_str()
        .unwrap()
        .to_owned();
    let issuer = Issuer::generate().unwrap();
    let vc = issuer
        .issue_agent_credential(
            &did,
            &AgentProfile::sample(),
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(24),
        )
        .await
        .unwrap();
    let vc_file = tmp.path().join("vc.json");
    std::fs::write(&vc_file, vc.to_string()).unwrap();
    assert_eq!(wallet(&w, &["import", vc_file.to_str().unwrap()]).0, 0);

    let policy_file = tmp.path().join("policy.toml");
    std::fs::write(&policy_file, policy(issuer.did())).unwrap();
    let (_server, url) = serve_verifier(&tmp.path().join("globex"), &policy_file);
    let globex = credence_did::did_web_for_origin(&url).unwrap();

    let (code, link, err) = credence_env(
        &[
            "verifier",
            "request",
            "--server",
            &url,
            "--claims",
            "organization,capabilities",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let link = link.trim().to_owned();
    assert!(
        link.starts_with("openid4vp://?client_id=decentralized_identifier"),
        "{link}"
    );

    // Nothing goes to Globex until the holder policy names its DID.
    let (code, _, err) = wallet(&w, &["respond", &link, "--dry-run"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("Request from {globex} (signature verified)")),
        "{err}"
    );
    assert!(err.contains("refused"), "{err}");
    std::fs::write(
        w.join("holder-policy.toml"),
        format!(
            "[[verifier]]\ndid = \"{globex}\"\nclaims = [\"organization\", \"capabilities\"]\n"
        ),
    )
    .unwrap();
    let (code, out, err) = wallet(&w, &["respond", &link, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Nothing was signed or sent"), "{out}");
    assert!(out.contains("credentialSubject.capabilities"), "{out}");

    let (code, out, err) = wallet(&w, &["respond", &link, "--audience", TOOL]);
    assert_eq!(code, 0, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["token"]["token_type"], "DPoP", "{answer}");
    assert_eq!(answer["token"]["scope"], "invoices:read", "{answer}");
    assert!(answer["token"]["access_token"].as_str().unwrap().len() > 100);

    // The transaction is used up: the same link is refused.
    let (code, _, err) = wallet(&w, &["respond", &link]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("fetch_failed"), "{err}");
    // And a bad invocation is a usage error.
    assert_eq!(wallet(&w, &["respond", "openid4vp://?nothing=here"]).0, 2);
}
