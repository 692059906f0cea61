//! The SD-JWT vectors of RFC 9901 (draft-22 text) and draft-ietf-oauth-
//! sd-jwt-vc-18: every presentation verifies (issuer signature, every
//! Disclosure, and the KB-JWT where there is one) to exactly the verified
//! contents the specifications print; every issuance, with all its
//! Disclosures, to the user claims; the nested-data examples unpack to the
//! same claims; the JSON serializations verify like the compact ones.

mod common;

use common::{read, read_json, vectors};
use credence_sdjwt::disclosure::Disclosure;
use credence_sdjwt::unpack::unpack;
use credence_sdjwt::{check_vc, KeyBindingCheck, SdJwt, VerifyOptions};
use serde_json::{Map, Value};
use ssi::JWK;
use std::path::Path;

/// The example folders that hold a signed presentation.
const SIGNED: [&str; 7] = [
    "spec-main-example",
    "appendix-a1-simple-structured",
    "appendix-a2-complex-ekyc",
    "appendix-a3-sd-jwt-vc",
    "appendix-a4-w3c-vcdm2",
    "sd-jwt-vc-draft18/section-2.3-identity-credential",
    "sd-jwt-vc-draft18/appendix-a1-pid",
];

fn issuer_key(dir: &Path) -> JWK {
    let keys = read_json(&dir.join("sd-jwt/keys.json"));
    serde_json::from_value(keys["issuer_public_jwk"].clone()).expect("issuer JWK")
}

/// Options for the folder: its header `typ`, a time inside the validity
/// and near the KB-JWT's `iat`, and its KB-JWT's nonce and audience.
fn options(folder: &Path) -> VerifyOptions {
    let header = read_json(&folder.join("issuer_jwt_header.json"));
    let kb = folder.join("kb_jwt_payload.json");
    let (now, key_binding) = if kb.is_file() {
        let kb = read_json(&kb);
        let now = kb["iat"].as_i64().expect("iat");
        let check = KeyBindingCheck {
            nonce: kb["nonce"].as_str().expect("nonce").into(),
            audience: kb["aud"].as_str().expect("aud").into(),
            now,
            max_age: 300,
            max_ahead: 60,
        };
        (now, Some(check))
    } else {
        (1_700_000_000, None)
    };
    VerifyOptions {
        typ: vec![header["typ"].as_str().unwrap_or_default().to_owned()],
        now,
        max_ahead: 60,
        key_binding,
    }
}

#[test]
fn every_specification_presentation_verifies_to_its_printed_contents() {
    let Some(dir) = vectors("every_specification_presentation_verifies") else {
        return;
    };
    let key = issuer_key(&dir);
    let mut checked = 0;
    for name in SIGNED
        .iter()
        .chain(["sd-jwt-vc-draft18/section-2.3-presentation-without-kb"].iter())
    {
        let folder = dir.join("sd-jwt").join(name);
        let sd = SdJwt::parse(&read(&folder.join("sd_jwt_presentation.txt"))).expect(name);
        let options = options(&folder);
        let verified = sd
            .verify(&key, &options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = read_json(&folder.join("verified_contents.json"));
        assert_eq!(Value::Object(verified.claims.clone()), expected, "{name}");
        assert_eq!(
            verified.key_binding.is_some(),
            options.key_binding.is_some(),
            "{name}"
        );
        if options.typ[0] == credence_sdjwt::SD_JWT_VC_TYP {
            let vc = check_vc(&verified).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(Some(&Value::String(vc.vct)), expected.get("vct"), "{name}");
        }
        checked += 1;
    }
    assert_eq!(checked, SIGNED.len() + 1);
}

#[test]
fn every_issuance_with_all_disclosures_verifies_to_the_user_claims() {
    let Some(dir) = vectors("every_issuance_verifies") else {
        return;
    };
    let key = issuer_key(&dir);
    for name in SIGNED {
        let folder = dir.join("sd-jwt").join(name);
        let issuance = folder.join("sd_jwt_issuance.txt");
        if !issuance.is_file() {
            continue;
        }
        let sd = SdJwt::parse(&read(&issuance)).expect(name);
        let mut options = options(&folder);
        options.key_binding = None;
        let verified = sd
            .verify(&key, &options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let user = read_json(&folder.join("user_claims.json"));
        for (claim, value) in user.as_object().expect("object") {
            assert_eq!(verified.claims.get(claim), Some(value), "{name}: {claim}");
        }
        assert_eq!(verified.placed.len(), sd.disclosures.len(), "{name}");
    }
}

#[test]
fn the_nested_data_examples_unpack_to_the_same_claims() {
    let Some(dir) = vectors("the_nested_data_examples_unpack") else {
        return;
    };
    let base = dir.join("sd-jwt/spec-nested-data");
    let user = read_json(&base.join("user_claims.json"));
    for name in ["flat", "structured", "structured-one-open", "recursive"] {
        let folder = base.join(name);
        let payload: Map<String, Value> =
            serde_json::from_value(read_json(&folder.join("sd_jwt_payload.json"))).expect(name);
        let disclosures: Vec<Disclosure> = read_json(&folder.join("disclosures.json"))
            .as_array()
            .expect("array")
            .iter()
            .map(|d| {
                let decoded =
                    Disclosure::decode(d["disclosure"].as_str().expect("text")).expect(name);
                assert_eq!(
                    decoded.digest,
                    d["digest"].as_str().expect("digest"),
                    "{name}"
                );
                decoded
            })
            .collect();
        let unpacked = unpack(&payload, &disclosures).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (claim, value) in user.as_object().expect("object") {
            assert_eq!(unpacked.claims.get(claim), Some(value), "{name}: {claim}");
        }
    }
}

#[test]
fn the_json_serializations_verify_like_the_compact_form() {
    let Some(dir) = vectors("the_json_serializations_verify") else {
        return;
    };
    let key = issuer_key(&dir);
    let keys = read_json(&dir.join("sd-jwt/keys.json"));
    let folder = dir.join("sd-jwt/spec-json-serialization");
    for name in [
        "flattened_issuance",
        "flattened_presentation",
        "general_presentation",
    ] {
        let sd = SdJwt::parse(&read(&folder.join(format!("{name}.json")))).expect(name);
        let key_binding = sd.key_binding.as_ref().map(|kb| {
            let (_, payload) = ssi::claims::jws::decode_unverified(kb).expect("KB-JWT");
            let payload: Value = serde_json::from_slice(&payload).expect("claims");
            KeyBindingCheck {
                nonce: keys["key_binding_nonce"].as_str().expect("nonce").into(),
                audience: keys["verifier_audience"].as_str().expect("aud").into(),
                now: payload["iat"].as_i64().expect("iat"),
                max_age: 300,
                max_ahead: 60,
            }
        });
        let options = VerifyOptions {
            typ: vec!["example+sd-jwt".into()],
            now: key_binding.as_ref().map_or(1_700_000_000, |k| k.now),
            max_ahead: 60,
            key_binding,
        };
        let verified = sd
            .verify(&key, &options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(verified.claims.contains_key("iss"), "{name}");
    }
}
