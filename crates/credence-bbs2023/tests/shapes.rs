//! Document shapes that break ssi 0.16's own bbs-2023 derive (blank nodes,
//! nested objects, IRI and literal prefixes, many claims) all sign, derive
//! and verify here, and tampering with any disclosed value is caught.

use credence_bbs2023::*;
use serde_json::{json, Value};
use ssi::json_ld::ContextLoader;

fn vocab_doc(subject: Value, with_ids: bool) -> Value {
    let mut doc = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"@vocab": "https://example.org/shapes#"}
        ],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": subject,
    });
    if with_ids {
        doc["id"] = "urn:uuid:5b3c0ad6-3a41-4a0e-9d3c-1c7a9b1d2e3f".into();
    }
    doc
}

async fn round_trip(doc: Value, mandatory: &[&str], selective: &[&str]) -> Value {
    let loader = ContextLoader::default();
    let keys = BbsKeyPair::generate().unwrap();
    let vm = keys.public_key().did_key_url();
    let mandatory: Vec<String> = mandatory.iter().map(|s| s.to_string()).collect();
    let selective: Vec<String> = selective.iter().map(|s| s.to_string()).collect();
    let signed = sign_base(&doc, &keys, &vm, None, &mandatory, &loader)
        .await
        .unwrap();
    verify_base(&signed, keys.public_key(), &loader)
        .await
        .unwrap_or_else(|e| panic!("base proof rejected: {e}"));
    let derived = derive(&signed, &selective, b"nonce-123", &loader)
        .await
        .unwrap();
    let ok = verify_derived(&derived, keys.public_key(), &loader)
        .await
        .unwrap_or_else(|e| panic!("derived proof rejected: {e}\n{derived:#}"));
    assert_eq!(ok.presentation_header, b"nonce-123");

    // Flip every disclosed string in the subject, one at a time.
    let subject = derived["credentialSubject"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (k, v) in subject {
        if k == "id" || !v.is_string() {
            continue;
        }
        let mut t = derived.clone();
        t["credentialSubject"][&k] = format!("{}x", v.as_str().unwrap()).into();
        assert!(
            matches!(
                verify_derived(&t, keys.public_key(), &loader).await,
                Err(Bbs2023Error::ProofInvalid)
            ),
            "tampered {k} accepted"
        );
    }
    derived
}

#[tokio::test]
async fn nested_objects_and_blank_nodes() {
    let subject = json!({
        "name": "Alice",
        "address": {"street": "1 Main St", "city": "Springfield", "geo": {"lat": 1.5, "lon": 2.5}},
        "employer": {"name": "Acme", "department": {"name": "Procurement"}}
    });
    let derived = round_trip(
        vocab_doc(subject, false),
        &["/issuer"],
        &[
            "/credentialSubject/address/city",
            "/credentialSubject/employer/department/name",
        ],
    )
    .await;
    assert_eq!(
        derived["credentialSubject"]["address"]["city"],
        "Springfield"
    );
    assert!(derived["credentialSubject"]["address"]
        .get("street")
        .is_none());
    assert!(derived["credentialSubject"].get("name").is_none());
}

#[tokio::test]
async fn claim_names_that_are_prefixes_of_one_another() {
    let mut subject = serde_json::Map::new();
    subject.insert("id".into(), "did:example:subject".into());
    for i in 1..=12 {
        subject.insert(format!("claim{i}"), format!("value {i}").into());
    }
    let derived = round_trip(
        vocab_doc(Value::Object(subject), true),
        &["/issuer", "/credentialSubject/id"],
        &[
            "/credentialSubject/claim1",
            "/credentialSubject/claim10",
            "/credentialSubject/claim11",
        ],
    )
    .await;
    assert!(derived["credentialSubject"].get("claim12").is_none());
    assert_eq!(derived["credentialSubject"]["claim10"], "value 10");
}

#[tokio::test]
async fn literals_that_are_prefixes_of_one_another() {
    let subject = json!({
        "names": ["Alice", "Alice Smith", "Alice Smith Jr"],
        "alias": "Al",
        "other": "Alice"
    });
    round_trip(
        vocab_doc(subject, false),
        &["/issuer"],
        &["/credentialSubject/names", "/credentialSubject/other"],
    )
    .await;
}

#[tokio::test]
async fn array_elements_are_disclosed_one_by_one() {
    let subject = json!({
        "id": "did:example:s",
        "names": ["Alice", "Bob", "Carol"],
        "alias": "Al"
    });
    let derived = round_trip(
        vocab_doc(subject, true),
        &["/issuer", "/credentialSubject/id"],
        &["/credentialSubject/names/1"],
    )
    .await;
    assert_eq!(derived["credentialSubject"]["names"], json!(["Bob"]));
    let text = derived.to_string();
    assert!(!text.contains("Alice") && !text.contains("Carol"), "{text}");
    assert!(derived["credentialSubject"].get("alias").is_none());
    // Two elements, out of order: the derived list keeps the base order.
    let subject = json!({"names": ["Alice", "Bob", "Carol"]});
    let derived = round_trip(
        vocab_doc(subject, false),
        &["/issuer"],
        &["/credentialSubject/names/2", "/credentialSubject/names/0"],
    )
    .await;
    assert_eq!(
        derived["credentialSubject"]["names"],
        json!(["Alice", "Carol"])
    );
}

#[tokio::test]
async fn thirty_five_claims_with_half_disclosed() {
    let mut subject = serde_json::Map::new();
    for i in 0..35 {
        subject.insert(format!("attribute{i}"), format!("v{i}").into());
    }
    let selective: Vec<String> = (0..35)
        .step_by(2)
        .map(|i| format!("/credentialSubject/attribute{i}"))
        .collect();
    let sel: Vec<&str> = selective.iter().map(String::as_str).collect();
    let derived = round_trip(vocab_doc(Value::Object(subject), false), &["/issuer"], &sel).await;
    assert_eq!(derived["credentialSubject"].as_object().unwrap().len(), 18);
}

#[tokio::test]
async fn nothing_selected_beyond_mandatory() {
    let subject = json!({"id": "did:example:s", "a": "1", "b": "2"});
    let derived = round_trip(
        vocab_doc(subject, true),
        &["/issuer", "/credentialSubject/id"],
        &[],
    )
    .await;
    assert!(derived["credentialSubject"].get("a").is_none());
}

#[tokio::test]
async fn malformed_inputs_are_typed_errors() {
    let loader = ContextLoader::default();
    let keys = BbsKeyPair::generate().unwrap();
    let doc = vocab_doc(json!({"a": "1"}), false);
    let vm = keys.public_key().did_key_url();
    // A mandatory pointer to nothing.
    assert!(matches!(
        sign_base(&doc, &keys, &vm, None, &["/nope".into()], &loader).await,
        Err(Bbs2023Error::InvalidPointer(_))
    ));
    // Not an object.
    assert!(matches!(
        sign_base(&json!([1]), &keys, &vm, None, &[], &loader).await,
        Err(Bbs2023Error::InvalidDocument(_))
    ));
    // An unknown context is refused, never fetched.
    let mut unknown = doc.clone();
    unknown["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://evil.example/ctx"
    ]);
    assert!(matches!(
        sign_base(&unknown, &keys, &vm, None, &["/issuer".into()], &loader).await,
        Err(Bbs2023Error::JsonLd(_))
    ));
    // Deriving from a document without a proof, or verifying a base proof.
    assert!(matches!(
        derive(&doc, &[], b"", &loader).await,
        Err(Bbs2023Error::MissingProof)
    ));
    let signed = sign_base(&doc, &keys, &vm, None, &["/issuer".into()], &loader)
        .await
        .unwrap();
    assert!(matches!(
        verify_derived(&signed, keys.public_key(), &loader).await,
        Err(Bbs2023Error::MalformedProofValue(_))
    ));
    // A derived document with an extra, unsigned statement.
    let derived = derive(&signed, &["/credentialSubject/a".into()], b"", &loader)
        .await
        .unwrap();
    let mut extra = derived.clone();
    extra["credentialSubject"]["injected"] = "admin".into();
    assert!(matches!(
        verify_derived(&extra, keys.public_key(), &loader).await,
        Err(Bbs2023Error::IndexMismatch(_))
    ));
    // Wrong cryptosuite.
    let mut other = derived.clone();
    other["proof"]["cryptosuite"] = "ecdsa-sd-2023".into();
    assert!(matches!(
        verify_derived(&other, keys.public_key(), &loader).await,
        Err(Bbs2023Error::WrongCryptosuite(_))
    ));
    // A bad key.
    assert!(matches!(
        BbsPublicKey::from_bytes(&[0u8; 96]),
        Err(Bbs2023Error::InvalidKey(_))
    ));
    assert!(matches!(
        BbsPublicKey::from_multikey("z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        Err(Bbs2023Error::InvalidKey(_))
    ));
    let pk = keys.public_key();
    assert_eq!(&BbsPublicKey::from_multikey(&pk.multikey()).unwrap(), pk);
    // The BLS12-381 G2 multicodec (0xeb01) makes every such did:key start so.
    assert!(pk.did_key().starts_with("did:key:zUC"));
}
