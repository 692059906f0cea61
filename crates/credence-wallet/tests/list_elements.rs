//! Least disclosure of list elements: only the elements a query accepts
//! and the holder policy allows are disclosed, each by its own bbs-2023
//! pointer; the others are absent from the whole presentation.

mod common;

use common::*;
use credence_core::ClaimsQuery;
use credence_issuer::Issuer;
use credence_wallet::{HolderPolicy, PresentError};
use serde_json::json;

const CAPS: &[&str] = &["invoices.read", "orders.create", "payments.send"];

async fn setup() -> (Holder, Issuer) {
    let h = holder();
    let acme = Issuer::generate().unwrap();
    issue(&h.wallet, &acme, &profile("Acme Corp", CAPS), 24).await;
    (h, acme)
}

fn caps(values: &[&str]) -> ClaimsQuery {
    ClaimsQuery::subject_with_values("capabilities", values)
}

#[tokio::test]
async fn only_the_accepted_list_element_is_disclosed() {
    let (h, acme) = setup().await;
    let request = request(
        vec![agent_query("agent", vec![caps(&["invoices.read", "x"])])],
        None,
    );

    let plan = h.wallet.plan(&request).unwrap();
    let c = &plan.credentials[0];
    assert_eq!(c.disclosed.len(), 1);
    assert_eq!(c.disclosed[0].claim, "credentialSubject.capabilities");
    assert_eq!(c.disclosed[0].value, json!(["invoices.read"]));
    for hidden in [
        "credentialSubject.capabilities[1]",
        "credentialSubject.capabilities[2]",
    ] {
        assert!(
            c.withheld.iter().any(|w| w == hidden),
            "{hidden}: {:?}",
            c.withheld
        );
    }
    assert!(!c
        .withheld
        .iter()
        .any(|w| w == "credentialSubject.capabilities[0]"));

    let vp = h.wallet.present(&request).await.unwrap();
    let derived = &credentials(&vp)[0];
    assert_eq!(
        derived["credentialSubject"]["capabilities"],
        json!(["invoices.read"])
    );
    let text = vp.to_string();
    assert!(
        !text.contains("orders.create") && !text.contains("payments.send"),
        "{text}"
    );
    let statements = verified_statements(derived, &acme, &request.nonce).await;
    assert!(statements.contains("\"invoices.read\""));
    assert!(!statements.contains("orders.create"));

    let reason = last_present_reason(&h.wallet);
    assert!(
        reason.contains("credentialSubject.capabilities[invoices.read]"),
        "{reason}"
    );
}

#[tokio::test]
async fn several_accepted_elements_keep_their_order() {
    let (h, acme) = setup().await;
    let request = request(
        vec![agent_query(
            "agent",
            vec![caps(&["payments.send", "invoices.read"])],
        )],
        None,
    );
    let vp = h.wallet.present(&request).await.unwrap();
    let derived = &credentials(&vp)[0];
    assert_eq!(
        derived["credentialSubject"]["capabilities"],
        json!(["invoices.read", "payments.send"])
    );
    assert!(!vp.to_string().contains("orders.create"));
    verified_statements(derived, &acme, &request.nonce).await;
}

#[tokio::test]
async fn a_scalar_with_values_is_disclosed_only_when_accepted() {
    let (h, acme) = setup().await;
    let org = |v: &str| ClaimsQuery::subject_with_values("organization", &[v]);
    let wrong = request(vec![agent_query("agent", vec![org("Initech")])], None);
    assert!(matches!(
        h.wallet.plan(&wrong),
        Err(PresentError::ValueNotAccepted(c)) if c == "credentialSubject.organization"
    ));
    let no_element = request(
        vec![agent_query("agent", vec![caps(&["audit.read"])])],
        None,
    );
    assert!(matches!(
        h.wallet.plan(&no_element),
        Err(PresentError::ValueNotAccepted(c)) if c == "credentialSubject.capabilities"
    ));
    let right = request(vec![agent_query("agent", vec![org("Acme Corp")])], None);
    let vp = h.wallet.present(&right).await.unwrap();
    assert_eq!(
        credentials(&vp)[0]["credentialSubject"]["organization"],
        "Acme Corp"
    );
    verified_statements(&credentials(&vp)[0], &acme, &right.nonce).await;
}

/// Lets `*.globex.example` receive the organization, and of the
/// capabilities only `invoices.read`.
fn invoices_only() -> HolderPolicy {
    HolderPolicy::from_toml(
        r#"
        [[verifier]]
        domain = "*.globex.example"
        claims = ["organization", "capabilities"]
        elements = { capabilities = ["invoices.read"] }
        "#,
    )
    .unwrap()
}

#[tokio::test]
async fn the_holder_policy_refuses_forbidden_elements() {
    let (h, acme) = setup().await;
    h.wallet.set_holder_policy(&invoices_only()).unwrap();

    let forbidden = request(
        vec![agent_query("agent", vec![caps(&["orders.create"])])],
        None,
    );
    match h.wallet.present(&forbidden).await {
        Err(PresentError::PolicyDenied { verifier, claims }) => {
            assert_eq!(verifier, VERIFIER);
            assert_eq!(claims, ["credentialSubject.capabilities[orders.create]"]);
        }
        other => panic!("expected PolicyDenied, got {other:?}"),
    }

    // Allowed elements alongside forbidden ones: only the allowed ones.
    let mixed = request(
        vec![agent_query(
            "agent",
            vec![caps(&["orders.create", "invoices.read"])],
        )],
        None,
    );
    let vp = h.wallet.present(&mixed).await.unwrap();
    let derived = &credentials(&vp)[0];
    assert_eq!(
        derived["credentialSubject"]["capabilities"],
        json!(["invoices.read"])
    );
    assert!(!vp.to_string().contains("orders.create"));
    verified_statements(derived, &acme, &mixed.nonce).await;
}

#[tokio::test]
async fn element_rules_narrow_whole_list_requests_and_claim_rules_still_apply() {
    let (h, _) = setup().await;
    let policy = invoices_only();
    h.wallet.set_holder_policy(&policy).unwrap();
    // A request for the whole list gets the allowed elements only.
    let whole = request(
        vec![agent_query(
            "agent",
            vec![ClaimsQuery::subject("capabilities")],
        )],
        None,
    );
    let plan = h.wallet.plan(&whole).unwrap();
    assert_eq!(
        plan.credentials[0].disclosed[0].value,
        json!(["invoices.read"])
    );
    let vp = h.wallet.present(&whole).await.unwrap();
    assert!(!vp.to_string().contains("payments.send"));

    // Claim-level rules work as before.
    let owner = request(
        vec![agent_query("agent", vec![ClaimsQuery::subject("owner")])],
        None,
    );
    assert!(matches!(
        h.wallet.plan(&owner),
        Err(PresentError::PolicyDenied { claims, .. }) if claims == ["credentialSubject.owner"]
    ));
    // A rule without `elements` for the claim allows every element.
    let wider = policy.allow_domain("verifier.globex.example", &["capabilities"]);
    h.wallet.set_holder_policy(&wider).unwrap();
    let again = request(
        vec![agent_query("agent", vec![caps(&["orders.create"])])],
        None,
    );
    let vp = h.wallet.present(&again).await.unwrap();
    assert_eq!(
        credentials(&vp)[0]["credentialSubject"]["capabilities"],
        json!(["orders.create"])
    );
}

#[tokio::test]
async fn a_list_whose_only_accepted_elements_are_forbidden_is_refused_by_policy() {
    let h = holder();
    let acme = Issuer::generate().unwrap();
    issue(
        &h.wallet,
        &acme,
        &profile("Acme Corp", &["orders.create"]),
        24,
    )
    .await;
    let policy = HolderPolicy::default()
        .allow_domain("*.globex.example", &["capabilities"])
        .only_elements("capabilities", &["invoices.read"]);
    h.wallet.set_holder_policy(&policy).unwrap();
    // The query accepts any capability; the credential's only one is forbidden.
    let whole = request(
        vec![agent_query(
            "agent",
            vec![ClaimsQuery::subject("capabilities")],
        )],
        None,
    );
    assert!(matches!(
        h.wallet.plan(&whole),
        Err(PresentError::PolicyDenied { claims, .. })
            if claims == ["credentialSubject.capabilities[orders.create]"]
    ));
}
