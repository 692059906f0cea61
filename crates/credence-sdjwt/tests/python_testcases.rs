//! The sd-jwt-python test cases (../shared/vectors/sd-jwt/
//! sd-jwt-python-testcases): each `specification.yml` marks claims `!sd`;
//! Credence issues them with those Disclosures (and decoys where asked),
//! the holder selects what `holder_disclosed_claims` says (with a KB-JWT
//! where asked), and the verifier must find exactly
//! `expect_verified_user_claims` plus the plain claims.

mod common;

use common::{read, vectors};
use credence_sdjwt::key_binding::KeyBindingCheck;
use credence_sdjwt::present::{bind, select};
use credence_sdjwt::{issue, SdJwt, Signer, Step, VerifyOptions};
use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{json, Map, Value};
use ssi::JWK;
use std::collections::HashSet;
use std::path::Path;

/// YAML → JSON, with the paths of the `!sd`-tagged keys and elements.
fn convert(yaml: &Yaml, path: &mut Vec<Step>, marks: &mut HashSet<Vec<Step>>) -> Value {
    match yaml {
        Yaml::Tagged(_, inner) => convert(inner, path, marks),
        Yaml::Value(scalar) => match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => json!(i),
            Scalar::FloatingPoint(f) => json!(f.into_inner()),
            Scalar::String(s) => Value::String(s.to_string()),
        },
        Yaml::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    path.push(Step::Index(i));
                    if is_sd(item) {
                        marks.insert(path.clone());
                    }
                    let value = convert(item, path, marks);
                    path.pop();
                    value
                })
                .collect(),
        ),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let name = match key {
                    Yaml::Tagged(_, k) => k.as_str(),
                    k => k.as_str(),
                }
                .unwrap_or_else(|| panic!("a mapping key that is not a string: {key:?}"))
                .to_owned();
                path.push(Step::Key(name.clone()));
                if is_sd(key) {
                    marks.insert(path.clone());
                }
                let value = convert(value, path, marks);
                path.pop();
                out.insert(name, value);
            }
            Value::Object(out)
        }
        other => panic!("unexpected YAML node {other:?}"),
    }
}

/// The member `key` of a mapping, if there.
fn get<'a>(yaml: &'a Yaml<'a>, key: &str) -> Option<&'a Yaml<'a>> {
    yaml.as_mapping()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

fn is_sd(yaml: &Yaml) -> bool {
    matches!(yaml, Yaml::Tagged(tag, _) if tag.suffix == "sd")
}

/// Python's truthiness, as sd-jwt-python's holder tests object members.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Whether `holder_disclosed_claims` asks for the claim at `path`: every
/// step leads through the specification to a value that discloses (an
/// object member truthy; an array element neither `false` nor `null`).
fn wanted(spec: &Value, path: &[Step]) -> bool {
    let mut at = spec;
    for step in path {
        let next = match (step, at) {
            (Step::Key(k), Value::Object(o)) => match o.get(k) {
                Some(v) if truthy(v) => v,
                _ => return false,
            },
            (Step::Index(i), Value::Array(a)) => match a.get(*i) {
                Some(Value::Null) | Some(Value::Bool(false)) | None => return false,
                Some(v) => v,
            },
            _ => return false,
        };
        at = next;
    }
    true
}

fn jwk(yaml: &Yaml) -> JWK {
    let mut marks = HashSet::new();
    serde_json::from_value(convert(yaml, &mut Vec::new(), &mut marks)).expect("JWK")
}

fn run_case(dir: &Path, settings: &Yaml) -> usize {
    let text = read(&dir.join("specification.yml"));
    let spec = Yaml::load_from_str(&text).expect("YAML").remove(0);
    let (mut path, mut marks) = (Vec::new(), HashSet::new());
    let user = convert(&spec["user_claims"], &mut path, &mut marks);
    let disclose = convert(
        &spec["holder_disclosed_claims"],
        &mut path,
        &mut HashSet::new(),
    );
    let expected = convert(
        &spec["expect_verified_user_claims"],
        &mut path,
        &mut HashSet::new(),
    );
    let flag = |name: &str| get(&spec, name).and_then(Yaml::as_bool).unwrap_or(false);
    let key_binding = flag("key_binding");
    let decoys = if flag("add_decoy_claims") { 3 } else { 0 };

    let issuer_key = jwk(&settings["key_settings"]["issuer_keys"][0]);
    let holder_key = jwk(&settings["key_settings"]["holder_key"]);
    let iat = settings["iat"].as_integer().expect("iat");
    let exp = iat + settings["expiry_seconds"].as_integer().expect("expiry");
    let issuer = settings["identifiers"]["issuer"].as_str().expect("issuer");
    let mut claims = user.as_object().cloned().expect("object");
    let mut plain = json!({"iss": issuer, "iat": iat, "exp": exp});
    if key_binding {
        plain["cnf"] = json!({"jwk": holder_key.to_public()});
    }
    for (k, v) in plain.as_object().expect("object") {
        claims.insert(k.clone(), v.clone());
    }
    let signer = Signer {
        key: &issuer_key,
        kid: None,
        typ: "example+sd-jwt",
    };
    let issued = issue(&claims, &|p: &[Step]| marks.contains(p), decoys, &signer).expect("issues");
    let (_, payload) = ssi::claims::jws::decode_unverified(&issued.issuer_jwt).expect("JWS");
    let payload: Map<String, Value> = serde_json::from_slice(&payload).expect("claims");
    let mut presentation =
        select(&issued, &payload, &|p: &[Step]| wanted(&disclose, p)).expect("selects");
    let nonce = settings["key_binding_nonce"].as_str().expect("nonce");
    let aud = settings["identifiers"]["verifier"]
        .as_str()
        .expect("verifier");
    if key_binding {
        presentation = bind(presentation, &holder_key, nonce, aud, iat).expect("binds");
    }
    // The JSON serialization, where the case asks for it.
    let text = match get(&spec, "serialization_format").and_then(Yaml::as_str) {
        Some("json") => flattened(&presentation),
        _ => presentation.to_compact(),
    };
    let options = VerifyOptions {
        typ: vec!["example+sd-jwt".into()],
        now: iat,
        max_ahead: 60,
        key_binding: key_binding.then(|| KeyBindingCheck {
            nonce: nonce.into(),
            audience: aud.into(),
            now: iat,
            max_age: 300,
            max_ahead: 60,
        }),
    };
    let verified = SdJwt::parse(&text)
        .and_then(|sd| sd.verify(&issuer_key.to_public(), &options))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut want = expected.as_object().cloned().unwrap_or_default();
    for (k, v) in plain.as_object().expect("object") {
        want.insert(k.clone(), v.clone());
    }
    assert_eq!(
        Value::Object(verified.claims),
        Value::Object(want),
        "{}",
        dir.display()
    );
    presentation.disclosures.len()
}

/// The flattened JWS JSON serialization of `sd` (RFC 9901 §8.1).
fn flattened(sd: &SdJwt) -> String {
    let parts: Vec<&str> = sd.issuer_jwt.split('.').collect();
    let mut header = json!({"disclosures": sd.disclosures});
    if let Some(kb) = &sd.key_binding {
        header["kb_jwt"] = json!(kb);
    }
    json!({"protected": parts[0], "payload": parts[1], "signature": parts[2], "header": header})
        .to_string()
}

#[test]
fn every_python_test_case_verifies_to_its_expected_claims() {
    let Some(vectors) = vectors("every_python_test_case_verifies") else {
        return;
    };
    let base = vectors.join("sd-jwt/sd-jwt-python-testcases");
    let settings = Yaml::load_from_str(&read(&base.join("settings.yml")))
        .expect("YAML")
        .remove(0);
    let mut cases: Vec<_> = std::fs::read_dir(&base)
        .expect("folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("specification.yml").is_file())
        .collect();
    cases.sort();
    let mut disclosed = 0;
    for case in &cases {
        disclosed += run_case(case, &settings);
    }
    eprintln!(
        "sd-jwt-python: {} cases, {disclosed} Disclosures presented",
        cases.len()
    );
    assert_eq!(cases.len(), 17);
}
