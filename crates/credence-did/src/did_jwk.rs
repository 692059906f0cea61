//! did:jwk identifiers (github.com/quartzjer/did-jwk, spec.md): which
//! JWKs Credence resolves, how they are checked, and which verification
//! relationships each is granted.
//!
//! ssi 0.16 (did-jwk 0.4) lists the key `#0` under every relationship
//! whatever the JWK says. The spec: "If the JWK contains a `use` property
//! with the value "sig" then the `keyAgreement` property is not included
//! in the DID Document. If the `use` value is "enc" then only the
//! `keyAgreement` property is included", and the `use` should match the
//! curve (Ed25519 only signs, X25519 only agrees keys). Here the granted
//! relationships are what `use` allows *and* what the curve can do.

use crate::relationship::{AGREEMENT, RELATIONSHIPS, SIGNING};
use crate::DidError;
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::{Map, Value};
use ssi::JWK;

/// JWK members holding private or secret key material (RFC 7518 §6.2.2,
/// §6.3.2, §6.4.1; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A checked did:jwk identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JwkDid {
    /// The relationships its one method `#0` is listed under.
    pub(crate) relationships: Vec<&'static str>,
    /// Whether ssi must express the key as `JsonWebKey2020` (X25519, which
    /// ssi cannot encode as a Multikey) rather than its default Multikey.
    pub(crate) json_web_key: bool,
}

/// The key types Credence resolves in a did:jwk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    Ed25519,
    X25519,
    P256,
}

impl Curve {
    /// What the curve can do (RFC 8037 §3.1–3.2; ECDSA and ECDH on P-256).
    fn capability(self) -> &'static [&'static str] {
        match self {
            Self::Ed25519 => SIGNING,
            Self::X25519 => AGREEMENT,
            Self::P256 => &RELATIONSHIPS,
        }
    }
}

/// A JSON object whose member names are unique (RFC 7517 §4: a JWK with
/// duplicate members is rejected, so that no two readers see different
/// `use` values).
struct UniqueObject(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueObject, A::Error> {
                let mut members = Map::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    if members.contains_key(&name) {
                        return Err(A::Error::custom(format!("duplicate member `{name}`")));
                    }
                    members.insert(name, value);
                }
                Ok(UniqueObject(members))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Checks a did:jwk identifier: base64url without padding of a UTF-8 JSON
/// object with unique members, a public JWK (no private or symmetric key
/// material) of an Ed25519, X25519 or P-256 key that is valid, with a
/// `use` that is absent or a string.
pub(crate) fn parse(did: &str) -> Result<JwkDid, DidError> {
    let fail = |reason: String| DidError::failed(did, reason);
    let id = did
        .strip_prefix("did:jwk:")
        .ok_or_else(|| fail("not a did:jwk DID".into()))?;
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(fail("the method-specific id is not base64url".into()));
    }
    let bytes = multibase::Base::Base64Url
        .decode(id)
        .map_err(|e| fail(format!("not base64url: {e}")))?;
    let UniqueObject(jwk) =
        serde_json::from_slice(&bytes).map_err(|e| fail(format!("not a JWK: {e}")))?;
    if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
        return Err(fail(format!(
            "the JWK holds private key material (`{member}`)"
        )));
    }
    let curve = curve_of(&jwk).map_err(fail)?;
    check_key(curve, &jwk).map_err(fail)?;
    let by_use: &[&str] = match jwk.get("use") {
        None => &RELATIONSHIPS,
        Some(Value::String(u)) if u == "sig" => SIGNING,
        Some(Value::String(u)) if u == "enc" => AGREEMENT,
        // A use the spec does not define grants nothing.
        Some(Value::String(_)) => &[],
        Some(_) => return Err(fail("the JWK's `use` is not a string".into())),
    };
    Ok(JwkDid {
        relationships: RELATIONSHIPS
            .into_iter()
            .filter(|r| by_use.contains(r) && curve.capability().contains(r))
            .collect(),
        json_web_key: curve == Curve::X25519,
    })
}

fn curve_of(jwk: &Map<String, Value>) -> Result<Curve, String> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    match (member("kty"), member("crv")) {
        (Some("OKP"), Some("Ed25519")) => Ok(Curve::Ed25519),
        (Some("OKP"), Some("X25519")) => Ok(Curve::X25519),
        (Some("EC"), Some("P-256")) => Ok(Curve::P256),
        (Some("oct"), _) => Err("a symmetric (`oct`) JWK is secret key material".into()),
        (None, _) => Err("the JWK has no `kty`".into()),
        (Some(kty), crv) => Err(format!(
            "unsupported JWK key type {kty} {} (resolved here: OKP Ed25519, OKP X25519, EC P-256)",
            crv.unwrap_or("without crv")
        )),
    }
}

/// Checks that the JWK holds a valid public key of `curve`.
fn check_key(curve: Curve, jwk: &Map<String, Value>) -> Result<(), String> {
    let x = jwk
        .get("x")
        .and_then(Value::as_str)
        .ok_or("the JWK has no `x`")?;
    let x = multibase::Base::Base64Url
        .decode(x)
        .map_err(|e| format!("`x` is not base64url: {e}"))?;
    // Ed25519 and X25519 keys, and P-256 coordinates, are 32 bytes.
    if x.len() != 32 {
        return Err(format!("`x` is {} bytes, not 32", x.len()));
    }
    if curve == Curve::X25519 {
        // Every 32-byte string is an X25519 public value (RFC 7748 §5).
        return Ok(());
    }
    // ssi's own encoder and decoder validate the point: Ed25519 by
    // decompression, P-256 by its SEC1 encoding (both coordinates).
    let key: JWK = serde_json::from_value(Value::Object(jwk.clone()))
        .map_err(|e| format!("not a JWK: {e}"))?;
    let encoded = key.to_multicodec().map_err(|e| e.to_string())?;
    JWK::from_multicodec(&encoded)
        .map(|_| ())
        .map_err(|e| format!("not a valid public key: {e}"))
}
