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

#[test]
fn grants_only_matching_rules() {
    let p = TrustPolicy::from_toml(GOOD).unwrap();
    assert!(p.trusts("did:key:zAcme", "AgentCredential"));
    assert!(!p.trusts("did:key:zOther", "AgentCredential"));
    let c = claims(serde_json::json!({"capabilities": ["invoices.read", "x"], "model": "acme-7b"}));
    let g = p.grant(
        "did:key:zAcme",
        "AgentCredential",
        &c,
        "https://api.globex.example",
    );
    assert_eq!(g.scopes, vec!["invoices:read", "models:acme"]);
    assert_eq!(g.ttl_secs, 120);
    let g = p.grant("did:key:zAcme", "AgentCredential", &c, "https://other");
    assert!(g.scopes.is_empty());
    let c = claims(serde_json::json!({"model": "other-acme-"}));
    let g = p.grant(
        "did:key:zAcme",
        "AgentCredential",
        &c,
        "https://api.globex.example",
    );
    assert!(g.scopes.is_empty());
    assert_eq!(p.audiences(), vec!["https://api.globex.example"]);
}

#[test]
fn constraints_refuse_other_values() {
    let p = TrustPolicy::from_toml(GOOD).unwrap();
    let ok = claims(serde_json::json!({"organization": "Acme Labs"}));
    assert!(p
        .violated("did:key:zAcme", "AgentCredential", &ok)
        .is_none());
    let bad = claims(serde_json::json!({"organization": "Evil Corp"}));
    let c = p
        .violated("did:key:zAcme", "AgentCredential", &bad)
        .unwrap();
    assert_eq!(c.claim, "organization");
    let missing = claims(serde_json::json!({}));
    assert!(p
        .violated("did:key:zAcme", "AgentCredential", &missing)
        .is_some());
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
