//! The SD-JWT VC fixtures of ../shared/interop (made with the OWF sd-jwt-js
//! library, EdDSA and ES256, https and DID issuers): every `sdjwt-verify`
//! case of its MANIFEST reaches its expected outcome, each refusal with the
//! error its reason names.

mod common;

use common::{interop, read, read_json};
use credence_sdjwt::{check_vc, KeyBindingCheck, SdJwt, SdJwtError, VerifyOptions, SD_JWT_VC_TYP};
use serde_json::Value;
use ssi::JWK;
use std::path::Path;

/// The value after `flag` in `args`.
fn arg<'a>(args: &'a [Value], flag: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a.as_str() == Some(flag))?;
    args.get(at + 1)?.as_str()
}

fn unix(time: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(time)
        .expect("RFC 3339")
        .timestamp()
}

/// Runs one case: the verification outcome.
fn run(dir: &Path, case: &Value) -> Result<(), SdJwtError> {
    let args = case["args"].as_array().expect("args");
    let key: JWK = serde_json::from_value(read_json(
        &dir.join(arg(args, "--issuer-jwk").expect("jwk")),
    ))
    .expect("issuer JWK");
    let now = unix(arg(args, "--now").expect("now"));
    let key_binding = arg(args, "--nonce").map(|nonce| KeyBindingCheck {
        nonce: nonce.into(),
        audience: arg(args, "--aud").expect("aud").into(),
        now,
        max_age: 300,
        max_ahead: 300,
    });
    let options = VerifyOptions {
        typ: vec![SD_JWT_VC_TYP.into()],
        now,
        max_ahead: 60,
        key_binding,
    };
    let sd = SdJwt::parse(&read(&dir.join(case["file"].as_str().expect("file"))))?;
    check_vc(&sd.verify(&key, &options)?).map(|_| ())
}

/// The error a refused case must end with, from its file or reason.
fn expected_error(case: &Value, error: &SdJwtError) -> bool {
    let file = case["file"].as_str().unwrap_or_default();
    let why = case["why"].as_str().unwrap_or_default();
    match error {
        SdJwtError::UnreferencedDisclosure(_) => {
            file.ends_with("forged-disclosure.sd-jwt.txt")
                || file.ends_with("digest-removed.sd-jwt.txt")
        }
        SdJwtError::NonceMismatch => file.ends_with("wrong-nonce.sd-jwt.txt"),
        SdJwtError::AudienceMismatch(_) => file.ends_with("wrong-aud.sd-jwt.txt"),
        SdJwtError::KeyBindingSignature => file.ends_with("kb-other-key.sd-jwt.txt"),
        SdJwtError::StaleKeyBinding { .. } => why.contains("stale key binding"),
        SdJwtError::KeyBindingMissing => why.contains("key binding required"),
        SdJwtError::BadIssuerSignature => why.contains("another issuer's key"),
        SdJwtError::Expired(_) => why.contains("expired"),
        SdJwtError::NotYetValid(_) => why.contains("not yet valid"),
        _ => false,
    }
}

#[test]
fn every_sd_jwt_fixture_reaches_its_expected_outcome() {
    let Some(dir) = interop("every_sd_jwt_fixture_reaches_its_expected_outcome") else {
        return;
    };
    let manifest = read_json(&dir.join("MANIFEST.json"));
    let (mut valid, mut invalid) = (0, 0);
    for case in manifest["cases"].as_array().expect("cases") {
        if case["tool"] != "sdjwt-verify" {
            continue;
        }
        let outcome = run(&dir, case);
        match (case["expected"].as_str(), outcome) {
            (Some("valid"), Ok(())) => valid += 1,
            (Some("invalid"), Err(e)) => {
                assert!(expected_error(case, &e), "{case}: refused with {e:?}");
                invalid += 1;
            }
            (expected, outcome) => panic!("{case}: expected {expected:?}, got {outcome:?}"),
        }
    }
    eprintln!("interop SD-JWT: {valid} verified, {invalid} refused as expected");
    assert_eq!((valid, invalid), (12, 20));
}
