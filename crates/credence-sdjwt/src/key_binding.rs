//! Key binding (RFC 9901 §4.3, §7.3): the KB-JWT, signed by the holder's
//! key (`cnf.jwk`), binds the presentation to the verifier's `nonce` and
//! `aud`, to a time (`iat`), and to the exact SD-JWT presented (`sd_hash`).

use crate::digest::digest;
use crate::jws;
use crate::SdJwtError;
use serde_json::{Map, Value};
use ssi::JWK;

/// The `typ` of a KB-JWT.
pub const KB_JWT_TYP: &str = "kb+jwt";

/// What the verifier expects of a KB-JWT.
#[derive(Debug, Clone)]
pub struct KeyBindingCheck {
    /// The verifier's nonce for this presentation.
    pub nonce: String,
    /// The verifier's identifier (its client id).
    pub audience: String,
    /// The verifier's time, Unix seconds.
    pub now: i64,
    /// How old `iat` may be, in seconds.
    pub max_age: i64,
    /// How far ahead `iat` may be (clock skew), in seconds.
    pub max_ahead: i64,
}

/// A verified KB-JWT's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    /// Its `nonce`.
    pub nonce: String,
    /// Its `aud`.
    pub audience: String,
    /// Its `iat`.
    pub iat: i64,
}

/// Verifies `kb_jwt` for the SD-JWT `presented` (its compact form up to and
/// including the last `~`), signed by `holder`.
pub fn verify_key_binding(
    kb_jwt: &str,
    holder: &JWK,
    presented: &str,
    check: &KeyBindingCheck,
) -> Result<KeyBinding, SdJwtError> {
    let (_, claims) = jws::verify(
        kb_jwt,
        holder,
        &[KB_JWT_TYP],
        SdJwtError::KeyBindingSignature,
    )?;
    let nonce = string(&claims, "nonce")?;
    let audience = string(&claims, "aud")?;
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| SdJwtError::MissingClaim("iat".into()))?;
    let sd_hash = string(&claims, "sd_hash")?;
    if nonce != check.nonce {
        return Err(SdJwtError::NonceMismatch);
    }
    if audience != check.audience {
        return Err(SdJwtError::AudienceMismatch(audience));
    }
    if iat < check.now.saturating_sub(check.max_age)
        || iat > check.now.saturating_add(check.max_ahead)
    {
        return Err(SdJwtError::StaleKeyBinding {
            iat,
            now: check.now,
        });
    }
    if sd_hash != digest(presented) {
        return Err(SdJwtError::SdHashMismatch);
    }
    Ok(KeyBinding {
        nonce,
        audience,
        iat,
    })
}

/// A KB-JWT by `holder` for `presented` (the SD-JWT up to its last `~`).
pub fn key_binding_jwt(
    holder: &JWK,
    presented: &str,
    nonce: &str,
    audience: &str,
    iat: i64,
) -> Result<String, SdJwtError> {
    let mut claims = Map::new();
    claims.insert("nonce".into(), nonce.into());
    claims.insert("aud".into(), audience.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("sd_hash".into(), digest(presented).into());
    jws::sign(&claims, holder, KB_JWT_TYP, None)
}

fn string(claims: &Map<String, Value>, name: &str) -> Result<String, SdJwtError> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| SdJwtError::MissingClaim(name.into()))
}
