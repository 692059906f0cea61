//! Every refusal of the SD-JWT verifier, each fed its bad input and
//! checked for its typed error, on SD-JWT VCs issued here (Ed25519 and
//! P-256 keys).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use credence_sdjwt::digest::digest;
use credence_sdjwt::disclosure::{Disclosed, Disclosure};
use credence_sdjwt::key_binding::key_binding_jwt;
use credence_sdjwt::present::{bind, select};
use credence_sdjwt::status_list::{
    status_list_token, verify_status_list_token, Status, StatusList,
};
use credence_sdjwt::{
    check_vc, issue, jws, KeyBindingCheck, SdJwt, SdJwtError, Signer, Step, VerifyOptions,
    SD_JWT_VC_TYP,
};
use serde_json::{json, Map, Value};
use ssi::JWK;

const NOW: i64 = 1_780_272_000;
const NONCE: &str = "n-0S6_WzA2Mj";
const AUD: &str = "https://verifier.partner-b.example";

struct Fixture {
    issuer: JWK,
    holder: JWK,
    claims: Map<String, Value>,
    issued: SdJwt,
    payload: Map<String, Value>,
}

fn claims(holder: &JWK) -> Map<String, Value> {
    let mut claims = json!({
        "iss": "did:example:issuer",
        "vct": "https://ns.credence.dev/v1/AgentCredential",
        "iat": NOW - 3600, "nbf": NOW - 3600, "exp": NOW + 86_400,
        "cnf": {"jwk": holder.to_public()},
        "sub": "did:example:agent",
        "role": "fleet-operator",
        "capabilities": ["tickets.read", "tickets.write", "billing.read"],
        "operator": {"name": "Ops", "email": "ops@example.org"},
    });
    claims.as_object_mut().map(std::mem::take).expect("object")
}

fn fixture_with(issuer: JWK, holder: JWK) -> Fixture {
    let claims = claims(&holder);
    let signer = Signer {
        key: &issuer,
        kid: Some("did:example:issuer#key-1"),
        typ: SD_JWT_VC_TYP,
    };
    let issued = issue(&claims, &credence_sdjwt::vc::disclosable, 2, &signer).expect("issues");
    let payload = payload_of(&issued.issuer_jwt);
    Fixture {
        issuer,
        holder,
        claims,
        issued,
        payload,
    }
}

fn fixture() -> Fixture {
    fixture_with(
        JWK::generate_ed25519().expect("key"),
        JWK::generate_ed25519().expect("key"),
    )
}

fn payload_of(jwt: &str) -> Map<String, Value> {
    let (_, payload) = ssi::claims::jws::decode_unverified(jwt).expect("JWS");
    serde_json::from_slice(&payload).expect("claims")
}

fn check() -> KeyBindingCheck {
    KeyBindingCheck {
        nonce: NONCE.into(),
        audience: AUD.into(),
        now: NOW,
        max_age: 300,
        max_ahead: 60,
    }
}

fn options() -> VerifyOptions {
    VerifyOptions {
        typ: vec![SD_JWT_VC_TYP.into()],
        now: NOW,
        max_ahead: 60,
        key_binding: Some(check()),
    }
}

/// The role and the first capability, bound to the verifier.
fn presentation(f: &Fixture) -> SdJwt {
    let wanted = |p: &[Step]| {
        matches!(p, [Step::Key(k)] if k == "role")
            || matches!(p, [Step::Key(k), Step::Index(0)] if k == "capabilities")
    };
    let selected = select(&f.issued, &f.payload, &wanted).expect("selects");
    bind(selected, &f.holder, NONCE, AUD, NOW).expect("binds")
}

fn verify(f: &Fixture, sd: &SdJwt) -> Result<credence_sdjwt::SdJwtVc, SdJwtError> {
    check_vc(&sd.verify(&f.issuer, &options())?)
}

/// `sd` with its KB-JWT made again over what it now presents.
fn rebind(f: &Fixture, mut sd: SdJwt) -> SdJwt {
    sd.key_binding = None;
    bind(sd, &f.holder, NONCE, AUD, NOW).expect("binds")
}

/// The issuer JWT re-signed over `payload` (the issuer making a bad one).
fn resign(f: &Fixture, payload: &Map<String, Value>) -> String {
    jws::sign(payload, &f.issuer, SD_JWT_VC_TYP, None).expect("signs")
}

#[test]
fn an_honest_presentation_verifies_and_discloses_only_what_was_selected() {
    for f in [fixture(), fixture_with(p256(), p256())] {
        let vc = verify(&f, &presentation(&f)).expect("verifies");
        assert_eq!(vc.claims["role"], "fleet-operator");
        assert_eq!(vc.claims["capabilities"], json!(["tickets.read"]));
        assert!(!vc.claims.contains_key("operator"));
        assert_eq!(vc.vct, f.claims["vct"]);
        // A nested claim brings the Disclosure that contains it, and only
        // the claim asked for inside it.
        let email = |p: &[Step]| matches!(p, [Step::Key(o), Step::Key(e)] if o == "operator" && e == "email");
        let nested = bind(
            select(&f.issued, &f.payload, &email).expect("selects"),
            &f.holder,
            NONCE,
            AUD,
            NOW,
        )
        .expect("binds");
        assert_eq!(nested.disclosures.len(), 2);
        let vc = verify(&f, &nested).expect("verifies");
        assert_eq!(vc.claims["operator"], json!({"email": "ops@example.org"}));
        assert!(!vc.claims.contains_key("role"));
        // Everything disclosed: the claims as issued.
        let all = bind(f.issued.clone(), &f.holder, NONCE, AUD, NOW).expect("binds");
        assert_eq!(verify(&f, &all).expect("verifies").claims, f.claims);
    }
}

fn p256() -> JWK {
    JWK::generate_p256()
}

#[test]
fn a_forged_disclosure_is_refused() {
    let f = fixture();
    let mut sd = presentation(&f);
    let role = Disclosure::decode(&sd.disclosures[0]).expect("decodes");
    let forged = Disclosure::new(
        role.salt,
        Disclosed::Property("role".into(), json!("fleet-admin")),
    );
    sd.disclosures[0] = forged.text;
    let sd = rebind(&f, sd);
    assert!(matches!(
        verify(&f, &sd),
        Err(SdJwtError::UnreferencedDisclosure(_))
    ));
}

#[test]
fn a_disclosure_presented_twice_is_refused() {
    let f = fixture();
    let mut sd = presentation(&f);
    sd.disclosures.push(sd.disclosures[0].clone());
    let sd = rebind(&f, sd);
    assert!(matches!(
        verify(&f, &sd),
        Err(SdJwtError::DuplicateDisclosure(_))
    ));
}

#[test]
fn a_digest_that_occurs_twice_is_refused() {
    let f = fixture();
    let mut payload = f.payload.clone();
    let first = payload["_sd"][0].clone();
    payload.insert("extra".into(), json!({"_sd": [first]}));
    let mut sd = f.issued.clone();
    sd.issuer_jwt = resign(&f, &payload);
    let sd = rebind(&f, sd);
    assert!(matches!(
        verify(&f, &sd),
        Err(SdJwtError::DuplicateDigest(_))
    ));
}

/// An SD-JWT whose payload references `disclosure` at the top level.
fn with_disclosure(f: &Fixture, disclosure: &Disclosure) -> SdJwt {
    let mut payload = f.payload.clone();
    if let Some(Value::Array(sd)) = payload.get_mut("_sd") {
        sd.push(disclosure.digest.clone().into());
    }
    let mut sd = presentation(f);
    sd.issuer_jwt = resign(f, &payload);
    sd.disclosures.push(disclosure.text.clone());
    rebind(f, sd)
}

#[test]
fn reserved_and_colliding_claim_names_and_misplaced_disclosures_are_refused() {
    let f = fixture();
    for name in ["_sd", "..."] {
        let d = Disclosure::new(
            "salt".into(),
            Disclosed::Property(name.into(), json!(["x"])),
        );
        let got = verify(&f, &with_disclosure(&f, &d));
        assert_eq!(
            got,
            Err(SdJwtError::ReservedClaimName(name.into())),
            "{name}"
        );
    }
    let d = Disclosure::new(
        "salt".into(),
        Disclosed::Property("sub".into(), json!("did:example:x")),
    );
    assert_eq!(
        verify(&f, &with_disclosure(&f, &d)),
        Err(SdJwtError::ClaimCollision("sub".into()))
    );
    let d = Disclosure::new("salt".into(), Disclosed::Element(json!("x")));
    assert!(matches!(
        verify(&f, &with_disclosure(&f, &d)),
        Err(SdJwtError::WrongDisclosureKind(_))
    ));
    // A claim SD-JWT VC keeps plain, made disclosable by the issuer.
    let mut payload = f.payload.clone();
    let vct = payload.remove("vct").expect("vct");
    let d = Disclosure::new("salt".into(), Disclosed::Property("vct".into(), vct));
    let mut sd = with_disclosure(
        &Fixture {
            payload,
            ..fixture_like(&f)
        },
        &d,
    );
    sd = rebind(&f, sd);
    assert_eq!(
        verify(&f, &sd),
        Err(SdJwtError::NotDisclosable("vct".into()))
    );
}

fn fixture_like(f: &Fixture) -> Fixture {
    Fixture {
        issuer: f.issuer.clone(),
        holder: f.holder.clone(),
        claims: f.claims.clone(),
        issued: f.issued.clone(),
        payload: f.payload.clone(),
    }
}

#[test]
fn an_unsupported_sd_alg_is_refused() {
    let f = fixture();
    let mut payload = f.payload.clone();
    payload.insert("_sd_alg".into(), "sha-1".into());
    let mut sd = presentation(&f);
    sd.issuer_jwt = resign(&f, &payload);
    let sd = rebind(&f, sd);
    assert_eq!(
        verify(&f, &sd),
        Err(SdJwtError::UnsupportedSdAlg("sha-1".into()))
    );
}

#[test]
fn key_binding_refusals() {
    let f = fixture();
    let good = presentation(&f);
    let mut missing = good.clone();
    missing.key_binding = None;
    assert_eq!(verify(&f, &missing), Err(SdJwtError::KeyBindingMissing));
    let with = |nonce: &str, aud: &str, iat: i64, key: &JWK| {
        let mut sd = good.clone();
        sd.key_binding =
            Some(key_binding_jwt(key, &good.without_key_binding(), nonce, aud, iat).expect("kb"));
        verify(&f, &sd)
    };
    assert_eq!(
        with("other", AUD, NOW, &f.holder),
        Err(SdJwtError::NonceMismatch)
    );
    assert_eq!(
        with(NONCE, "https://verifier.partner-c.example", NOW, &f.holder),
        Err(SdJwtError::AudienceMismatch(
            "https://verifier.partner-c.example".into()
        ))
    );
    assert_eq!(
        with(NONCE, AUD, NOW - 301, &f.holder),
        Err(SdJwtError::StaleKeyBinding {
            iat: NOW - 301,
            now: NOW
        })
    );
    assert_eq!(
        with(NONCE, AUD, NOW + 61, &f.holder),
        Err(SdJwtError::StaleKeyBinding {
            iat: NOW + 61,
            now: NOW
        })
    );
    let other = JWK::generate_ed25519().expect("key");
    assert_eq!(
        with(NONCE, AUD, NOW, &other),
        Err(SdJwtError::KeyBindingSignature)
    );
    // A KB-JWT over another selection: sd_hash does not match.
    let mut dropped = good.clone();
    dropped.disclosures.pop();
    assert_eq!(verify(&f, &dropped), Err(SdJwtError::SdHashMismatch));
    // A KB-JWT with another typ.
    let mut claims = Map::new();
    claims.insert("nonce".into(), NONCE.into());
    claims.insert("aud".into(), AUD.into());
    claims.insert("iat".into(), NOW.into());
    claims.insert("sd_hash".into(), digest(&good.without_key_binding()).into());
    let mut typed = good.clone();
    typed.key_binding = Some(jws::sign(&claims, &f.holder, "jwt", None).expect("signs"));
    assert!(matches!(
        verify(&f, &typed),
        Err(SdJwtError::WrongType { .. })
    ));
    // No cnf in the credential while key binding is required.
    let mut payload = f.payload.clone();
    payload.remove("cnf");
    let mut no_cnf = good.clone();
    no_cnf.issuer_jwt = resign(&f, &payload);
    let no_cnf = rebind(&f, no_cnf);
    assert!(matches!(
        verify(&f, &no_cnf),
        Err(SdJwtError::NoHolderKey(_))
    ));
}

#[test]
fn issuer_jwt_refusals() {
    let f = fixture();
    let good = presentation(&f);
    // Wrong typ (an SD-JWT that is not an SD-JWT VC).
    let mut sd = good.clone();
    sd.issuer_jwt = jws::sign(&f.payload, &f.issuer, "example+sd-jwt", None).expect("signs");
    let sd = rebind(&f, sd);
    assert!(matches!(verify(&f, &sd), Err(SdJwtError::WrongType { .. })));
    // Another issuer's key, of the same type.
    let other = JWK::generate_ed25519().expect("key");
    assert_eq!(
        good.verify(&other, &options()).map(|_| ()),
        Err(SdJwtError::BadIssuerSignature)
    );
    // A key of another type than the alg.
    assert!(matches!(
        good.verify(&p256(), &options()),
        Err(SdJwtError::UnsupportedAlgorithm(_))
    ));
    // A tampered payload.
    let mut parts: Vec<String> = good.issuer_jwt.split('.').map(str::to_owned).collect();
    let mut payload = f.payload.clone();
    payload.insert("iss".into(), "did:example:mallory".into());
    parts[1] = URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string());
    let mut tampered = good.clone();
    tampered.issuer_jwt = parts.join(".");
    let tampered = rebind(&f, tampered);
    assert_eq!(
        verify(&f, &tampered).map(|_| ()),
        Err(SdJwtError::BadIssuerSignature)
    );
    // alg none.
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"dc+sd-jwt"}"#),
        parts[1]
    );
    let mut unsigned = good.clone();
    unsigned.issuer_jwt = none;
    assert!(verify(&f, &unsigned).is_err());
}

#[test]
fn validity_refusals() {
    let f = fixture();
    let sd = presentation(&f);
    let at = |now: i64| {
        let mut options = options();
        options.now = now;
        options.key_binding.as_mut().expect("kb").now = now;
        sd.verify(&f.issuer, &options).map(|_| ())
    };
    assert_eq!(at(NOW + 86_400), Err(SdJwtError::Expired(NOW + 86_400)));
    let early = NOW - 3600 - 61;
    let got = at(early);
    assert!(
        matches!(
            got,
            Err(SdJwtError::NotYetValid(_)) | Err(SdJwtError::StaleKeyBinding { .. })
        ),
        "{got:?}"
    );
    let mut payload = f.payload.clone();
    payload.insert("nbf".into(), (NOW + 120).into());
    let mut later = sd.clone();
    later.issuer_jwt = resign(&f, &payload);
    let later = rebind(&f, later);
    assert_eq!(
        verify(&f, &later).map(|_| ()),
        Err(SdJwtError::NotYetValid(NOW + 120))
    );
    // vct and iss are required.
    for claim in ["vct", "iss"] {
        let mut payload = f.payload.clone();
        payload.remove(claim);
        let mut missing = sd.clone();
        missing.issuer_jwt = resign(&f, &payload);
        let missing = rebind(&f, missing);
        assert_eq!(
            verify(&f, &missing).map(|_| ()),
            Err(SdJwtError::MissingClaim(claim.into()))
        );
    }
}

#[test]
fn token_status_list_revokes_and_refuses_bad_lists() {
    let key = JWK::generate_ed25519().expect("key");
    let uri = "https://issuer.partner-a.example/status/1";
    let mut list = StatusList::new(2, 1000).expect("list");
    list.set(7, 1).expect("set");
    list.set(8, 2).expect("set");
    let token = status_list_token(
        &list,
        uri,
        NOW,
        3600,
        &key,
        Some("did:example:issuer#key-1"),
    )
    .expect("signs");
    let verified = verify_status_list_token(&token, &key, uri, NOW).expect("verifies");
    assert_eq!(verified.expires_at, NOW + 3600);
    let read = verified.list;
    assert_eq!(read.get(6), Ok(Status::Valid));
    assert_eq!(read.get(7), Ok(Status::Invalid));
    assert_eq!(read.get(8), Ok(Status::Suspended));
    assert_eq!(read.get(1000), Err(SdJwtError::StatusIndexOutOfRange(1000)));
    // A bad signature, another URI, an expired token.
    let other = JWK::generate_ed25519().expect("key");
    assert_eq!(
        verify_status_list_token(&token, &other, uri, NOW),
        Err(SdJwtError::StatusListSignature)
    );
    assert!(matches!(
        verify_status_list_token(&token, &key, "https://elsewhere", NOW),
        Err(SdJwtError::StatusList(_))
    ));
    assert_eq!(
        verify_status_list_token(&token, &key, uri, NOW + 3600),
        Err(SdJwtError::Expired(NOW + 3600))
    );
    // A token without exp (usable forever, old copies included): refused.
    let mut claims = Map::new();
    claims.insert("sub".into(), uri.into());
    claims.insert("iat".into(), NOW.into());
    claims.insert("status_list".into(), list.to_claim().expect("claim"));
    let forever = jws::sign(&claims, &key, "statuslist+jwt", None).expect("signs");
    assert_eq!(
        verify_status_list_token(&forever, &key, uri, NOW),
        Err(SdJwtError::StatusList("no exp".into()))
    );
    // A decompression bomb: 64 MiB of zeros in a few kilobytes.
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut encoder, &vec![0u8; 64 << 20]).expect("compresses");
    let bomb = encoder.finish().expect("compresses");
    assert!(bomb.len() < 128 << 10, "{}", bomb.len());
    let claim = json!({"bits": 1, "lst": URL_SAFE_NO_PAD.encode(bomb)});
    assert_eq!(
        StatusList::from_claim(&claim),
        Err(SdJwtError::DecompressionLimit(
            credence_sdjwt::status_list::MAX_LIST_BYTES
        ))
    );
    for bad in [
        json!({"bits": 3, "lst": "eJwDAAAAAAE"}),
        json!({"bits": 1, "lst": "!!"}),
        json!({"bits": 1, "lst": "AAAA"}),
    ] {
        assert!(
            matches!(StatusList::from_claim(&bad), Err(SdJwtError::StatusList(_))),
            "{bad}"
        );
    }
}

#[test]
fn the_spec_status_list_example_decodes() {
    // draft-ietf-oauth-status-list §4.1: bits 1, statuses
    // [1,0,0,1,1,1,0,1, 1,1,0,0,0,1,0,1] → "eNrbuRgAAhcBXQ".
    let list =
        StatusList::from_claim(&json!({"bits": 1, "lst": "eNrbuRgAAhcBXQ"})).expect("decodes");
    let statuses: Vec<u8> = (0..16)
        .map(|i| u8::from(list.get(i).expect("in range") != Status::Valid))
        .collect();
    assert_eq!(statuses, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
}
