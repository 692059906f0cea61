//! Class 1 of "decide only on what was signed": JSON members that make no
//! signed statement, or say it in another form than the statements do.
//! Each form is tried on a claim the request requires (it must not hide
//! that the claim was never disclosed) and on a claim a scope rule reads
//! (it must not make the JSON say what was never signed). The presentation
//! is re-signed by the holder after the edit, so only the verifier's own
//! reading of the credential can catch it.

mod common;

use common::*;
use credence::model::PresentationRequest;
use credence::verify::{ParseError, VerifyError};
use serde_json::{json, Value};

/// An edit of a derived credential.
type Edit = fn(&mut Value);

/// One way of writing a member that is not what was signed.
type Form = fn(&mut serde_json::Map<String, Value>, &str);

const FORMS: &[(&str, Form, &str)] = &[
    (
        "null",
        |s, c| _ = s.insert(c.into(), Value::Null),
        "unsigned_member",
    ),
    (
        "empty array",
        |s, c| _ = s.insert(c.into(), json!([])),
        "unsigned_member",
    ),
    (
        "null @value",
        |s, c| _ = s.insert(c.into(), json!({"@value": null})),
        "unsigned_member",
    ),
    (
        "keyword in claim position",
        |s, c| _ = s.insert(c.into(), json!({"@id": "urn:example:forged"})),
        "unsigned_member",
    ),
    (
        "nested context in the subject",
        |s, c| {
            s.insert(
                "@context".into(),
                json!({"note": "https://example.org/note"}),
            );
            s.insert(c.into(), json!("invoices.read"));
        },
        "nested_context",
    ),
];

fn subject(cred: &mut Value) -> &mut serde_json::Map<String, Value> {
    cred["credentialSubject"].as_object_mut().unwrap()
}

/// `request` answered disclosing only `disclosed`, then edited.
async fn answered(
    w: &World,
    request: &PresentationRequest,
    disclosed: &[&str],
    edit: impl FnOnce(&mut Value),
) -> Value {
    let mut narrow = request.clone();
    narrow.dcql_query.credentials[0].claims = disclosed
        .iter()
        .map(|c| credence::model::ClaimsQuery::subject(c))
        .collect();
    edited_for(w, &narrow, edit).await
}

#[tokio::test]
async fn members_that_make_no_statement_cannot_stand_in_for_a_requested_claim() {
    let w = world().await;
    for (name, form, code) in FORMS {
        // The request requires organization; the holder withholds it and
        // writes the form in its place.
        let request = agent_request(&w.verifier, &["organization", "capabilities"]).await;
        let vp = answered(&w, &request, &["capabilities"], |cred| {
            form(subject(cred), "organization")
        })
        .await;
        let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
        assert_eq!(err.code(), *code, "{name}: {err}");
    }
}

#[tokio::test]
async fn members_that_make_no_statement_cannot_feed_a_scope_rule() {
    let w = world().await;
    for (name, form, code) in FORMS {
        // The rule reads capabilities; the holder discloses organization
        // only and writes capabilities in the form.
        let request = agent_request(&w.verifier, &["organization"]).await;
        let vp = answered(&w, &request, &["organization"], |cred| {
            form(subject(cred), "capabilities")
        })
        .await;
        let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
        assert_eq!(err.code(), *code, "{name}: {err}");
    }
}

/// ssi refuses to canonicalize a term no context defines, so no holder
/// signature can be made over it with ssi (another stack might sign it):
/// the edit comes after the holder signed, and safe mode must refuse the
/// credential before any signature is looked at.
#[tokio::test]
async fn an_undefined_term_is_refused_as_a_requested_claim_and_as_a_rule_claim() {
    let w = world().await;
    let mut policy = policy_for(w.issuer.did());
    policy.rules[0].claim = "clearance".into();
    policy.rules[0].condition = credence::verify::Condition::Equals("top-secret".into());
    w.verifier.set_policy(policy);
    for asked in [&["organization", "clearance"][..], &["organization"][..]] {
        let request = agent_request(&w.verifier, asked).await;
        let mut narrow = request.clone();
        narrow.dcql_query.credentials[0].claims.truncate(1);
        let mut vp = w.wallet.present(&narrow).await.unwrap();
        subject(&mut vp["verifiableCredential"][0]).insert("clearance".into(), json!("top-secret"));
        let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
        assert!(
            matches!(&err, VerifyError::Parse(ParseError::UnsignedMember { reason, .. }) if reason.contains("clearance")),
            "{asked:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn other_forms_of_a_signed_statement_are_refused_for_every_field_a_decision_reads() {
    let w = world().await;
    let edits: [(&str, Edit); 4] = [
        // The issuer as a node object: the same statement, another form.
        ("issuer object", |c| {
            c["issuer"] = json!({"id": c["issuer"].clone()})
        }),
        ("subject id through the @id keyword", |c| {
            let subject = c["credentialSubject"].as_object_mut().unwrap();
            let id = subject.remove("id").unwrap();
            subject.insert("@id".into(), id);
        }),
        ("validUntil as a value object", |c| {
            let until = c["validUntil"].clone();
            c["validUntil"] =
                json!({"@value": until, "@type": "http://www.w3.org/2001/XMLSchema#dateTime"});
        }),
        ("type through a keyword", |c| {
            c["@type"] = c["type"].clone();
        }),
    ];
    for (name, edit) in edits {
        let vp = edited_and_resigned(&w, &["organization", "capabilities"], edit).await;
        let err = w.verifier.verify_presentation(&vp).await.unwrap_err();
        assert_eq!(err.code(), "unsigned_member", "{name}: {err}");
    }
}

#[tokio::test]
async fn a_context_below_the_top_of_the_presentation_is_refused() {
    let w = world().await;
    let request = agent_request(&w.verifier, &["capabilities"]).await;
    let vp = w.wallet.present(&request).await.unwrap();
    let mut edited = vp.clone();
    edited["proof"]["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    let err = w.verifier.verify_presentation(&edited).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::Parse(ParseError::NestedContext(path)) if path.starts_with("proof"))
    );
    // The untouched presentation still verifies: nothing was consumed.
    assert!(w.verifier.verify_presentation(&vp).await.is_ok());
}
