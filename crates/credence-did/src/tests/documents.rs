//! Fetched and supplied documents (did:web): what `authorized_in` accepts.

use super::assert_not_authorized;
use crate::*;
use serde_json::{json, Value};

const DID: &str = "did:web:acme.example";
const KEY: &str = "did:web:acme.example#key-1";

fn method(id: &str, controller: &str) -> Value {
    json!({
        "id": id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    })
}

/// `object` with `member` set to `value`, or removed when `value` is null.
fn with(mut object: Value, member: &str, value: Value) -> Value {
    if let Some(o) = object.as_object_mut() {
        match value {
            Value::Null => o.remove(member),
            v => o.insert(member.to_owned(), v),
        };
    }
    object
}

fn document(methods: Value, assertion: Value) -> Value {
    json!({"id": DID, "verificationMethod": methods, "assertionMethod": assertion})
}

fn check(document: &Value) -> Result<AuthorizedMethod, DidError> {
    authorized_in(document, KEY, "assertionMethod")
}

#[test]
fn a_well_formed_listing_is_authorized() {
    for (what, doc) in [
        (
            "absolute",
            document(json!([method(KEY, DID)]), json!([KEY])),
        ),
        (
            "relative reference",
            document(json!([method(KEY, DID)]), json!(["#key-1"])),
        ),
        (
            "relative id",
            document(json!([method("#key-1", DID)]), json!([KEY])),
        ),
        ("embedded", document(json!([]), json!([method(KEY, DID)]))),
        (
            "embedded, relative id",
            document(json!([]), json!([method("#key-1", DID)])),
        ),
    ] {
        let authorized = check(&doc).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            (authorized.did.as_str(), authorized.id.as_str()),
            (DID, KEY)
        );
        assert!(authorized.jwk().is_ok(), "{what}");
    }
}

#[test]
fn a_missing_or_dangling_listing_is_not_authorized() {
    let other = "did:web:acme.example#key-2";
    for (what, doc) in [
        (
            "no relationship",
            json!({"id": DID, "verificationMethod": [method(KEY, DID)]}),
        ),
        (
            "relationship not an array",
            document(json!([method(KEY, DID)]), json!(KEY)),
        ),
        (
            "listed under another key",
            document(json!([method(KEY, DID)]), json!([other])),
        ),
        (
            "dangling reference",
            document(json!([method(other, DID)]), json!([KEY])),
        ),
        (
            "no verificationMethod",
            json!({"id": DID, "assertionMethod": [KEY]}),
        ),
        (
            "verificationMethod not an array",
            document(method(KEY, DID), json!([KEY])),
        ),
    ] {
        assert_not_authorized(check(&doc), what);
    }
    // Listed, but under another relationship.
    let doc = json!({"id": DID, "verificationMethod": [method(KEY, DID)], "authentication": [KEY]});
    assert_not_authorized(check(&doc), "authentication only");
}

#[test]
fn a_method_with_another_id_is_not_authorized() {
    for (what, id) in [
        ("another fragment", "did:web:acme.example#key-10"),
        ("another DID", "did:web:evil.example#key-1"),
        ("a relative id without #", "key-1"),
        ("a path-relative id", "/key-1"),
        ("an empty fragment", "#"),
    ] {
        let referenced = document(json!([method(id, DID)]), json!([KEY]));
        assert_not_authorized(check(&referenced), what);
        let embedded = document(json!([]), json!([method(id, DID)]));
        assert_not_authorized(check(&embedded), what);
    }
    // The reference itself must name the method, absolutely or by fragment.
    for reference in ["key-1", "acme.example#key-1", "did:web:acme.example#KEY-1"] {
        let doc = document(json!([method(KEY, DID)]), json!([reference]));
        assert_not_authorized(check(&doc), reference);
    }
}

#[test]
fn a_method_controlled_by_another_did_is_not_authorized() {
    for (what, controller) in [
        ("another controller", json!("did:web:evil.example")),
        ("a relative controller", json!("#key-1")),
        ("a controller list", json!([DID, "did:web:evil.example"])),
        ("no controller", Value::Null),
    ] {
        let m = with(method(KEY, DID), "controller", controller);
        assert_not_authorized(check(&document(json!([m.clone()]), json!([KEY]))), what);
        assert_not_authorized(check(&document(json!([]), json!([m]))), what);
    }
}

#[test]
fn a_method_defined_twice_or_malformed_is_not_authorized() {
    let m = method(KEY, DID);
    let untyped = with(m.clone(), "type", Value::Null);
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"});
    let two_keys = with(m.clone(), "publicKeyJwk", jwk);
    for (what, doc) in [
        (
            "twice in verificationMethod",
            document(json!([m, method("#key-1", DID)]), json!([KEY])),
        ),
        (
            "in verificationMethod and embedded",
            document(json!([m]), json!([m])),
        ),
        (
            "referenced but embedded elsewhere",
            json!({"id": DID, "authentication": [m], "assertionMethod": [KEY]}),
        ),
        ("no type", document(json!([untyped]), json!([KEY]))),
        (
            "two key materials",
            document(json!([two_keys]), json!([KEY])),
        ),
    ] {
        assert_not_authorized(check(&doc), what);
    }
}

#[test]
fn only_verification_relationships_are_purposes() {
    let doc = json!({
        "id": DID,
        "verificationMethod": [method(KEY, DID)],
        "assertionMethod": [KEY],
        "service": [KEY],
        "alsoKnownAs": [KEY],
    });
    for purpose in [
        "verificationMethod",
        "service",
        "alsoKnownAs",
        "id",
        "AssertionMethod",
    ] {
        assert_not_authorized(authorized_in(&doc, KEY, purpose), purpose);
    }
    assert!(authorized_in(&doc, KEY, "assertionMethod").is_ok());
}

#[test]
fn a_relative_method_url_is_not_a_key() {
    let doc = document(json!([method(KEY, DID)]), json!([KEY]));
    assert!(matches!(
        authorized_in(&doc, "#key-1", "assertionMethod"),
        Err(DidError::ResolutionFailed { .. })
    ));
}

/// Serves `documents(host)` on a loopback port, `/{name}/did.json` for
/// each `(name, document)`, one HTTP/1.1 response per connection.
async fn serve(documents: impl Fn(&str) -> Vec<(&'static str, Value)>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = format!(
        "127.0.0.1%3A{}",
        listener.local_addr().expect("addr").port()
    );
    let documents = documents(&host);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = vec![0u8; 4096];
            let n = stream.read(&mut request).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&request[..n]).into_owned();
            let body = documents
                .iter()
                .find(|(name, _)| request.starts_with(&format!("GET /{name}/did.json ")))
                .map_or_else(String::new, |(_, d)| d.to_string());
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    host
}

#[tokio::test]
async fn fetched_did_web_documents_are_checked_the_same_way() {
    let host = serve(|host| {
        let doc = |name: &str, controller: &str| {
            let did = format!("did:web:{host}:{name}");
            let controller = controller.replace("{did}", &did);
            json!({
                "id": did,
                "verificationMethod": [method(&format!("{did}#key-1"), &controller)],
                "assertionMethod": ["#key-1"],
            })
        };
        vec![
            ("good", doc("good", "{did}")),
            ("stolen", doc("stolen", "did:web:acme.example")),
        ]
    })
    .await;
    let resolver = DidResolver::default();
    let good = format!("did:web:{host}:good#key-1");
    let authorized = authorized_method(&resolver, &good, "assertionMethod")
        .await
        .expect("listed");
    assert_eq!(authorized.id, good);
    assert_not_authorized(
        authorized_method(&resolver, &good, "authentication").await,
        "not listed for authentication",
    );
    let stolen = format!("did:web:{host}:stolen#key-1");
    assert_not_authorized(
        authorized_method(&resolver, &stolen, "assertionMethod").await,
        "controlled by another DID",
    );
}
