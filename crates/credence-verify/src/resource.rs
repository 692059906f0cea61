//! The resource-server side: checking a DPoP-bound access token on each
//! request (RFC 9068 token + RFC 9449 proof).

use crate::{validate_access_token, TokenError};
use credence_core::dpop::{access_token_hash, algorithm_for, htu_of, DpopClaims, DPOP_TYP};
use credence_core::AccessTokenClaims;
use ssi::claims::jws;
use ssi::JWK;
use std::collections::HashMap;
use std::sync::Mutex;

/// How far a DPoP proof's `iat` may be from the resource's clock.
pub const DPOP_WINDOW_SECS: i64 = 60;

/// Guards one resource: accepts only tokens minted by `issuer` (checked
/// with its key) for this `audience`, presented with a fresh DPoP proof
/// by the key the token is bound to.
#[derive(Debug)]
pub struct ResourceGuard {
    issuer: String,
    audience: String,
    token_key: JWK,
    seen: Mutex<HashMap<String, i64>>,
}

/// A request as the guard needs to see it.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The `DPoP` header, if any.
    pub dpop: Option<&'a str>,
    /// The HTTP method.
    pub method: &'a str,
    /// The full URL the client called (scheme, host, path).
    pub url: &'a str,
}

impl ResourceGuard {
    /// A guard for `audience`, trusting tokens from `issuer` signed by
    /// `token_key` (from the verifier's JWKS).
    pub fn new(issuer: &str, audience: &str, token_key: JWK) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            token_key,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Checks the request's token and DPoP proof and that the token grants
    /// `scope`, at `now` (Unix seconds). Returns the token's claims.
    pub fn check(
        &self,
        request: RequestParts<'_>,
        scope: &str,
        now: i64,
    ) -> Result<AccessTokenClaims, TokenError> {
        let authorization = request
            .authorization
            .ok_or_else(|| TokenError::Malformed("no Authorization header".into()))?;
        let (scheme, token) = authorization
            .split_once(' ')
            .ok_or_else(|| TokenError::Malformed("Authorization: DPoP <token> expected".into()))?;
        let claims = validate_access_token(
            token.trim(),
            &self.token_key,
            &self.issuer,
            &self.audience,
            scope,
            now,
        )?;
        if !scheme.eq_ignore_ascii_case("DPoP") {
            return Err(TokenError::DpopMissing);
        }
        let proof = request.dpop.ok_or(TokenError::DpopMissing)?;
        self.check_proof(
            proof,
            token.trim(),
            &claims,
            request.method,
            request.url,
            now,
        )?;
        Ok(claims)
    }

    fn check_proof(
        &self,
        proof: &str,
        token: &str,
        claims: &AccessTokenClaims,
        method: &str,
        url: &str,
        now: i64,
    ) -> Result<(), TokenError> {
        let invalid = |m: &str| TokenError::DpopInvalid(m.to_owned());
        let (header, _) = jws::decode_unverified(proof).map_err(|e| invalid(&e.to_string()))?;
        if header.type_.as_deref() != Some(DPOP_TYP) {
            return Err(invalid("typ must be dpop+jwt"));
        }
        let key = header.jwk.ok_or_else(|| invalid("no jwk in the header"))?;
        if !key.is_public() {
            return Err(invalid("the header jwk must be a public key"));
        }
        if algorithm_for(&key) != Some(header.algorithm) {
            return Err(invalid("alg does not fit the key"));
        }
        let (_, payload) = jws::decode_verify(proof, &key).map_err(|_| invalid("bad signature"))?;
        let dpop: DpopClaims =
            serde_json::from_slice(&payload).map_err(|e| invalid(&e.to_string()))?;
        let jkt = key.thumbprint().map_err(|e| invalid(&e.to_string()))?;
        if jkt != claims.cnf.jkt {
            return Err(TokenError::DpopKeyMismatch);
        }
        if !dpop.htm.eq_ignore_ascii_case(method) {
            return Err(invalid(&format!("proof is for {}, not {method}", dpop.htm)));
        }
        if dpop.htu != htu_of(url) {
            return Err(invalid(&format!(
                "proof is for {}, not {}",
                dpop.htu,
                htu_of(url)
            )));
        }
        if (dpop.iat - now).abs() > DPOP_WINDOW_SECS {
            return Err(invalid("iat is outside the accepted window"));
        }
        if dpop.ath.as_deref() != Some(access_token_hash(token).as_str()) {
            return Err(invalid("ath does not match the access token"));
        }
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, iat| *iat + DPOP_WINDOW_SECS >= now);
        if seen.insert(dpop.jti, dpop.iat).is_some() {
            return Err(TokenError::DpopReplay);
        }
        Ok(())
    }
}
