//! The holder policy matches verifier identities as a browser reads URLs,
//! and DIDs only exactly: each attack on the matching is refused.

use credence_wallet::{HolderPolicy, PolicyError};

const ORG: &str = "credentialSubject.organization";

fn policy(toml: &str) -> HolderPolicy {
    HolderPolicy::from_toml(toml).unwrap_or_else(|e| panic!("{e}"))
}

/// Whether `client_id` may receive the organization claim.
fn allowed(policy: &HolderPolicy, client_id: &str) -> bool {
    policy.denied(client_id, &[ORG.to_owned()]).is_empty()
}

#[track_caller]
fn assert_refused(policy: &HolderPolicy, client_ids: &[&str]) {
    for id in client_ids {
        assert!(!allowed(policy, id), "{id} must be refused");
        assert!(policy.allowed_claims(id).is_empty(), "{id}");
    }
}

#[track_caller]
fn assert_allowed(policy: &HolderPolicy, client_ids: &[&str]) {
    for id in client_ids {
        assert!(allowed(policy, id), "{id} must be allowed");
    }
}

fn wildcard() -> HolderPolicy {
    HolderPolicy::default().allow_domain("*.globex.example", &["organization"])
}

#[test]
fn subdomains_and_the_domain_itself_match() {
    assert_allowed(
        &wildcard(),
        &[
            "https://globex.example",
            "https://api.globex.example",
            "https://a.b.globex.example/path?q=1#f",
            "https://verifier.globex.example:8443/",
        ],
    );
    let exact = HolderPolicy::default().allow_domain("globex.example", &["organization"]);
    assert_allowed(&exact, &["https://globex.example/"]);
    assert_refused(&exact, &["https://api.globex.example"]);
}

#[test]
fn userinfo_is_refused() {
    assert_refused(
        &wildcard(),
        &[
            "https://api.globex.example@evil.example",
            "https://api.globex.example:443@evil.example",
            "https://api.globex.example%40@evil.example",
            // Even when the host itself would match: an identity with
            // credentials in it is not a verifier's origin.
            "https://evil.example@api.globex.example",
            "https://user:pass@api.globex.example",
        ],
    );
}

#[test]
fn backslashes_are_refused() {
    assert_refused(
        &wildcard(),
        &[
            // A browser reads `\` as `/`: the host is evil.example, while
            // splitting on `@` would have found api.globex.example.
            "https://evil.example\\@api.globex.example",
            "https://api.globex.example\\@evil.example",
            "https://api.globex.example\\.evil.example",
            "https:\\\\api.globex.example",
        ],
    );
}

#[test]
fn percent_encoded_hosts_are_refused() {
    assert_refused(
        &wildcard(),
        &[
            "https://api%2Eglobex.example",
            "https://api.globex%2eexample",
            "https://evil.example%2Fapi.globex.example",
            "https://api.globex.example%2Eevil.example",
            "https://%61pi.globex.example",
        ],
    );
}

#[test]
fn trailing_dots_and_empty_labels_are_refused() {
    assert_refused(
        &wildcard(),
        &[
            "https://globex.example.",
            "https://api.globex.example./x",
            "https://api..globex.example",
            "https://.globex.example",
        ],
    );
    assert!(matches!(
        HolderPolicy::from_toml("[[verifier]]\ndomain = \"*.globex.example.\"\nclaims = [\"a\"]\n"),
        Err(PolicyError::Invalid { index: 1, .. })
    ));
}

#[test]
fn case_folds_in_hosts_but_not_in_dids() {
    let p = policy(
        r#"
        [[verifier]]
        domain = "*.GLOBEX.Example"
        claims = ["organization"]
        [[verifier]]
        did = "did:web:initech.example"
        claims = ["organization"]
        "#,
    );
    // A host is case-insensitive: the browser connects to the same one.
    assert_allowed(
        &p,
        &["HTTPS://API.GLOBEX.EXAMPLE", "https://Api.Globex.Example/X"],
    );
    // A DID is compared byte for byte.
    assert_allowed(&p, &["did:web:initech.example"]);
    assert_refused(
        &p,
        &[
            "did:web:INITECH.example",
            "DID:web:initech.example",
            "did:WEB:initech.example",
        ],
    );
}

#[test]
fn idns_match_only_their_punycode_and_lookalikes_are_refused() {
    let p = HolderPolicy::default().allow_domain("*.bücher.example", &["organization"]);
    assert_allowed(
        &p,
        &[
            "https://xn--bcher-kva.example",
            "https://api.xn--bcher-kva.example",
        ],
    );
    assert_refused(
        &p,
        &[
            // Unicode hosts: the client id must spell the A-label itself.
            "https://bücher.example",
            "https://BÜCHER.example",
            // Lookalikes are other hosts.
            "https://xn--bcher-kva.example.evil.example",
            "https://bucher.example",
        ],
    );
    assert_refused(
        &wildcard(),
        &[
            "https://api.glоbex.example", // Cyrillic о
            "https://api.xn--glbex-jye.example",
            "https://api.globex.example。evil.example", // ideographic full stop
            "https://ａｐｉ.globex.example",            // fullwidth
        ],
    );
}

#[test]
fn ports_are_matched_when_the_rule_names_one() {
    let p = HolderPolicy::default().allow_domain("*.globex.example:8443", &["organization"]);
    assert_allowed(&p, &["https://api.globex.example:8443/x"]);
    assert_refused(
        &p,
        &[
            "https://api.globex.example",
            "https://api.globex.example:443",
            "https://api.globex.example:9443",
            "https://api.globex.example:8443@evil.example",
            "https://evil.example:8443",
        ],
    );
    let default_port =
        HolderPolicy::default().allow_domain("globex.example:443", &["organization"]);
    assert_allowed(
        &default_port,
        &["https://globex.example", "https://globex.example:443"],
    );
    assert_refused(&default_port, &["https://globex.example:8443"]);
    assert!(matches!(
        HolderPolicy::from_toml("[[verifier]]\ndomain = \"globex.example:x\"\nclaims = [\"a\"]\n"),
        Err(PolicyError::Invalid { index: 1, .. })
    ));
}

#[test]
fn only_https_or_loopback_http_is_matched() {
    assert_refused(
        &wildcard(),
        &[
            "http://api.globex.example",
            "ws://api.globex.example",
            "wss://api.globex.example",
            "ftp://api.globex.example",
            "file://api.globex.example/x",
            "https:api.globex.example",
            "//api.globex.example",
            "api.globex.example",
        ],
    );
    let loopback = HolderPolicy::default().allow_domain("127.0.0.1", &["organization"]);
    assert_allowed(&loopback, &["http://127.0.0.1:7400", "https://127.0.0.1"]);
    assert_refused(
        &loopback,
        &[
            "http://127.0.0.2",
            "http://0x7f.0.0.1",
            "http://2130706433",
            "http://127.1",
        ],
    );
    let private = HolderPolicy::default().allow_domain("10.0.0.1", &["organization"]);
    assert_refused(&private, &["http://10.0.0.1"]);
    assert_allowed(&private, &["https://10.0.0.1"]);
}

#[test]
fn a_suffix_is_not_a_subdomain() {
    let exact = HolderPolicy::default().allow_domain("globex.example", &["organization"]);
    for p in [wildcard(), exact] {
        assert_refused(
            &p,
            &[
                "https://evilglobex.example",
                "https://evil-globex.example",
                "https://globex.example.evil.example",
                "https://globex.examplex",
                "https://xglobex.example",
            ],
        );
    }
}

#[test]
fn dids_are_matched_exactly_never_by_pattern() {
    let p = policy(
        r#"
        [[verifier]]
        domain = "*.globex.example"
        claims = ["capabilities"]
        [[verifier]]
        did = "did:key:z6MkX"
        claims = ["organization"]
        "#,
    );
    // A domain rule matches no DID, not even a did:web on that domain.
    assert_refused(
        &p,
        &[
            "did:web:globex.example",
            "did:web:api.globex.example",
            "did:web:api.globex.example%3A8443",
            "did:key:z6MkX#z6MkX",
            "did:key:z6MkX ",
            "did:key:z6Mk",
            "did:key:z6MkXY",
        ],
    );
    assert_eq!(
        p.allowed_claims("did:web:api.globex.example").len(),
        0,
        "no capabilities for a did:web either"
    );
    assert_allowed(&p, &["did:key:z6MkX"]);
    let caps = vec!["credentialSubject.capabilities".to_owned()];
    assert_eq!(p.denied("did:key:z6MkX", &caps), caps);
}

#[test]
fn whitespace_and_control_characters_are_refused() {
    assert_refused(
        &wildcard(),
        &[
            " https://api.globex.example",
            "https://api.globex.example ",
            "https://api.glo\tbex.example",
            "https://api.globex.example\n",
            "https://api.globex.\u{0}example",
        ],
    );
}

#[test]
fn malformed_domain_rules_are_refused_at_load() {
    for domain in [
        "https://globex.example",
        "globex.example/path",
        "evil.example@globex.example",
        "globex%2Eexample",
        "*globex.example",
        "*.*.globex.example",
        "*.10.0.0.1",
        "",
    ] {
        let toml = format!("[[verifier]]\ndomain = {domain:?}\nclaims = [\"a\"]\n");
        assert!(
            matches!(
                HolderPolicy::from_toml(&toml),
                Err(PolicyError::Invalid { index: 1, .. })
            ),
            "{domain}"
        );
        // The builder cannot refuse: such a rule matches nothing.
        let p = HolderPolicy::default().allow_domain(domain, &["organization"]);
        assert_refused(&p, &["https://globex.example", "https://evil.example"]);
    }
}
