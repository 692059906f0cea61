//! Unit tests of the policy parser; compiled only under `#[cfg(test)]` (see `mod tests` in policy.rs).

use super::*;

const GOOD: &str = r#"
[[issuer]]
did = "did:key:zAcme"
name = "Acme"
credential_types = ["AgentCredential"]

[[constraint]]
credential_type = "AgentCredential"
claim = "organization"
one_of = ["Acme Corp", "Acme Labs"]

[[rule]]
credential_type = "AgentCredential"
claim = "capabilities"
equals = "invoices.read"
scope = "invoices:read"
audience = "https://api.globex.example"
ttl_secs = 120

[[rule]]
credential_type = "AgentCredential"
claim = "model"
prefix = "acme-"
scope = "models:acme"
audience = "https://api.globex.example"
"#;

fn claims(v: serde_json::Value) -> NamedClaims {
    let text = |v: &serde_json::Value| ClaimValue::Text(v.as_str().unwrap().to_owned());
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let values = match v {
                serde_json::Value::Array(a) => a.iter().map(text).collect(),
                one => vec![text(one)],
            };
            (k.clone(), values)
        })
        .collect()
}

fn agent() -> PolicyTypes {
    PolicyTypes::from(["AgentCredential".to_owned()])
}

fn facts<'a>(
    issuer: &'a str,
    types: &'a PolicyTypes,
    claims: &'a NamedClaims,
) -> CredentialFacts<'a> {
    CredentialFacts {
        issuer,
        types,
        claims,
    }
}

#[test]
fn grants_only_matching_rules() {
    let p = TrustPolicy::from_toml(GOOD).unwrap();
    assert!(p.issuer("did:key:zAcme").is_some() && p.issuer("did:key:zOther").is_none());
    let t = agent();
    let c = claims(serde_json::json!({"capabilities": ["invoices.read", "x"], "model": "acme-7b"}));
    let g = p.grant(
        &[facts("did:key:zAcme", &t, &c)],
        "https://api.globex.example",
    );
    assert_eq!(g.scopes, vec!["invoices:read", "models:acme"]);
    assert_eq!(g.ttl_secs, 120);
    let g = p.grant(&[facts("did:key:zAcme", &t, &c)], "https://other");
    assert!(g.scopes.is_empty());
    let c = claims(serde_json::json!({"model": "other-acme-"}));
    let g = p.grant(
        &[facts("did:key:zAcme", &t, &c)],
        "https://api.globex.example",
    );
    assert!(g.scopes.is_empty());
    assert_eq!(p.audiences(), vec!["https://api.globex.example"]);
}

#[test]
fn rules_read_the_credential_of_the_type_they_name_and_scopes_combine() {
    let p = TrustPolicy::from_toml(GOOD).unwrap();
    let agent_types = agent();
    let other_types = PolicyTypes::from(["ComplianceCredential".to_owned()]);
    let caps = claims(serde_json::json!({"capabilities": "invoices.read"}));
    let model = claims(serde_json::json!({"model": "acme-7b"}));
    // A claim on a credential of another type feeds no AgentCredential rule.
    let g = p.grant(
        &[facts("did:key:zAcme", &other_types, &caps)],
        "https://api.globex.example",
    );
    assert!(g.scopes.is_empty());
    // Two credentials: each rule reads its own, the scopes combine.
    let g = p.grant(
        &[
            facts("did:key:zAcme", &agent_types, &caps),
            facts("did:key:zAcme", &agent_types, &model),
        ],
        "https://api.globex.example",
    );
    assert_eq!(g.scopes, vec!["invoices:read", "models:acme"]);
}

#[test]
fn constraints_refuse_other_values() {
    let p = TrustPolicy::from_toml(GOOD).unwrap();
    let t = agent();
    let ok = claims(serde_json::json!({"organization": "Acme Labs"}));
    assert!(p.violated(facts("did:key:zAcme", &t, &ok)).is_none());
    let bad = claims(serde_json::json!({"organization": "Evil Corp"}));
    let c = p.violated(facts("did:key:zAcme", &t, &bad)).unwrap();
    assert_eq!(c.claim, "organization");
    let missing = claims(serde_json::json!({}));
    assert!(p.violated(facts("did:key:zAcme", &t, &missing)).is_some());
    // A constraint holds for the credential type it names only.
    let other = PolicyTypes::from(["ComplianceCredential".to_owned()]);
    assert!(p.violated(facts("did:key:zAcme", &other, &bad)).is_none());
}

const CONTEXT: &str =
    r#"{"@context": {"@protected": true, "Thing": "https://vocab.example/Thing"}}"#;

fn with_context(dir: &std::path::Path, digest: &str) -> String {
    std::fs::write(dir.join("thing.jsonld"), CONTEXT).unwrap();
    format!(
        "[[context]]\nurl = \"https://vocab.example/v1\"\nfile = \"thing.jsonld\"\nsha256 = \"{digest}\"\n{GOOD}"
    )
}

fn sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[test]
fn declared_contexts_load_digest_checked_beside_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, with_context(dir.path(), &sha256(CONTEXT))).unwrap();
    let p = TrustPolicy::load(&path).unwrap();
    assert_eq!(p.contexts.len(), 1);
    assert_eq!(p.contexts[0].url, "https://vocab.example/v1");
    assert_eq!(p.contexts[0].document, CONTEXT);
}

#[test]
fn a_context_with_a_wrong_digest_or_no_file_fails_the_load_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, with_context(dir.path(), &"0".repeat(64))).unwrap();
    match TrustPolicy::load(&path).unwrap_err() {
        PolicyError::Invalid { line, message } => {
            assert_eq!(line, 1);
            assert!(message.contains("SHA-256"), "{message}");
        }
        other => panic!("{other}"),
    }
    std::fs::remove_file(dir.path().join("thing.jsonld")).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    match TrustPolicy::from_toml_in(&text, dir.path()).unwrap_err() {
        PolicyError::Invalid { line: 1, message } => {
            assert!(message.contains("cannot read"), "{message}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_context_file_that_is_no_context_or_declared_twice_fails_the_load() {
    let dir = tempfile::tempdir().unwrap();
    let entry = |url: &str| {
        format!(
            "[[context]]\nurl = \"{url}\"\nfile = \"thing.jsonld\"\nsha256 = \"{}\"\n",
            sha256(CONTEXT)
        )
    };
    std::fs::write(dir.path().join("thing.jsonld"), CONTEXT).unwrap();
    let twice = entry("https://vocab.example/v1") + &entry("https://vocab.example/v1");
    match TrustPolicy::from_toml_in(&twice, dir.path()).unwrap_err() {
        PolicyError::Invalid { line: 5, message } => {
            assert!(message.contains("twice"), "{message}")
        }
        other => panic!("{other}"),
    }
    assert!(matches!(
        TrustPolicy::from_toml_in(&entry("not a url"), dir.path()),
        Err(PolicyError::Invalid { line: 1, .. })
    ));
    let not_a_context = r#"{"Thing": "https://vocab.example/Thing"}"#;
    std::fs::write(dir.path().join("thing.jsonld"), not_a_context).unwrap();
    let text = entry("https://vocab.example/v1").replace(&sha256(CONTEXT), &sha256(not_a_context));
    match TrustPolicy::from_toml_in(&text, dir.path()).unwrap_err() {
        PolicyError::Invalid { line: 1, message } => {
            assert!(message.contains("no @context"), "{message}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn built_in_contexts_cannot_be_redeclared_and_formats_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let text = with_context(dir.path(), &sha256(CONTEXT))
        .replace("https://vocab.example/v1", credence_core::VC_V2_CONTEXT_URL);
    assert!(matches!(
        TrustPolicy::from_toml_in(&text, dir.path()),
        Err(PolicyError::Invalid { line: 1, .. })
    ));
    // ssi bundles the examples context: the file must be that very document.
    let text = with_context(dir.path(), &sha256(CONTEXT)).replace(
        "https://vocab.example/v1",
        "https://www.w3.org/ns/credentials/examples/v2",
    );
    match TrustPolicy::from_toml_in(&text, dir.path()).unwrap_err() {
        PolicyError::Invalid { message, .. } => {
            assert!(message.contains("built-in copy"), "{message}")
        }
        other => panic!("{other}"),
    }
    let text = GOOD.replace(
        "credential_types = [\"AgentCredential\"]",
        "credential_types = [\"AgentCredential\"]\nformats = [\"jwt\"]",
    );
    assert_eq!(line_of_error(&text), 2);
    // The header binds bbs-2023 proofs only: requiring it while accepting
    // other suites would be a promise the verifier cannot keep.
    let strict = "credential_types = [\"AgentCredential\"]\nrequire_presentation_header = true";
    let text = GOOD.replace("credential_types = [\"AgentCredential\"]", strict);
    assert_eq!(line_of_error(&text), 2);
    let text = GOOD.replace(
        "credential_types = [\"AgentCredential\"]",
        &format!("{strict}\nformats = [\"bbs-2023\"]"),
    );
    assert!(TrustPolicy::from_toml(&text).unwrap().issuers[0].require_presentation_header);
    let p = TrustPolicy::from_toml(GOOD).unwrap();
    assert_eq!(p.issuers[0].formats, CREDENTIAL_SUITES);
    assert!(!p.issuers[0].require_presentation_header);
}

fn line_of_error(text: &str) -> usize {
    match TrustPolicy::from_toml(text).unwrap_err() {
        PolicyError::Invalid { line, .. } => line,
        other => panic!("expected Invalid, got {other}"),
    }
}

#[test]
fn errors_name_the_line() {
    let e = TrustPolicy::from_toml("[[issuer]]\ndid = \"did:key:z\"\nname = 1\n").unwrap_err();
    assert!(
        matches!(&e, PolicyError::Syntax(m) if m.contains("line 3")),
        "{e}"
    );
    // Errors point at the `[[...]]` header of the offending entry.
    let text = GOOD.replacen("ttl_secs = 120", "ttl_secs = 3600", 1);
    assert_eq!(line_of_error(&text), 12);
    let text = GOOD.replace("prefix = \"acme-\"", "prefix = \"acme-\"\nequals = \"x\"");
    assert_eq!(line_of_error(&text), 20);
    let text = GOOD.replace("one_of = [\"Acme Corp\", \"Acme Labs\"]", "one_of = []");
    assert_eq!(line_of_error(&text), 7);
    assert_eq!(
        line_of_error("\n[[issuer]]\ndid = \"x\"\nname = \"n\"\ncredential_types = [\"A\"]\n"),
        2
    );
    let text = GOOD.replace("scope = \"invoices:read\"", "scope = \"invoices read\"");
    assert_eq!(line_of_error(&text), 12);
    let text = GOOD.replace(
        "claim = \"capabilities\"",
        "issuer = \"did:key:zStranger\"\nclaim = \"capabilities\"",
    );
    assert_eq!(line_of_error(&text), 12);
    let e = TrustPolicy::from_toml("surprise = 1\n").unwrap_err();
    assert!(matches!(e, PolicyError::Syntax(_)));
    let e =
        TrustPolicy::from_toml(&GOOD.replace("scope = \"models:acme\"", "scope = \"m\"\nscop = 1"))
            .unwrap_err();
    assert!(matches!(e, PolicyError::Syntax(_)), "{e}");
    assert!(matches!(
        TrustPolicy::load("/nonexistent/policy.toml"),
        Err(PolicyError::Io { .. })
    ));
}

const DELEGATION: &str =
    "\n[delegation]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\n";

#[test]
fn a_policy_that_accepts_chains_names_the_claim_they_narrow() {
    let principal = "\n[[principal]]\ndid = \"did:key:zAlice\"\nname = \"Alice\"\n";
    // A principal without [delegation]: the error names the principal's line.
    let text = format!("{GOOD}{principal}");
    let principal_line = text.lines().position(|l| l == "[[principal]]").unwrap() + 1;
    assert_eq!(line_of_error(&text), principal_line);
    // An issuer that signs for principals: its own line.
    let text = GOOD.replace(
        "credential_types = [\"AgentCredential\"]",
        "credential_types = [\"AgentCredential\"]\nsigns_for_principals = true",
    );
    assert_eq!(line_of_error(&text), 2);
    // [delegation] where no chain can be accepted.
    let text = format!("{GOOD}{DELEGATION}");
    let section = text.lines().position(|l| l == "[delegation]").unwrap() + 1;
    assert_eq!(line_of_error(&text), section);
    // Empty names.
    let text = format!(
        "{GOOD}{principal}{}",
        DELEGATION.replace("\"capabilities\"", "\"\"")
    );
    let section = text.lines().position(|l| l == "[delegation]").unwrap() + 1;
    assert_eq!(line_of_error(&text), section);
    let p = TrustPolicy::from_toml(&format!("{GOOD}{principal}{DELEGATION}")).unwrap();
    let d = p.delegation.expect("[delegation] read");
    assert_eq!(
        (d.credential_type.as_str(), d.claim.as_str()),
        ("AgentCredential", "capabilities")
    );
}

#[test]
fn a_chain_narrows_only_the_named_claim_of_the_named_type() {
    let roles = DelegatedClaim {
        credential_type: "EmployeeCredential".into(),
        claim: "roles".into(),
    };
    let employee = PolicyTypes::from(["EmployeeCredential".to_owned()]);
    let delegated = ["approver".to_owned()];
    let mut c = claims(serde_json::json!({"roles": ["approver", "admin"], "level": "7"}));
    roles.narrow(&employee, &mut c, &delegated);
    assert_eq!(c, claims(serde_json::json!({"roles": ["approver"]})));
    // A credential of another type keeps nothing.
    let mut other = claims(serde_json::json!({"roles": ["approver"]}));
    roles.narrow(&agent(), &mut other, &delegated);
    assert!(other.is_empty());
    // No [delegation] (a policy built in code): nothing feeds a rule.
    let mut c = claims(serde_json::json!({"roles": ["approver"]}));
    narrow_claims(None, &employee, &mut c, &delegated);
    assert!(c.is_empty());
}
