//! Issuance (RFC 9901 §4–§6): the claims made selectively disclosable
//! where a rule says so — object properties and array elements, nested
//! ones first (recursive Disclosures) — with 128-bit salts, the digests of
//! each object sorted, optional decoy digests, `_sd_alg` `sha-256`, and
//! the payload signed.

use crate::compact::SdJwt;
use crate::digest::{digest, SHA_256};
use crate::disclosure::{Disclosed, Disclosure};
use crate::unpack::Step;
use crate::{jws, SdJwtError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde_json::{Map, Value};
use ssi::JWK;

/// How an issuer signs an SD-JWT.
pub struct Signer<'a> {
    /// The issuer's key (Ed25519 → EdDSA, P-256 → ES256).
    pub key: &'a JWK,
    /// The header `kid` (a DID URL of an assertionMethod key).
    pub kid: Option<&'a str>,
    /// The header `typ` (`dc+sd-jwt` for an SD-JWT VC).
    pub typ: &'a str,
}

/// Issues `claims` as an SD-JWT: every property or element whose path
/// `disclosable` accepts becomes a Disclosure (paths count array indices
/// in `claims` as given), plus `decoys` decoy digests at the top level.
/// Returns the SD-JWT with every Disclosure.
pub fn issue(
    claims: &Map<String, Value>,
    disclosable: &dyn Fn(&[Step]) -> bool,
    decoys: usize,
    signer: &Signer<'_>,
) -> Result<SdJwt, SdJwtError> {
    let mut maker = Maker {
        disclosable,
        disclosures: Vec::new(),
        path: Vec::new(),
    };
    let mut payload = maker.object(claims);
    let sd = payload
        .entry("_sd")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(digests) = sd {
        digests.extend((0..decoys).map(|_| Value::String(digest(&salt()))));
        digests.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        if digests.is_empty() {
            payload.remove("_sd");
        }
    }
    payload.insert("_sd_alg".into(), SHA_256.into());
    let issuer_jwt = jws::sign(&payload, signer.key, signer.typ, signer.kid)?;
    Ok(SdJwt {
        issuer_jwt,
        disclosures: maker.disclosures.into_iter().map(|d| d.text).collect(),
        key_binding: None,
    })
}

/// A fresh 128-bit salt, base64url.
pub fn salt() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

struct Maker<'a> {
    disclosable: &'a dyn Fn(&[Step]) -> bool,
    disclosures: Vec<Disclosure>,
    path: Vec<Step>,
}

impl Maker<'_> {
    fn value(&mut self, value: &Value) -> Value {
        match value {
            Value::Object(object) => Value::Object(self.object(object)),
            Value::Array(array) => Value::Array(self.array(array)),
            other => other.clone(),
        }
    }

    fn object(&mut self, object: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        let mut digests = Vec::new();
        for (key, value) in object {
            self.path.push(Step::Key(key.clone()));
            let inner = self.value(value);
            if (self.disclosable)(&self.path) {
                let d = Disclosure::new(salt(), Disclosed::Property(key.clone(), inner));
                digests.push(Value::String(d.digest.clone()));
                self.disclosures.push(d);
            } else {
                out.insert(key.clone(), inner);
            }
            self.path.pop();
        }
        if !digests.is_empty() {
            digests.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            out.insert("_sd".into(), Value::Array(digests));
        }
        out
    }

    fn array(&mut self, array: &[Value]) -> Vec<Value> {
        let mut out = Vec::with_capacity(array.len());
        for (index, value) in array.iter().enumerate() {
            self.path.push(Step::Index(index));
            let inner = self.value(value);
            if (self.disclosable)(&self.path) {
                let d = Disclosure::new(salt(), Disclosed::Element(inner));
                let mut reference = Map::new();
                reference.insert("...".into(), Value::String(d.digest.clone()));
                out.push(Value::Object(reference));
                self.disclosures.push(d);
            } else {
                out.push(inner);
            }
            self.path.pop();
        }
        out
    }
}
