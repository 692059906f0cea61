//! `credence verify` and `credence issuer` run as a user would: files in,
//! one JSON line out, exit 0 only when accepted.

use chrono::{Duration, Utc};
use credence_core::{
    expand_credential_type, AgentProfile, ClaimPath, PresentationRequest, AGENT_CREDENTIAL_TYPE,
    PROFILE_CLAIMS,
};
use credence_issuer::Issuer;
use credence_wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use serde_json::Value;
use support::credence_env as credence;

mod support;

const VERIFIER: &str = "https://verifier.globex.example";

#[tokio::test]
async fn verify_prints_the_decision_and_exits_zero_only_when_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = Issuer::generate().unwrap();
    let wallet = Wallet::create(
        dir.path().join("w"),
        &Unlock::passphrase("pw"),
        KdfParams::minimal(),
    )
    .unwrap();
    wallet
        .set_holder_policy(
            &HolderPolicy::default().allow_domain("*.globex.example", PROFILE_CLAIMS),
        )
        .unwrap();
    let now = Utc::now();
    let credential = issuer
        .issue_agent_credential(
            wallet.did(),
            &AgentProfile::sample(),
            now - Duration::hours(1),
            now + Duration::hours(1),
        )
        .await
        .unwrap();
    wallet.import(&credential).await.unwrap();
    let request = PresentationRequest::new(
        VERIFIER,
        vec![
            expand_credential_type("VerifiableCredential"),
            expand_credential_type(AGENT_CREDENTIAL_TYPE),
        ],
        vec![
            ClaimPath::subject("organization"),
            ClaimPath::subject("capabilities"),
        ],
        now.timestamp() + 600,
    );
    let vp = wallet.present(&request).await.unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    std::fs::write(path("vp.json"), vp.to_string()).unwrap();
    std::fs::write(
        path("request.json"),
        serde_json::to_string(&request).unwrap(),
    )
    .unwrap();
    std::fs::write(
        path("policy.toml"),
        format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"Acme\"\ncredential_types = [\"AgentCredential\"]\nrequire_status = false\n\n\
             [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\n\
             scope = \"invoices:read\"\naudience = \"https://api.globex.example\"\n",
            issuer.did()
        ),
    )
    .unwrap();
    let (vp_f, req_f, pol_f) = (path("vp.json"), path("request.json"), path("policy.toml"));
    let base = [
        "verify",
        vp_f.as_str(),
        "--request",
        req_f.as_str(),
        "--policy",
        pol_f.as_str(),
    ];

    let (code, out, err) = credence(&base, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["accepted"], true);
    assert_eq!(line["holder"], wallet.did());
    assert_eq!(
        line["grants"]["https://api.globex.example"]["scopes"][0],
        "invoices:read"
    );
    assert_eq!(line["kind"], "presentation");
    assert_eq!(
        line["credentials"][0]["claims"]["organization"],
        "Acme Corp"
    );

    // Too late for the request: refused with the typed reason.
    let later = (now + Duration::hours(3)).to_rfc3339();
    let mut args = base.to_vec();
    args.extend(["--now", later.as_str()]);
    let (code, out, _) = credence(&args, &[]);
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (code, line["accepted"].clone(), line["reason"].clone()),
        (1, false.into(), "nonce_expired".into())
    );

    // A tampered presentation.
    std::fs::write(
        path("vp.json"),
        vp.to_string().replace("Acme Corp", "Evil Corp"),
    )
    .unwrap();
    let (code, out, _) = credence(&base, &[]);
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((code, line["reason"].clone()), (1, "bad_proof".into()));

    // Unreadable input is a usage error, not a rejection.
    std::fs::write(path("request.json"), "{}").unwrap();
    let (code, _, err) = credence(&base, &[]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn issuer_cli_initializes_issues_and_revokes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("acme");
    let d = d.to_str().unwrap();
    let env = [("CREDENCE_PASSPHRASE", "issuer passphrase")];
    let (code, out, err) = credence(
        &[
            "issuer",
            "--dir",
            d,
            "init",
            "--url",
            "http://127.0.0.1:7400",
            "--kdf-memory-mib",
            "8",
        ],
        &env,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "did:web:127.0.0.1%3A7400");
    let (code, _, err) = credence(
        &["issuer", "--dir", d, "init", "--url", "http://acme.example"],
        &env,
    );
    assert_ne!(code, 0, "{err}");

    let profile = dir.path().join("agent.json");
    std::fs::write(
        &profile,
        serde_json::to_string(&AgentProfile::sample()).unwrap(),
    )
    .unwrap();
    let subject = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    let (code, out, err) = credence(
        &[
            "issuer",
            "--dir",
            d,
            "issue",
            "--subject",
            subject,
            "--profile",
            profile.to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(code, 0, "{err}");
    let credential: Value = serde_json::from_str(&out).unwrap();
    let index = credential["credentialStatus"][0]["statusListIndex"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(credential["issuer"], "did:web:127.0.0.1%3A7400");

    let (code, out, _) = credence(&["issuer", "--dir", d, "revoke", &index], &env);
    assert_eq!(code, 0);
    assert!(out.contains("\"changed\":true"), "{out}");
    let (code, _, err) = credence(&["issuer", "--dir", d, "suspend", "7"], &env);
    assert_eq!(code, 1, "an index never assigned: {err}");
    let (code, _, _) = credence(
        &["issuer", "--dir", d, "did"],
        &[("CREDENCE_PASSPHRASE", "wrong")],
    );
    assert_eq!(code, 3);
}

/// The published vectors with status lists run through `credence verify
/// --documents` as an integrator would: accepted and revoked.
#[test]
fn published_status_vectors_verify_offline_with_documents() {
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/cases");
    // `credence verify` on case `case`, with `documents` (default: the case's).
    let verify_case = |case: &str, documents: Option<&std::path::Path>| {
        let dir = cases.join(case);
        let arg = |f: &str| dir.join(f).to_str().unwrap().to_owned();
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
        let documents =
            documents.map_or_else(|| arg("documents.json"), |d| d.to_str().unwrap().to_owned());
        credence(
            &[
                "verify",
                &arg("presentation.json"),
                "--request",
                &arg("request.json"),
                "--policy",
                &arg("policy.toml"),
                "--documents",
                &documents,
                "--now",
                meta["now"].as_str().unwrap(),
            ],
            &[],
        )
    };
    for (case, accepted, reason) in [
        ("26-accept-with-status", true, None),
        ("27-revoked", false, Some("revoked")),
    ] {
        let (code, out, err) = verify_case(case, None);
        let line: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
        assert_eq!(line["accepted"], accepted, "{case}: {line}");
        assert_eq!(code == 0, accepted);
        if let Some(reason) = reason {
            assert_eq!(line["reason"], reason, "{case}: {line}");
        }
    }

    // A documents file of the wrong shape is a usage error naming the part.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("documents.json");
    std::fs::write(&bad, r#"{"dids": ["did:web:acme.example"]}"#).unwrap();
    let (code, _, err) = verify_case("26-accept-with-status", Some(&bad));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("dids"), "{err}");
}
