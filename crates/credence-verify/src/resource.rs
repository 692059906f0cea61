//! The resource-server side: checking a DPoP-bound access token on each
//! request (RFC 9068 token + RFC 9449 proof).

use crate::{validate_access_token, TokenError};
use credence_core::dpop::{access_token_hash, algorithm_for, htu_of, DpopClaims, DPOP_TYP};
use credence_core::{step_digest, AccessTokenClaims};
use credence_store::{AuditLog, AuditRecord};
use ssi::claims::jws;
use ssi::JWK;
use std::collections::HashMap;
use std::sync::Arc;
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
    seen: SeenProofs,
    used_tokens: Mutex<HashMap<String, i64>>,
    audit: Option<(Arc<AuditLog>, String)>,
}

/// DPoP proof ids seen within the acceptance window (single use).
#[derive(Debug, Default)]
pub(crate) struct SeenProofs(Mutex<HashMap<String, i64>>);

impl SeenProofs {
    /// Records `jti`; false when it was seen before.
    fn first_use(&self, jti: String, iat: i64, now: i64) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, iat| *iat + DPOP_WINDOW_SECS >= now);
        seen.insert(jti, iat).is_none()
    }
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
    /// The request body, for per-step tokens bound to one request.
    pub body: &'a [u8],
}

impl ResourceGuard {
    /// A guard for `audience`, trusting tokens from `issuer` signed by
    /// `token_key` (from the verifier's JWKS).
    pub fn new(issuer: &str, audience: &str, token_key: JWK) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            token_key,
            seen: SeenProofs::default(),
            used_tokens: Mutex::new(HashMap::new()),
            audit: None,
        }
    }

    /// Records every allow and deny in `log`, as `actor` (the resource's
    /// identifier), under the token's correlation id.
    pub fn with_audit(mut self, log: Arc<AuditLog>, actor: &str) -> Self {
        self.audit = Some((log, actor.to_owned()));
        self
    }

    /// Checks the request's token and DPoP proof and that the token grants
    /// `scope`, at `now` (Unix seconds); per-step tokens must match the
    /// request and are accepted once. Returns the token's claims. The
    /// decision is audited when a log is attached.
    pub fn check(
        &self,
        request: RequestParts<'_>,
        scope: &str,
        now: i64,
    ) -> Result<AccessTokenClaims, TokenError> {
        let outcome = self.check_unaudited(request, scope, now);
        if let Some((log, actor)) = &self.audit {
            let unverified = request
                .authorization
                .and_then(|a| a.split_once(' '))
                .and_then(|(_, t)| jws::decode_unverified(t.trim()).ok())
                .and_then(|(_, p)| serde_json::from_slice::<AccessTokenClaims>(&p).ok());
            let (decision, reason) = match &outcome {
                Ok(_) => (
                    "allow",
                    format!("{} {} with {scope}", request.method, request.url),
                ),
                Err(e) => ("deny", format!("{}: {e}", e.code())),
            };
            let cid = unverified
                .as_ref()
                .and_then(|c| c.cid.clone())
                .unwrap_or_else(|| "none".into());
            let mut record =
                AuditRecord::new(actor, "resource_access", decision, &cid).reason(reason);
            if let Some(claims) = unverified {
                record.chain = claims.delegation_path();
                record.principal = Some(claims.sub);
            }
            log.append(record)
                .map_err(|e| TokenError::Malformed(format!("audit log unavailable: {e}")))?;
        }
        outcome
    }

    fn check_unaudited(
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
        check_dpop(
            proof,
            token.trim(),
            &claims.cnf.jkt,
            request.method,
            request.url,
            now,
            &self.seen,
        )?;
        if claims.single_use {
            let mut used = self.used_tokens.lock().unwrap_or_else(|p| p.into_inner());
            used.retain(|_, exp| *exp > now);
            if used.insert(claims.jti.clone(), claims.exp).is_some() {
                return Err(TokenError::SingleUseReplay);
            }
        }
        if let Some(step) = &claims.step {
            if *step != step_digest(request.method, request.url, request.body) {
                return Err(TokenError::StepMismatch);
            }
        }
        Ok(claims)
    }
}

/// Checks an RFC 9449 DPoP proof for calling `method` `url` with `token`:
/// `typ`, `alg` fitting the embedded public key, signature, key thumbprint
/// = `jkt`, `htm`, `htu`, `iat` within the window, `ath`, and `jti` not
/// seen before in `seen`.
pub(crate) fn check_dpop(
    proof: &str,
    token: &str,
    jkt_expected: &str,
    method: &str,
    url: &str,
    now: i64,
    seen: &SeenProofs,
) -> Result<(), TokenError> {
    {
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
        if jkt != jkt_expected {
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
        if !seen.first_use(dpop.jti, dpop.iat, now) {
            return Err(TokenError::DpopReplay);
        }
        Ok(())
    }
}
