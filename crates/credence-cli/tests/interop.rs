//! The shared interop fixtures (`../shared/interop`, or `$CREDENCE_INTEROP`):
//! credentials and presentations made by an independent implementation
//! (Digital Bazaar's JS stack), each run through `credence verify` as its
//! manifest case says — under a policy that trusts its issuers and
//! declares its contexts (digest-checked files), offline, at the case's
//! time. Every `valid` case must be accepted; every `invalid` one refused
//! with a reason that fits what the manifest says is wrong.

mod support;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use support::credence;

fn fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENCE_INTEROP")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop"));
    if dir.join("MANIFEST.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP interop: no interop fixtures at {} (set CREDENCE_INTEROP)",
            dir.display()
        );
        None
    }
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A case's `--name value` argument.
fn arg<'a>(case: &'a Value, name: &str) -> Option<&'a str> {
    let args = case["args"].as_array()?;
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1)?.as_str()
}

/// The `--doc URL=FILE` arguments of a case.
fn docs(case: &Value) -> Vec<(String, String)> {
    let args = case["args"].as_array().cloned().unwrap_or_default();
    args.windows(2)
        .filter(|w| w[0] == "--doc")
        .filter_map(|w| {
            w[1].as_str()?
                .split_once('=')
                .map(|(u, f)| (u.into(), f.into()))
        })
        .collect()
}

/// The policy: every issuer of the fixtures, trusted for the types they
/// issue; the contexts the fixtures use, as files with their digests.
fn policy(fixtures: &Path, dir: &Path) -> PathBuf {
    let mut text = String::new();
    let contexts = read(&fixtures.join("contexts.json"));
    for (url, file) in contexts.as_object().unwrap() {
        let file = file.as_str().unwrap();
        let bytes = std::fs::read(fixtures.join(file)).unwrap();
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        std::fs::write(dir.join(name), &bytes).unwrap();
        let digest = hex::encode(Sha256::digest(&bytes));
        text +=
            &format!("[[context]]\nurl = \"{url}\"\nfile = \"{name}\"\nsha256 = \"{digest}\"\n\n");
    }
    let issuers = [
        ("bbs", "ExampleAgentPassport", "zUC7"),
        ("eddsa", "AgentMembershipCredential", "z6Mkkmxo"),
        ("ecdsa", "AgentMembershipCredential", "zDnaedMY"),
    ];
    let dids = read(&fixtures.join("dids.json"));
    for (name, credential_type, prefix) in issuers {
        let did = dids
            .as_object()
            .unwrap()
            .keys()
            .find(|d| d.starts_with(&format!("did:key:{prefix}")))
            .unwrap();
        // did:key issuers publish no status lists.
        text += &format!(
            "[[issuer]]\ndid = \"{did}\"\nname = \"{name}\"\ncredential_types = [\"{credential_type}\"]\nrequire_status = false\n\n"
        );
    }
    text += "[[issuer]]\ndid = \"did:web:issuer.partner-a.example\"\nname = \"partner-a\"\n\
             credential_types = [\"AgentMembershipCredential\", \"BitstringStatusListCredential\"]\n\
             require_status = false\n";
    let path = dir.join("policy.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Offline documents: the did:web document and the status lists the case
/// supplies (`--doc`); did:key documents are computed.
fn documents(fixtures: &Path, case: &Value, dir: &Path) -> PathBuf {
    let mut dids = serde_json::Map::new();
    let mut lists = serde_json::Map::new();
    for (url, file) in docs(case) {
        let doc = read(&fixtures.join(&file));
        if url.starts_with("did:web:") {
            dids.insert(url, doc);
        } else if file.starts_with("credentials/") {
            lists.insert(url, doc);
        }
    }
    // Credentials of the did:web issuer need its document even when the
    // case supplies only contexts.
    let web = "did:web:issuer.partner-a.example";
    if !dids.contains_key(web) {
        let file = read(&fixtures.join("dids.json"))[web]
            .as_str()
            .unwrap()
            .to_owned();
        dids.insert(web.into(), read(&fixtures.join(file)));
    }
    let path = dir.join("documents.json");
    let body = json!({"dids": dids, "status_lists": lists});
    std::fs::write(&path, body.to_string()).unwrap();
    path
}

/// A request the presentation answers: the case's nonce and domain, one
/// credential query per embedded credential (any verifiable credential).
fn request(case: &Value, vp: &Value, now: &str, dir: &Path) -> PathBuf {
    let n = vp["verifiableCredential"].as_array().map_or(1, Vec::len);
    let expires = chrono::DateTime::parse_from_rfc3339(now)
        .unwrap()
        .timestamp()
        + 120;
    let credentials: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("q{i}"), "format": "ldp_vc", "meta": {"type_values":
                [["https://www.w3.org/2018/credentials#VerifiableCredential"]]}, "claims": []})
        })
        .collect();
    let body = json!({"response_type": "vp_token", "client_id": arg(case, "--domain"),
        "nonce": arg(case, "--challenge"), "dcql_query": {"credentials": credentials},
        "expires_at": expires});
    let path = dir.join("request.json");
    std::fs::write(&path, body.to_string()).unwrap();
    path
}

/// The refusal codes that fit what the manifest says is wrong.
fn fitting(case: &Value) -> &'static [&'static str] {
    let file = case["file"].as_str().unwrap_or_default();
    let why = case["why"].as_str().unwrap_or_default();
    let reason = |w: &str| why.contains(w);
    match () {
        _ if file.ends_with("bbs-base.json") => &["bad_proof"],
        _ if reason("expired") => &["expired"],
        _ if reason("not yet valid") => &["not_yet_valid", "proof_not_yet_valid"],
        _ if reason("not supplied") => &["status_unavailable"],
        _ if reason("challenge differs") => &["nonce_mismatch"],
        _ if reason("domain differs") => &["audience_mismatch"],
        _ if reason("binding") => &["holder_mismatch", "key_not_authorized"],
        _ if file.ends_with("status-revoked.json")
            && docs(case).iter().any(|(_, f)| f.contains("negative")) =>
        {
            &["status_list_invalid"]
        }
        _ if file.ends_with("status-revoked.json") => &["revoked"],
        _ => &["bad_proof"],
    }
}

/// Runs one case; returns (accepted, reason code).
fn run(fixtures: &Path, case: &Value) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = fixtures.join(case["file"].as_str().unwrap());
    let now = arg(case, "--now").unwrap();
    let policy = policy(fixtures, dir.path());
    let documents = documents(fixtures, case, dir.path());
    let mut args = vec![
        "verify".to_owned(),
        file.display().to_string(),
        "--policy".into(),
        policy.display().to_string(),
        "--now".into(),
        now.into(),
        "--documents".into(),
        documents.display().to_string(),
    ];
    let doc = read(&file);
    if doc["type"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t == "VerifiablePresentation"))
    {
        let request = request(case, &doc, now, dir.path());
        args.extend(["--request".into(), request.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = credence(&args);
    let line: Value = serde_json::from_str(out.trim()).unwrap_or_else(|_| panic!("{out}{err}"));
    let accepted = line["accepted"] == true;
    assert_eq!(code == 0, accepted, "{out}{err}");
    (accepted, line["reason"].as_str().unwrap_or("").to_owned())
}

#[test]
fn every_data_integrity_fixture_of_the_manifest_gets_its_expected_outcome() {
    let Some(fixtures) = fixtures() else { return };
    let manifest = read(&fixtures.join("MANIFEST.json"));
    let cases: Vec<&Value> = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["tool"] == "verify")
        .collect();
    assert!(cases.len() >= 28, "{} Data Integrity cases", cases.len());
    let mut table = Vec::new();
    let mut wrong = Vec::new();
    for case in &cases {
        let expected = case["expected"].as_str().unwrap();
        let (accepted, reason) = run(&fixtures, case);
        let got = if accepted {
            "accepted".to_owned()
        } else {
            format!("refused: {reason}")
        };
        let ok = match expected {
            "valid" => accepted,
            _ => !accepted && fitting(case).contains(&reason.as_str()),
        };
        let row = format!("{} | {expected} | {got}", case["file"].as_str().unwrap());
        if !ok {
            wrong.push(format!("{row} (why: {})", case["why"]));
        }
        table.push(row);
    }
    println!("fixture | expected | got\n{}", table.join("\n"));
    assert!(wrong.is_empty(), "not as expected:\n{}", wrong.join("\n"));
}

/// `credence verify` of the fixture presentation `vp` answering its
/// manifest request, under the interop policy edited by `edit` and with
/// `rules` appended; returns the output line.
fn verify_with(fixtures: &Path, vp: &str, edit: impl Fn(String) -> String, rules: &str) -> Value {
    verify_answering(fixtures, vp, edit, rules, None)
}

/// As [`verify_with`], the request carrying `dcql` when given.
fn verify_answering(
    fixtures: &Path,
    vp: &str,
    edit: impl Fn(String) -> String,
    rules: &str,
    dcql: Option<Value>,
) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(fixtures, dir.path());
    let text = edit(std::fs::read_to_string(&policy).unwrap()) + rules;
    std::fs::write(&policy, text).unwrap();
    let now = "2026-06-01T00:00:00Z";
    let case = json!({"file": vp, "args": ["--challenge", "vp-nonce-8c1e5b7a2f",
        "--domain", "https://verifier.partner-b.example", "--now", now]});
    let file = fixtures.join(vp);
    let request = request(&case, &read(&file), now, dir.path());
    if let Some(dcql) = dcql {
        let mut body = read(&request);
        body["dcql_query"] = dcql;
        std::fs::write(&request, body.to_string()).unwrap();
    }
    let documents = documents(fixtures, &case, dir.path());
    let (code, out, err) = credence(&[
        "verify",
        file.to_str().unwrap(),
        "--request",
        request.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--now",
        now,
        "--documents",
        documents.to_str().unwrap(),
    ]);
    // Bad input (exit 2) prints no decision: report the exit and message.
    serde_json::from_str(out.trim()).unwrap_or_else(|_| json!({"exit": code, "stderr": err}))
}

const TWO_RULES: &str = r#"
[[rule]]
credential_type = "ExampleAgentPassport"
claim = "permissions"
equals = "ledger.read"
scope = "ledger:read"
audience = "https://api.partner-b.example"

[[rule]]
credential_type = "AgentMembershipCredential"
claim = "role"
equals = "dispatch-agent"
scope = "dispatch"
audience = "https://api.partner-b.example"
"#;

#[test]
fn two_credentials_from_two_issuers_each_feed_their_own_rule() {
    let Some(fixtures) = fixtures() else { return };
    let vp = "presentations/vp-bbs-derived-and-eddsa.json";
    let line = verify_with(&fixtures, vp, |p| p, TWO_RULES);
    assert_eq!(line["accepted"], true, "{line}");
    assert_eq!(
        line["grants"]["https://api.partner-b.example"]["scopes"],
        json!(["dispatch", "ledger:read"])
    );
    // A rule reads the credential of the type it names only: the
    // passport's permissions do not feed a membership rule.
    let crossed = TWO_RULES.replacen("ExampleAgentPassport", "AgentMembershipCredential", 1);
    let line = verify_with(&fixtures, vp, |p| p, &crossed);
    assert_eq!(
        line["grants"]["https://api.partner-b.example"]["scopes"],
        json!(["dispatch"])
    );
    // One of the two issuers untrusted: the whole presentation is refused.
    let line = verify_with(
        &fixtures,
        vp,
        |p| {
            p.replace(
                "name = \"eddsa\"\ncredential_types = [\"AgentMembershipCredential\"]",
                "name = \"eddsa\"\ncredential_types = [\"OtherCredential\"]",
            )
        },
        TWO_RULES,
    );
    assert_eq!(line["reason"], "untrusted_issuer", "{line}");
}

#[test]
fn a_context_the_policy_does_not_declare_is_refused() {
    let Some(fixtures) = fixtures() else { return };
    let without_agent_context = |p: String| {
        let start = p
            .find("[[context]]\nurl = \"https://vocab.partner.example/agent/v1\"")
            .unwrap();
        let end = start + p[start..].find("\n\n").unwrap() + 2;
        format!("{}{}", &p[..start], &p[end..])
    };
    let line = verify_with(
        &fixtures,
        "presentations/vp-eddsa.json",
        without_agent_context,
        "",
    );
    assert_eq!(line["reason"], "unsupported_context", "{line}");
}

#[test]
fn formats_and_the_presentation_header_are_the_issuers_policy() {
    let Some(fixtures) = fixtures() else { return };
    let bbs = |extra: &'static str| {
        move |p: String| {
            p.replace(
                "name = \"bbs\"\ncredential_types = [\"ExampleAgentPassport\"]",
                &format!("name = \"bbs\"\ncredential_types = [\"ExampleAgentPassport\"]\n{extra}"),
            )
        }
    };
    let empty_header = "presentations/vp-bbs-derived.json";
    let nonce_header = "presentations/vp-bbs-derived-ph.json";
    // Default: an empty header is accepted (the VP signature binds the nonce).
    assert_eq!(
        verify_with(&fixtures, empty_header, |p| p, "")["accepted"],
        true
    );
    // Strict: the header must be the nonce.
    let strict = bbs("require_presentation_header = true\nformats = [\"bbs-2023\"]");
    let line = verify_with(&fixtures, empty_header, strict, "");
    assert_eq!(line["reason"], "nonce_mismatch", "{line}");
    assert_eq!(
        verify_with(&fixtures, nonce_header, strict, "")["accepted"],
        true
    );
    // The issuer may use only the formats its entry lists.
    let line = verify_with(
        &fixtures,
        empty_header,
        bbs("formats = [\"eddsa-rdfc-2022\"]"),
        "",
    );
    assert_eq!(line["reason"], "format_not_allowed", "{line}");
}

const PASSPORT: &str = "https://www.w3.org/ns/credentials/examples#ExampleAgentPassport";
const MEMBERSHIP: &str = "https://vocab.partner.example/agent#AgentMembershipCredential";

fn query(id: &str, type_iri: &str, claims: Value) -> Value {
    json!({"id": id, "format": "ldp_vc", "meta": {"type_values": [[type_iri]]}, "claims": claims})
}

#[test]
fn dcql_queries_are_matched_by_type_claims_values_and_credential_sets() {
    let Some(fixtures) = fixtures() else { return };
    let both = "presentations/vp-bbs-derived-and-eddsa.json";
    let one = "presentations/vp-bbs-derived.json";
    let permissions =
        |values: Value| json!([{"path": ["credentialSubject", "permissions"], "values": values}]);
    let run = |vp: &str, dcql: Value| verify_answering(&fixtures, vp, |p| p, "", Some(dcql));
    // Two queries, listed in the other order than the credentials: each
    // credential is matched to its query by type and claims.
    let dcql = json!({"credentials": [
        query("membership", MEMBERSHIP, json!([{"path": ["credentialSubject", "role"]}])),
        query("passport", PASSPORT, permissions(json!(["ledger.read"]))),
    ]});
    let line = run(both, dcql);
    assert_eq!(line["accepted"], true, "{line}");
    assert_eq!(line["credentials"][0]["query"], "passport");
    assert_eq!(line["credentials"][1]["query"], "membership");
    // A value the credential does not have.
    let dcql =
        json!({"credentials": [query("passport", PASSPORT, permissions(json!(["ledger.write"])))]});
    assert_eq!(run(one, dcql)["reason"], "claim_value_mismatch");
    // An optional credential set left unanswered is fine; a required one is not.
    let sets = |required: bool| {
        json!({"credentials": [
            query("passport", PASSPORT, json!([])),
            query("membership", MEMBERSHIP, json!([])),
        ], "credential_sets": [
            {"options": [["passport"]]},
            {"options": [["membership"]], "required": required},
        ]})
    };
    assert_eq!(run(one, sets(false))["accepted"], true);
    assert_eq!(run(one, sets(true))["reason"], "request_not_satisfied");
    // A credential no query asked for.
    let dcql = json!({"credentials": [query("passport", PASSPORT, json!([]))]});
    assert_eq!(run(both, dcql)["reason"], "wrong_credential_type");
}

#[test]
fn a_query_is_answered_only_by_a_type_the_issuer_is_trusted_for() {
    let Some(fixtures) = fixtures() else { return };
    // The eddsa issuer is trusted for VerifiableCredential only: its
    // membership credential cannot answer a query for memberships.
    let only_vc = |p: String| {
        p.replace(
            "name = \"eddsa\"\ncredential_types = [\"AgentMembershipCredential\"]",
            "name = \"eddsa\"\ncredential_types = [\"VerifiableCredential\"]",
        )
    };
    let dcql = json!({"credentials": [query("membership", MEMBERSHIP, json!([]))]});
    let line = verify_answering(
        &fixtures,
        "presentations/vp-eddsa.json",
        only_vc,
        "",
        Some(dcql),
    );
    assert_eq!(line["reason"], "wrong_credential_type", "{line}");
}

#[test]
fn one_credential_presented_twice_and_malformed_requests_are_refused() {
    let Some(fixtures) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut vp = read(&fixtures.join("presentations/vp-eddsa.json"));
    let credential = vp["verifiableCredential"][0].clone();
    vp["verifiableCredential"] = json!([credential.clone(), credential]);
    let twice = dir.path().join("twice.json");
    std::fs::write(&twice, vp.to_string()).unwrap();
    let line = verify_answering(&fixtures, twice.to_str().unwrap(), |p| p, "", None);
    assert_eq!(line["reason"], "malformed", "{line}");
    // A request whose queries share an id is bad input, not a decision.
    let dcql = json!({"credentials": [query("a", MEMBERSHIP, json!([])), query("a", PASSPORT, json!([]))]});
    let line = verify_answering(
        &fixtures,
        "presentations/vp-eddsa.json",
        |p| p,
        "",
        Some(dcql),
    );
    assert_eq!(line["exit"], 2, "{line}");
    assert!(
        line["stderr"].as_str().unwrap().contains("not unique"),
        "{line}"
    );
}

#[test]
fn the_tampered_twin_of_the_ecdsa_credential_is_refused() {
    let Some(fixtures) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut credential = read(&fixtures.join("credentials/ecdsa-p256-agent-membership.json"));
    credential["credentialSubject"]["clearance"] = json!(4);
    let twin = dir.path().join("ecdsa-twin.json");
    std::fs::write(&twin, credential.to_string()).unwrap();
    let policy = policy(&fixtures, dir.path());
    let case = json!({"file": "x", "args": []});
    let documents = documents(&fixtures, &case, dir.path());
    let (code, out, err) = credence(&[
        "verify",
        twin.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--now",
        "2026-06-01T00:00:00Z",
        "--documents",
        documents.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["reason"], "bad_proof", "{line}");
}
