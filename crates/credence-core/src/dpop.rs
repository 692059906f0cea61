//! DPoP proofs (RFC 9449): how an agent proves, on each request, that it
//! holds the key its access token is bound to. This module builds proofs;
//! `credence-verify` checks them.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ssi::claims::jws::{self, Header};
use ssi::jwk::{Algorithm, Params};
use ssi::JWK;

/// The JOSE `typ` of a DPoP proof.
pub const DPOP_TYP: &str = "dpop+jwt";

/// The claims of a DPoP proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpopClaims {
    /// Unique proof id (single use).
    pub jti: String,
    /// HTTP method of the request.
    pub htm: String,
    /// HTTP URL of the request, without query and fragment.
    pub htu: String,
    /// Creation time (Unix seconds).
    pub iat: i64,
    /// base64url SHA-256 of the access token, when one is presented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ath: Option<String>,
}

/// Why a DPoP proof could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot create a DPoP proof: {0}")]
pub struct DpopError(String);

/// base64url(SHA-256(access token)), the `ath` claim.
pub fn access_token_hash(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// `url` without its query and fragment, as `htu` wants it.
pub fn htu_of(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The JWS algorithm for a key (EdDSA for Ed25519, ES256 for P-256).
pub fn algorithm_for(key: &JWK) -> Option<Algorithm> {
    match &key.params {
        Params::OKP(p) if p.curve == "Ed25519" => Some(Algorithm::EdDSA),
        Params::EC(p) if p.curve.as_deref() == Some("P-256") => Some(Algorithm::ES256),
        _ => None,
    }
}

/// A DPoP proof for `method` `url`, signed by `key` (the key the token is
/// bound to), covering `access_token` when given, made at `iat`.
pub fn dpop_proof(
    key: &JWK,
    method: &str,
    url: &str,
    access_token: Option<&str>,
    iat: i64,
) -> Result<String, DpopError> {
    let algorithm = algorithm_for(key).ok_or_else(|| DpopError("unsupported key type".into()))?;
    let claims = DpopClaims {
        jti: crate::request::fresh_nonce(),
        htm: method.to_ascii_uppercase(),
        htu: htu_of(url).to_owned(),
        iat,
        ath: access_token.map(access_token_hash),
    };
    let header = Header {
        algorithm,
        type_: Some(DPOP_TYP.into()),
        jwk: Some(key.to_public()),
        ..Default::default()
    };
    let payload = serde_json::to_string(&claims).map_err(|e| DpopError(e.to_string()))?;
    jws::encode_sign_custom_header(&payload, key, &header).map_err(|e| DpopError(e.to_string()))
}
