//! did:jwk: which identifiers resolve, and what `use` and the curve grant.

use super::{assert_not_authorized, assert_resolution_failed};
use crate::*;
use serde_json::{json, Value};
use ssi::JWK;

/// The spec's X25519 example (`"use":"enc"`).
const SPEC_X25519: &str = "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9";

const ALL: [&str; 5] = [
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
];

fn b64(bytes: &[u8]) -> String {
    multibase::Base::Base64Url.encode(bytes)
}

/// The did:jwk of a JSON text, byte for byte.
fn did_of_text(text: &str) -> String {
    format!("did:jwk:{}", b64(text.as_bytes()))
}

/// The public JWK of a fresh key as JSON, with `extra` members added.
fn jwk_json(key: &JWK, extra: Value) -> Value {
    let mut jwk = serde_json::to_value(key.to_public()).expect("jwk");
    if let (Some(o), Value::Object(extra)) = (jwk.as_object_mut(), extra) {
        o.extend(extra);
    }
    jwk
}

async fn granted(did: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for purpose in ALL {
        match authorized_method(&LocalResolver, &format!("{did}#0"), purpose).await {
            Ok(_) => out.push(purpose),
            Err(e) => assert_not_authorized(Err::<(), _>(e), purpose),
        }
    }
    out
}

#[tokio::test]
async fn use_and_curve_decide_the_relationships() {
    let p256 = JWK::generate_p256();
    let ed = JWK::generate_ed25519().expect("key");
    let signing = vec![
        "authentication",
        "assertionMethod",
        "capabilityInvocation",
        "capabilityDelegation",
    ];
    for (what, jwk, want) in [
        ("P-256, no use", jwk_json(&p256, json!({})), ALL.to_vec()),
        (
            "P-256, sig",
            jwk_json(&p256, json!({"use": "sig"})),
            signing.clone(),
        ),
        (
            "P-256, enc",
            jwk_json(&p256, json!({"use": "enc"})),
            vec!["keyAgreement"],
        ),
        (
            "P-256, unknown use",
            jwk_json(&p256, json!({"use": "wrap"})),
            vec![],
        ),
        ("Ed25519, no use", jwk_json(&ed, json!({})), signing.clone()),
        (
            "Ed25519, sig",
            jwk_json(&ed, json!({"use": "sig"})),
            signing.clone(),
        ),
        // Ed25519 cannot agree keys: `enc` leaves it nothing.
        ("Ed25519, enc", jwk_json(&ed, json!({"use": "enc"})), vec![]),
    ] {
        let did = did_of_text(&jwk.to_string());
        assert_eq!(granted(&did).await, want, "{what}");
    }
}

#[tokio::test]
async fn the_specs_x25519_example_is_key_agreement_only() {
    assert_eq!(granted(SPEC_X25519).await, vec!["keyAgreement"]);
    let method = authorized_method(&LocalResolver, &format!("{SPEC_X25519}#0"), "keyAgreement")
        .await
        .expect("listed");
    let jwk = serde_json::to_value(method.jwk().expect("jwk")).expect("json");
    assert_eq!(jwk["crv"], "X25519");
    // Without `use`, an X25519 key still cannot sign.
    let key =
        json!({"kty": "OKP", "crv": "X25519", "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"});
    assert_eq!(
        granted(&did_of_text(&key.to_string())).await,
        vec!["keyAgreement"]
    );
}

#[tokio::test]
async fn bad_base64url_is_resolution_failed() {
    let key = JWK::generate_ed25519().expect("key");
    let good = did_of_text(&jwk_json(&key, json!({})).to_string());
    let padded = format!("{good}==");
    let standard = good.replace('-', "+").replace('_', "/");
    for bad in [
        "did:jwk:",
        "did:jwk:e",       // not a whole byte
        "did:jwk:eyJ@fQ",  // not in the alphabet
        padded.as_str(),   // padding
        "did:jwk:eyJ9+/",  // the standard alphabet
        "did:jwk:e30.e30", // DID syntax, but not base64url
        "did:jwk:e30%3D",  // a percent-encoded `=`
        "did:jwk:e30:e30",
    ] {
        assert_resolution_failed(resolve_local(bad).await, bad);
    }
    if standard != good {
        assert_resolution_failed(resolve_local(&standard).await, "standard alphabet");
    }
}

#[tokio::test]
async fn bad_json_is_resolution_failed() {
    let key = JWK::generate_ed25519().expect("key");
    let x = jwk_json(&key, json!({}))["x"]
        .as_str()
        .expect("x")
        .to_owned();
    for (what, text) in [
        ("not JSON", "not json".to_owned()),
        ("a control character", "{\"kty\":\"OKP\",\u{1}}".to_owned()),
        ("an array", "[1,2]".to_owned()),
        ("a string", "\"OKP\"".to_owned()),
        ("no kty", format!(r#"{{"crv":"Ed25519","x":"{x}"}}"#)),
        ("no x", r#"{"kty":"OKP","crv":"Ed25519"}"#.to_owned()),
        (
            "duplicate use",
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","use":"enc","use":"sig"}}"#),
        ),
        (
            "use not a string",
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","use":["sig"]}}"#),
        ),
    ] {
        assert_resolution_failed(resolve_local(&did_of_text(&text)).await, what);
    }
    let not_utf8 = format!("did:jwk:{}", b64(&[0x7b, 0xff, 0xfe, 0x7d]));
    assert_resolution_failed(resolve_local(&not_utf8).await, "invalid UTF-8");
}

#[tokio::test]
async fn private_key_material_is_resolution_failed() {
    let ed = JWK::generate_ed25519().expect("key");
    let p256 = JWK::generate_p256();
    let ed_private = serde_json::to_value(&ed).expect("jwk");
    let p256_private = serde_json::to_value(&p256).expect("jwk");
    assert!(ed_private.get("d").is_some() && p256_private.get("d").is_some());
    for (what, jwk) in [
        ("Ed25519 with d", ed_private),
        ("P-256 with d", p256_private),
        ("an RSA prime", jwk_json(&p256, json!({"p": "AQAB"}))),
        ("oct with k", json!({"kty": "oct", "k": "c2VjcmV0"})),
        ("oct without k", json!({"kty": "oct"})),
    ] {
        assert_resolution_failed(resolve_local(&did_of_text(&jwk.to_string())).await, what);
    }
}

#[tokio::test]
async fn truncated_invalid_or_unsupported_keys_are_resolution_failed() {
    let ed = JWK::generate_ed25519().expect("key");
    let p256 = JWK::generate_p256();
    let mut p256_off = jwk_json(&p256, json!({}));
    p256_off["y"] = json!(b64(&[0x11; 32]));
    let x = jwk_json(&ed, json!({}))["x"]
        .as_str()
        .expect("x")
        .to_owned();
    let short = b64(&multibase::Base::Base64Url.decode(&x).expect("x")[..31]);
    for (what, jwk) in [
        ("Ed25519, 31 bytes", jwk_json(&ed, json!({"x": short}))),
        (
            "X25519, 33 bytes",
            json!({"kty": "OKP", "crv": "X25519", "x": b64(&[9; 33])}),
        ),
        ("P-256 off the curve", p256_off),
        (
            "P-256 without y",
            json!({"kty": "EC", "crv": "P-256", "x": b64(&[1; 32])}),
        ),
        (
            "secp256k1",
            json!({"kty": "EC", "crv": "secp256k1", "x": b64(&[1; 32]), "y": b64(&[1; 32])}),
        ),
        (
            "RSA",
            json!({"kty": "RSA", "n": b64(&[0xc3; 256]), "e": "AQAB"}),
        ),
        (
            "X448",
            json!({"kty": "OKP", "crv": "X448", "x": b64(&[9; 56])}),
        ),
    ] {
        assert_resolution_failed(resolve_local(&did_of_text(&jwk.to_string())).await, what);
    }
}
