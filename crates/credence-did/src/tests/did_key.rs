//! did:key: which identifiers resolve, and what each key type is granted.

use super::{assert_not_authorized, assert_resolution_failed};
use crate::*;
use ssi::dids::DIDKey;
use ssi::JWK;

/// The spec's Ed25519 example (did:key §2.2).
const ED25519: &str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
/// A vector of the spec's x25519.json.
const X25519: &str = "did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F";
/// A vector of the spec's bls12381.json.
const BLS: &str = "did:key:zUC7K4ndUaGZgV7Cp2yJy6JtMoUHY6u7tkcSYUvPrEidqBmLCTLmi6d5WvwnUqejscAkERJ3bfjEiSYtdPkRSE8kSa11hFBr4sTgnbZ95SJj19PN2jdvJjyzpSZgxkyyxNnBNnY";

/// The did:key of multicodec `prefix` followed by `key`.
fn did_key(prefix: &[u8], key: &[u8]) -> String {
    let bytes = [prefix, key].concat();
    format!(
        "did:key:{}",
        multibase::encode(multibase::Base::Base58Btc, bytes)
    )
}

/// The method URL `did#fragment` of a did:key.
fn method_of(did: &str) -> String {
    format!("{did}#{}", &did["did:key:".len()..])
}

async fn check(did: &str, purpose: &str) -> Result<AuthorizedMethod, DidError> {
    authorized_method(&LocalResolver, &method_of(did), purpose).await
}

const SIGNING: [&str; 4] = [
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
];

#[tokio::test]
async fn signing_keys_get_the_four_signing_relationships_only() {
    let p256 = DIDKey::generate(&JWK::generate_p256())
        .expect("did:key")
        .to_string();
    for did in [ED25519, p256.as_str(), BLS] {
        for purpose in SIGNING {
            let method = check(did, purpose).await.expect(purpose);
            assert_eq!(method.did, did);
        }
        assert_not_authorized(check(did, "keyAgreement").await, did);
    }
}

#[tokio::test]
async fn x25519_keys_are_for_key_agreement_only() {
    let method = check(X25519, "keyAgreement").await.expect("keyAgreement");
    assert_eq!(method.id, method_of(X25519));
    // The spec vector's publicKeyBase58 is 4Dy8E9…: the same 32 bytes.
    let jwk = serde_json::to_value(method.jwk().expect("jwk")).expect("json");
    let x = multibase::Base::Base64Url
        .decode(jwk["x"].as_str().expect("x"))
        .expect("x");
    let want = multibase::Base::Base58Btc
        .decode("4Dy8E9UaZscuPUf2GLxV44RCNL7oxmEXXkgWXaug1WKV")
        .expect("b58");
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str(), x),
        (Some("OKP"), Some("X25519"), want)
    );
    for purpose in SIGNING {
        assert_not_authorized(check(X25519, purpose).await, purpose);
    }
    // The document itself lists nothing else.
    let doc = resolve_local(X25519).await.expect("resolves");
    for purpose in SIGNING {
        assert!(doc.get(purpose).is_none(), "{purpose} in {doc}");
    }
}

#[tokio::test]
async fn another_fragment_or_a_non_relationship_is_not_authorized() {
    let other = format!("{ED25519}#other");
    assert_not_authorized(
        authorized_method(&LocalResolver, &other, "assertionMethod").await,
        "another fragment",
    );
    for purpose in ["verificationMethod", "id", "controller", "@context", ""] {
        assert_not_authorized(check(ED25519, purpose).await, purpose);
    }
}

#[tokio::test]
async fn bad_multibase_is_resolution_failed() {
    let key = JWK::generate_ed25519().expect("key");
    let base58 = DIDKey::generate(&key).expect("did:key").to_string();
    let bytes = multibase::decode(&base58["did:key:".len()..])
        .expect("multibase")
        .1;
    let hex = format!(
        "did:key:{}",
        multibase::encode(multibase::Base::Base16Lower, &bytes)
    );
    for bad in [
        "did:key:",
        "did:key:z",
        "did:key:z0OIl",          // not in the base58 alphabet
        "did:key:6MkhaXgBZDvotD", // no multibase prefix
        hex.as_str(),             // the same key in base16: not base58btc
        "did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ] {
        assert_resolution_failed(resolve_local(bad).await, bad);
        assert_resolution_failed(check(bad, "assertionMethod").await, bad);
    }
}

#[tokio::test]
async fn unknown_multicodecs_are_resolution_failed() {
    for (what, did) in [
        ("secp256k1-pub", did_key(&[0xe7, 0x01], &[2; 33])),
        ("p384-pub", did_key(&[0x81, 0x24], &[2; 49])),
        ("ed25519-priv", did_key(&[0x80, 0x26], &[7; 32])),
        ("identity", did_key(&[0x00], &[7; 32])),
        // 0xed as a non-minimal varint: not the Ed25519 prefix.
        ("non-minimal varint", did_key(&[0xed, 0x81, 0x00], &[7; 32])),
        ("no varint", did_key(&[0xff], &[])),
    ] {
        assert_resolution_failed(resolve_local(&did).await, what);
    }
}

#[tokio::test]
async fn truncated_or_overlong_keys_are_resolution_failed() {
    let ed = multibase::decode(&ED25519["did:key:".len()..])
        .expect("mb")
        .1;
    let bls = multibase::decode(&BLS["did:key:".len()..]).expect("mb").1;
    for (what, did) in [
        ("Ed25519, 31 bytes", did_key(&ed[..2], &ed[2..33])),
        ("Ed25519, 33 bytes", did_key(&ed, &[0])),
        ("Ed25519, no key", did_key(&ed[..2], &[])),
        ("X25519, 31 bytes", did_key(&[0xec, 0x01], &[9; 31])),
        ("P-256, 32 bytes", did_key(&[0x80, 0x24], &[2; 32])),
        ("P-256, uncompressed", did_key(&[0x80, 0x24], &[4; 65])),
        ("BLS12-381 G2, 95 bytes", did_key(&bls[..2], &bls[2..97])),
    ] {
        assert_resolution_failed(resolve_local(&did).await, what);
    }
}

#[tokio::test]
async fn keys_off_their_curve_are_resolution_failed() {
    let mut p256 = vec![0x02];
    p256.extend([0xff; 32]); // x ≥ p
    let mut bls_off = vec![0xbf];
    bls_off.extend([0xff; 95]); // x ≥ p
    let mut bls_identity = vec![0xc0];
    bls_identity.extend([0; 95]);
    let ed_off = (0u8..=255)
        .map(|b| [b; 32])
        .find(|k| ssi::jwk::ed25519_parse(k).is_err())
        .expect("some 32-byte string is no Edwards point");
    for (what, did) in [
        ("P-256 x ≥ p", did_key(&[0x80, 0x24], &p256)),
        ("BLS12-381 G2 x ≥ p", did_key(&[0xeb, 0x01], &bls_off)),
        (
            "BLS12-381 G2 uncompressed flag",
            did_key(&[0xeb, 0x01], &[0; 96]),
        ),
        (
            "BLS12-381 G2 identity",
            did_key(&[0xeb, 0x01], &bls_identity),
        ),
        ("Ed25519 not a point", did_key(&[0xed, 0x01], &ed_off)),
    ] {
        assert_resolution_failed(resolve_local(&did).await, what);
    }
}

#[tokio::test]
async fn a_supplied_document_cannot_widen_a_did_key() {
    // Offline documents for a did:key are ignored: the X25519 key stays a
    // key-agreement key even if the supplied document says otherwise.
    let mut forged = resolve_local(X25519).await.expect("resolves");
    forged["assertionMethod"] = serde_json::json!([method_of(X25519)]);
    let known = KnownDocuments::one(forged);
    assert_not_authorized(
        authorized_method(&known, &method_of(X25519), "assertionMethod").await,
        "supplied did:key document",
    );
    assert!(
        authorized_method(&known, &method_of(X25519), "keyAgreement")
            .await
            .is_ok()
    );
}

#[test]
fn error_codes_are_stable() {
    assert_eq!(DidError::failed("did:x", "r").code(), "resolution_failed");
    assert_eq!(
        DidError::not_authorized("did:x#k", "assertionMethod").code(),
        "key_not_authorized"
    );
}
