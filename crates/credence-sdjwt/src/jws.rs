//! The compact JWS under every SD-JWT part (issuer-signed JWT, KB-JWT,
//! status list token), through ssi's JWS: header read first (for `typ`,
//! `alg` and the key to use), then the signature checked with one key.
//! Only EdDSA (Ed25519) and ES256 (P-256), each with its own key type; no
//! `crit`, no unencoded payload.

use crate::SdJwtError;
use serde_json::{Map, Value};
use ssi::claims::jws::{self, Header};
use ssi::jwk::{Algorithm, Params};
use ssi::JWK;

/// The JWS algorithm for `key`: EdDSA for Ed25519, ES256 for P-256.
pub fn algorithm_for(key: &JWK) -> Option<Algorithm> {
    match &key.params {
        Params::OKP(p) if p.curve == "Ed25519" => Some(Algorithm::EdDSA),
        Params::EC(p) if p.curve.as_deref() == Some("P-256") => Some(Algorithm::ES256),
        _ => None,
    }
}

/// The header of `jwt`, unverified, after the checks that need no key:
/// `typ` is one of `typ` (compared exactly), the algorithm is EdDSA or
/// ES256, no `crit` and no `b64`.
pub fn header_of(jwt: &str, typ: &[&str]) -> Result<Header, SdJwtError> {
    let (header, _) =
        jws::decode_unverified(jwt).map_err(|e| SdJwtError::Malformed(format!("JWS: {e}")))?;
    let found = header.type_.clone().unwrap_or_default();
    if !typ.contains(&found.as_str()) {
        return Err(SdJwtError::WrongType {
            expected: typ.join(" or "),
            found,
        });
    }
    if !matches!(header.algorithm, Algorithm::EdDSA | Algorithm::ES256) {
        return Err(SdJwtError::UnsupportedAlgorithm(format!(
            "{:?}",
            header.algorithm
        )));
    }
    if header.critical.is_some() || header.base64urlencode_payload.is_some() {
        return Err(SdJwtError::Malformed("JWS with crit or b64 header".into()));
    }
    Ok(header)
}

/// Verifies `jwt` with `key` (whose type must fit the header's `alg`) and
/// returns its header and claims; `bad_signature` is the error when the
/// signature does not verify.
pub fn verify(
    jwt: &str,
    key: &JWK,
    typ: &[&str],
    bad_signature: SdJwtError,
) -> Result<(Header, Map<String, Value>), SdJwtError> {
    let header = header_of(jwt, typ)?;
    if algorithm_for(key) != Some(header.algorithm) {
        return Err(SdJwtError::UnsupportedAlgorithm(format!(
            "{:?} with this key",
            header.algorithm
        )));
    }
    let (_, payload) = jws::decode_verify(jwt, key).map_err(|_| bad_signature)?;
    let claims = match crate::strict_json::from_slice(&payload) {
        Ok(Value::Object(claims)) => claims,
        Ok(_) => {
            return Err(SdJwtError::Malformed(
                "JWT claims are not a JSON object".into(),
            ))
        }
        Err(e) => return Err(SdJwtError::Malformed(format!("JWT claims: {e}"))),
    };
    Ok((header, claims))
}

/// Signs `claims` with `key` (EdDSA or ES256, by key type), header `typ`
/// and `kid` when given.
pub fn sign(
    claims: &Map<String, Value>,
    key: &JWK,
    typ: &str,
    kid: Option<&str>,
) -> Result<String, SdJwtError> {
    let algorithm = algorithm_for(key)
        .ok_or_else(|| SdJwtError::Signing("key is neither Ed25519 nor P-256".into()))?;
    let header = Header {
        algorithm,
        type_: Some(typ.to_owned()),
        key_id: kid.map(str::to_owned),
        ..Default::default()
    };
    let payload = serde_json::to_string(claims).map_err(|e| SdJwtError::Signing(e.to_string()))?;
    jws::encode_sign_custom_header(&payload, key, &header)
        .map_err(|e| SdJwtError::Signing(e.to_string()))
}
