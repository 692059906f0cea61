//! DCQL requests of several credential queries, with credential sets,
//! answered by a real wallet with credentials of real bbs-2023 issuers.

mod common;

use common::*;
use credence_core::{ClaimsQuery, CredentialQuery, DcqlError};
use credence_issuer::Issuer;
use credence_wallet::{CredentialDisclosure, HolderPolicy, PresentError};
use serde_json::json;

const ACME: &str = "Acme Corp";
const INITECH: &str = "Initech";

fn org_is(value: &str) -> ClaimsQuery {
    ClaimsQuery::subject_with_values("organization", &[value])
}

fn picked(c: &CredentialDisclosure) -> (&str, &str, &str) {
    (&c.query_id, &c.credential_id, &c.issuer)
}

#[tokio::test]
async fn two_queries_are_answered_by_credentials_of_two_issuers() {
    let h = holder();
    let (acme, initech) = (Issuer::generate().unwrap(), Issuer::generate().unwrap());
    let acme_id = issue(&h.wallet, &acme, &profile(ACME, &["invoices.read"]), 24).await;
    let initech_id = issue(&h.wallet, &initech, &profile(INITECH, &["audit.read"]), 48).await;
    let request = request(
        vec![
            agent_query(
                "supplier",
                vec![org_is(INITECH), ClaimsQuery::subject("capabilities")],
            ),
            agent_query("agent", vec![org_is(ACME)]),
        ],
        None,
    );

    let plan = h.wallet.plan(&request).unwrap();
    let picked: Vec<_> = plan.credentials.iter().map(picked).collect();
    assert_eq!(
        picked,
        [
            ("supplier", initech_id.as_str(), initech.did()),
            ("agent", acme_id.as_str(), acme.did())
        ]
    );
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["credentials"][1]["disclosed"][0]["value"], ACME);
    assert!(json["credentials"][0].get("pointers").is_none());

    let vp = h.wallet.present(&request).await.unwrap();
    let creds = credentials(&vp);
    assert_eq!(creds.len(), 2);
    // In the order of the request's queries.
    assert_eq!(creds[0]["issuer"], initech.did());
    assert_eq!(creds[0]["credentialSubject"]["organization"], INITECH);
    assert_eq!(
        creds[0]["credentialSubject"]["capabilities"],
        json!(["audit.read"])
    );
    assert_eq!(creds[1]["issuer"], acme.did());
    assert_eq!(creds[1]["credentialSubject"]["organization"], ACME);
    assert!(creds[1]["credentialSubject"].get("capabilities").is_none());
    assert!(creds[1]["credentialSubject"].get("owner").is_none());
    let initech_says = verified_statements(&creds[0], &initech, &request.nonce).await;
    assert!(initech_says.contains("\"Initech\""));
    let acme_says = verified_statements(&creds[1], &acme, &request.nonce).await;
    assert!(acme_says.contains("\"Acme Corp\"") && !acme_says.contains("invoices.read"));

    let entries = h.wallet.audit_log().entries().unwrap();
    let presented = entries
        .iter()
        .rfind(|e| e.record.action == "present")
        .unwrap();
    let reason = presented.record.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("supplier: credentialSubject.organization, credentialSubject.capabilities")
            && reason.contains("agent: credentialSubject.organization"),
        "{reason}"
    );
}

#[tokio::test]
async fn an_optional_set_the_wallet_cannot_answer_is_left_out() {
    let h = holder();
    let acme = Issuer::generate().unwrap();
    issue(&h.wallet, &acme, &profile(ACME, &["invoices.read"]), 24).await;
    let audit = CredentialQuery::ldp_vc(
        "audit",
        vec!["https://example.org/vocab#AuditCredential".into()],
        vec![],
    );
    let request = request(
        vec![agent_query("agent", vec![org_is(ACME)]), audit],
        Some(vec![set(&[&["agent"]], true), set(&[&["audit"]], false)]),
    );
    let plan = h.wallet.plan(&request).unwrap();
    assert_eq!(plan.credentials.len(), 1);
    assert_eq!(plan.credentials[0].query_id, "agent");
    let vp = h.wallet.present(&request).await.unwrap();
    assert_eq!(credentials(&vp).len(), 1);
    assert_eq!(
        credentials(&vp)[0]["credentialSubject"]["organization"],
        ACME
    );

    // Made required, the same query refuses the request.
    let mut required = request.clone();
    if let Some(sets) = required.dcql_query.credential_sets.as_mut() {
        sets[1].required = true;
    }
    assert!(matches!(
        h.wallet.plan(&required),
        Err(PresentError::NoMatchingCredential)
    ));
}

#[tokio::test]
async fn optional_sets_follow_the_holder_policy_and_required_sets_try_each_option() {
    let h = holder();
    let (acme, initech) = (Issuer::generate().unwrap(), Issuer::generate().unwrap());
    issue(&h.wallet, &acme, &profile(ACME, &["invoices.read"]), 24).await;
    issue(&h.wallet, &initech, &profile(INITECH, &["audit.read"]), 24).await;
    let narrow = HolderPolicy::default().allow_domain("*.globex.example", &["organization"]);
    h.wallet.set_holder_policy(&narrow).unwrap();
    let queries = vec![
        agent_query("globex", vec![org_is("Globex")]),
        agent_query("acme", vec![org_is(ACME)]),
        agent_query(
            "owner",
            vec![org_is(INITECH), ClaimsQuery::subject("owner")],
        ),
    ];
    // The first option (a Globex credential) cannot be answered: the
    // second is. The optional owner query asks for a claim the policy
    // withholds: it is skipped.
    let sets = vec![
        set(&[&["globex"], &["acme"]], true),
        set(&[&["owner"]], false),
    ];
    let req = request(queries.clone(), Some(sets.clone()));
    let plan = h.wallet.plan(&req).unwrap();
    let ids: Vec<_> = plan
        .credentials
        .iter()
        .map(|c| c.query_id.as_str())
        .collect();
    assert_eq!(ids, ["acme"]);
    assert_eq!(credentials(&h.wallet.present(&req).await.unwrap()).len(), 1);

    // Once the policy allows the owner, the optional query is answered.
    let wider = narrow.allow_domain("*.globex.example", &["owner"]);
    h.wallet.set_holder_policy(&wider).unwrap();
    let req = request(queries, Some(sets));
    let vp = h.wallet.present(&req).await.unwrap();
    let creds = credentials(&vp);
    assert_eq!(creds.len(), 2);
    assert_eq!(creds[0]["issuer"], acme.did());
    assert_eq!(creds[1]["issuer"], initech.did());
    assert!(creds[1]["credentialSubject"]["owner"].is_string());
}

#[tokio::test]
async fn a_malformed_query_is_refused_with_its_typed_error() {
    let h = holder();
    let acme = Issuer::generate().unwrap();
    issue(&h.wallet, &acme, &profile(ACME, &["invoices.read"]), 24).await;
    let organization = || vec![ClaimsQuery::subject("organization")];

    let twice = request(
        vec![
            agent_query("agent", organization()),
            agent_query("agent", organization()),
        ],
        None,
    );
    assert!(matches!(
        h.wallet.present(&twice).await,
        Err(PresentError::InvalidQuery(DcqlError::DuplicateId(id))) if id == "agent"
    ));
    let dangling = request(
        vec![agent_query("agent", organization())],
        Some(vec![set(&[&["agent", "nope"]], true)]),
    );
    assert!(matches!(
        h.wallet.plan(&dangling),
        Err(PresentError::InvalidQuery(DcqlError::BadSet(0, _)))
    ));
    let mut jwt = request(vec![agent_query("agent", organization())], None);
    jwt.dcql_query.credentials[0].format = "jwt_vc_json".into();
    let err = h.wallet.plan(&jwt).unwrap_err();
    assert!(matches!(
        &err,
        PresentError::InvalidQuery(DcqlError::Format(..))
    ));
    assert!(err.to_string().contains("jwt_vc_json"), "{err}");
    let none = request(vec![], None);
    assert!(matches!(
        h.wallet.plan(&none),
        Err(PresentError::InvalidQuery(DcqlError::QueryCount(0)))
    ));
    // Nothing was presented.
    let entries = h.wallet.audit_log().entries().unwrap();
    assert!(!entries.iter().any(|e| e.record.action == "present"));
}

#[tokio::test]
async fn the_same_credential_never_answers_two_queries() {
    let h = holder();
    let acme = Issuer::generate().unwrap();
    issue(
        &h.wallet,
        &acme,
        &profile(ACME, &["invoices.read", "orders.create"]),
        48,
    )
    .await;
    let organization = || vec![ClaimsQuery::subject("organization")];
    let twice = request(
        vec![
            agent_query("first", organization()),
            agent_query("second", organization()),
        ],
        None,
    );
    assert!(matches!(
        h.wallet.plan(&twice),
        Err(PresentError::NoDistinctCredential(id)) if id == "second"
    ));
    assert!(h.wallet.present(&twice).await.is_err());
}

#[tokio::test]
async fn each_query_gets_its_own_credential_even_against_preference() {
    let h = holder();
    let acme = Issuer::generate().unwrap();
    let both = issue(
        &h.wallet,
        &acme,
        &profile(ACME, &["invoices.read", "orders.create"]),
        48,
    )
    .await;
    let organization = || vec![ClaimsQuery::subject("organization")];

    // With a second credential, each query gets its own — even when the
    // first query prefers (longer validity) the only credential the second
    // one accepts.
    let reader = issue(&h.wallet, &acme, &profile(ACME, &["invoices.read"]), 24).await;
    let request = request(
        vec![
            agent_query("first", organization()),
            agent_query(
                "second",
                vec![ClaimsQuery::subject_with_values(
                    "capabilities",
                    &["orders.create"],
                )],
            ),
        ],
        None,
    );
    let plan = h.wallet.plan(&request).unwrap();
    let ids: Vec<_> = plan
        .credentials
        .iter()
        .map(|c| c.credential_id.as_str())
        .collect();
    assert_eq!(ids, [reader.as_str(), both.as_str()]);
    let vp = h.wallet.present(&request).await.unwrap();
    let creds = credentials(&vp);
    assert_eq!(creds.len(), 2);
    assert_ne!(
        creds[0]["proof"]["proofValue"],
        creds[1]["proof"]["proofValue"]
    );
    assert_eq!(
        creds[1]["credentialSubject"]["capabilities"],
        json!(["orders.create"])
    );
    for c in creds {
        verified_statements(c, &acme, &request.nonce).await;
    }
}
