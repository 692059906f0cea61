//! JSON with a member name twice reads differently in different parsers
//! (serde_json keeps the last, others the first): an issuer payload or a
//! Disclosure with duplicate member names is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use credence_sdjwt::digest::digest;
use credence_sdjwt::{SdJwt, SdJwtError, VerifyOptions, SD_JWT_VC_TYP};
use ssi::claims::jws::{encode_sign_custom_header, Header};
use ssi::jwk::Algorithm;
use ssi::JWK;

fn verify(payload: &str, disclosure: &str) -> Result<(), SdJwtError> {
    let issuer = JWK::generate_ed25519().expect("key");
    let header = Header {
        algorithm: Algorithm::EdDSA,
        type_: Some(SD_JWT_VC_TYP.into()),
        ..Default::default()
    };
    let jwt = encode_sign_custom_header(payload, &issuer, &header).expect("signs");
    let sd = SdJwt::parse(&format!("{jwt}~{disclosure}~")).expect("parses");
    let options = VerifyOptions {
        typ: vec![SD_JWT_VC_TYP.into()],
        now: 1_780_272_000,
        max_ahead: 60,
        key_binding: None,
    };
    sd.verify(&issuer.to_public(), &options).map(|_| ())
}

#[test]
fn duplicate_member_names_are_refused_in_the_payload_and_in_disclosures() {
    let clean = URL_SAFE_NO_PAD.encode(r#"["salt","operator",{"role":"viewer"}]"#);
    let doubled = URL_SAFE_NO_PAD.encode(r#"["salt","operator",{"role":"viewer","role":"admin"}]"#);
    let payload = |extra: &str, d: &str| {
        format!(
            r#"{{"iss":"did:example:i","vct":"v",{extra}"_sd":["{}"],"_sd_alg":"sha-256"}}"#,
            digest(d)
        )
    };
    assert_eq!(verify(&payload("", &clean), &clean), Ok(()));
    let got = verify(
        &payload(r#""role":"viewer","role":"admin","#, &clean),
        &clean,
    );
    assert!(
        matches!(&got, Err(SdJwtError::Malformed(m)) if m.contains("duplicate")),
        "{got:?}"
    );
    let got = verify(&payload("", &doubled), &doubled);
    assert!(
        matches!(&got, Err(SdJwtError::Malformed(m)) if m.contains("duplicate")),
        "{got:?}"
    );
}
