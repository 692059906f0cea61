//! Verification of an SD-JWT (RFC 9901 §7.1 and §7.3): the issuer-signed
//! JWT's `typ`, algorithm and signature with the issuer's key; `_sd_alg`;
//! every Disclosure ([`crate::unpack`]); `exp`, `nbf`, `iat`; the holder
//! key `cnf.jwk`; and, when the verifier asks for it, the KB-JWT.

use crate::compact::SdJwt;
use crate::digest::check_sd_alg;
use crate::disclosure::Disclosure;
use crate::key_binding::{verify_key_binding, KeyBinding, KeyBindingCheck};
use crate::unpack::{unpack, Placed};
use crate::{jws, SdJwtError};
use serde_json::{Map, Value};
use ssi::claims::jws::Header;
use ssi::JWK;

/// What a verification requires.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The accepted `typ` values of the issuer-signed JWT's header.
    pub typ: Vec<String>,
    /// The verifier's time, Unix seconds.
    pub now: i64,
    /// How far ahead of `now` an `iat` or `nbf` may be (clock skew).
    pub max_ahead: i64,
    /// `Some`: a KB-JWT is required and checked against this (the SD-JWT
    /// must carry `cnf.jwk`). `None`: no key binding is required, and a
    /// KB-JWT presented is not checked (nor reported).
    pub key_binding: Option<KeyBindingCheck>,
}

/// The issuer and key an SD-JWT names, unverified: what the caller
/// resolves the issuer's key from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerHint {
    /// The payload's `iss`, if a string.
    pub iss: Option<String>,
    /// The header's `kid`.
    pub kid: Option<String>,
}

/// A verified SD-JWT.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The issuer-signed JWT's header.
    pub header: Header,
    /// The claims with the presented Disclosures applied.
    pub claims: Map<String, Value>,
    /// Where each Disclosure's value landed.
    pub placed: Vec<Placed>,
    /// The holder key (`cnf.jwk`), if any.
    pub holder_key: Option<JWK>,
    /// The verified KB-JWT's claims, when key binding was required.
    pub key_binding: Option<KeyBinding>,
}

impl SdJwt {
    /// The issuer and key id the SD-JWT names (not verified).
    pub fn issuer_hint(&self, typ: &[&str]) -> Result<IssuerHint, SdJwtError> {
        let header = jws::header_of(&self.issuer_jwt, typ)?;
        let (_, payload) = ssi::claims::jws::decode_unverified(&self.issuer_jwt)
            .map_err(|e| SdJwtError::Malformed(format!("JWS: {e}")))?;
        let payload: Value = serde_json::from_slice(&payload)
            .map_err(|e| SdJwtError::Malformed(format!("JWT claims: {e}")))?;
        Ok(IssuerHint {
            iss: payload
                .get("iss")
                .and_then(Value::as_str)
                .map(str::to_owned),
            kid: header.key_id,
        })
    }

    /// Verifies the SD-JWT with the issuer's key `issuer_key`.
    pub fn verify(
        &self,
        issuer_key: &JWK,
        options: &VerifyOptions,
    ) -> Result<Verified, SdJwtError> {
        let typ: Vec<&str> = options.typ.iter().map(String::as_str).collect();
        let (header, payload) = jws::verify(
            &self.issuer_jwt,
            issuer_key,
            &typ,
            SdJwtError::BadIssuerSignature,
        )?;
        check_sd_alg(payload.get("_sd_alg"))?;
        let disclosures = self
            .disclosures
            .iter()
            .map(|d| Disclosure::decode(d))
            .collect::<Result<Vec<_>, _>>()?;
        let unpacked = unpack(&payload, &disclosures)?;
        check_times(&unpacked.claims, options.now, options.max_ahead)?;
        let holder_key = holder_key(&unpacked.claims)?;
        let key_binding = match &options.key_binding {
            None => None,
            Some(check) => {
                let holder = holder_key.as_ref().ok_or_else(|| {
                    SdJwtError::NoHolderKey("no cnf.jwk in the credential".into())
                })?;
                let kb = self
                    .key_binding
                    .as_deref()
                    .ok_or(SdJwtError::KeyBindingMissing)?;
                Some(verify_key_binding(
                    kb,
                    holder,
                    &self.without_key_binding(),
                    check,
                )?)
            }
        };
        Ok(Verified {
            header,
            claims: unpacked.claims,
            placed: unpacked.placed,
            holder_key,
            key_binding,
        })
    }
}

/// `exp` past, `nbf` or `iat` ahead of `now` (beyond `max_ahead`): refused;
/// each, when present, must be a number.
pub fn check_times(
    claims: &Map<String, Value>,
    now: i64,
    max_ahead: i64,
) -> Result<(), SdJwtError> {
    let time = |name: &str| -> Result<Option<i64>, SdJwtError> {
        match claims.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| SdJwtError::MissingClaim(name.into())),
        }
    };
    if let Some(exp) = time("exp")? {
        if now >= exp {
            return Err(SdJwtError::Expired(exp));
        }
    }
    for name in ["nbf", "iat"] {
        if let Some(t) = time(name)? {
            if t > now.saturating_add(max_ahead) {
                return Err(SdJwtError::NotYetValid(t));
            }
        }
    }
    Ok(())
}

/// The holder key `cnf.jwk`: absent `cnf` is no key; a `cnf` without a
/// public Ed25519 or P-256 `jwk` is refused.
fn holder_key(claims: &Map<String, Value>) -> Result<Option<JWK>, SdJwtError> {
    let Some(cnf) = claims.get("cnf") else {
        return Ok(None);
    };
    let jwk = cnf
        .get("jwk")
        .ok_or_else(|| SdJwtError::NoHolderKey("cnf has no jwk".into()))?;
    let key: JWK = serde_json::from_value(jwk.clone())
        .map_err(|e| SdJwtError::NoHolderKey(format!("cnf.jwk: {e}")))?;
    if !key.is_public() || jws::algorithm_for(&key).is_none() {
        return Err(SdJwtError::NoHolderKey(
            "cnf.jwk is not a public Ed25519 or P-256 key".into(),
        ));
    }
    Ok(Some(key))
}
