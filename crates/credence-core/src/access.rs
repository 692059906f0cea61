//! Checking Credence access tokens (RFC 9068) and DPoP proofs (RFC 9449):
//! pure functions over the token, the verifier's public key and the clock,
//! shared by the resource side (`credence-resource`) and the verifier's
//! per-step exchange. Replay sets (DPoP `jti`, single-use tokens) are the
//! caller's state; these functions only report what must be recorded.

use crate::dpop::{access_token_hash, algorithm_for, htu_of, DpopClaims, DPOP_TYP};
use crate::{AccessTokenClaims, ACCESS_TOKEN_TYP, MAX_TOKEN_TTL_SECS};
use ssi::claims::jws;
use ssi::jwk::Algorithm;
use ssi::JWK;

/// How far a DPoP proof's `iat` may be from the checking clock, and how far
/// a token's `iat` may lie in the future.
pub const DPOP_WINDOW_SECS: i64 = 60;

/// How far a token's `iat` may be ahead of the checking clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 60;

/// Why a resource server refused an access token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a compact JWS with a JSON payload of the expected claims.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header is not `typ: at+jwt`, `alg: EdDSA`.
    #[error("wrong token type or algorithm: {0}")]
    WrongType(String),
    /// The signature does not verify with the verifier's key.
    #[error("bad token signature")]
    BadSignature,
    /// Signed with a key (`kid`) the checker does not know.
    #[error("token signed with unknown key {0}")]
    UnknownKey(String),
    /// Minted by someone else.
    #[error("token issued by {0}")]
    WrongIssuer(String),
    /// Minted for another audience.
    #[error("token is for audience {found}, not {expected}")]
    WrongAudience {
        /// The resource checking the token.
        expected: String,
        /// The token's audience.
        found: String,
    },
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
    /// `iat` is in the future, or the lifetime exceeds the maximum.
    #[error("token times are invalid: {0}")]
    InvalidTimes(String),
    /// The token lacks the scope the operation needs.
    #[error("insufficient scope: `{0}` required")]
    InsufficientScope(String),
    /// The token was revoked or is otherwise no longer active.
    #[error("token is not active")]
    Inactive,
    /// A DPoP proof is required and absent.
    #[error("DPoP proof missing")]
    DpopMissing,
    /// The DPoP proof is malformed, or for another method, URL or token.
    #[error("invalid DPoP proof: {0}")]
    DpopInvalid(String),
    /// The DPoP proof's `jti` was seen before.
    #[error("DPoP proof replayed")]
    DpopReplay,
    /// The DPoP proof is signed by a key other than the token's `cnf.jkt`.
    #[error("DPoP proof signed by another key than the token is bound to")]
    DpopKeyMismatch,
    /// A single-use (per-step) token was presented a second time.
    #[error("single-use token already used")]
    SingleUseReplay,
    /// The request is not the plan step the token was minted for.
    #[error("request does not match the approved plan step")]
    StepMismatch,
    /// The decision could not be written to the audit log, so it is refused.
    #[error("audit log unavailable: {0}")]
    AuditFailed(String),
    /// The replay state could not be read or written, so it is refused.
    #[error("replay state unavailable: {0}")]
    StateUnavailable(String),
}

impl TokenError {
    /// A stable snake_case name for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::WrongType(_) => "wrong_type",
            Self::BadSignature => "bad_signature",
            Self::UnknownKey(_) => "unknown_key",
            Self::WrongIssuer(_) => "wrong_issuer",
            Self::WrongAudience { .. } => "wrong_audience",
            Self::Expired => "expired",
            Self::InvalidTimes(_) => "invalid_times",
            Self::InsufficientScope(_) => "insufficient_scope",
            Self::Inactive => "inactive",
            Self::DpopMissing => "dpop_missing",
            Self::DpopInvalid(_) => "dpop_invalid",
            Self::DpopReplay => "dpop_replay",
            Self::DpopKeyMismatch => "dpop_key_mismatch",
            Self::SingleUseReplay => "single_use_replay",
            Self::StepMismatch => "step_mismatch",
            Self::AuditFailed(_) => "audit_failed",
            Self::StateUnavailable(_) => "temporarily_unavailable",
        }
    }
}

/// Decodes an access token signed by `key`: header `typ: at+jwt` and
/// `alg: EdDSA`, a valid signature, the claims Credence mints. Nothing
/// about issuer, audience or time is checked here.
pub fn decode_access_token(token: &str, key: &JWK) -> Result<AccessTokenClaims, TokenError> {
    let (header, _) =
        jws::decode_unverified(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
    if header.algorithm != Algorithm::EdDSA || header.type_.as_deref() != Some(ACCESS_TOKEN_TYP) {
        return Err(TokenError::WrongType(format!(
            "alg {:?}, typ {:?}",
            header.algorithm, header.type_
        )));
    }
    let (_, payload) = jws::decode_verify(token, key).map_err(|_| TokenError::BadSignature)?;
    serde_json::from_slice(&payload).map_err(|e| TokenError::Malformed(e.to_string()))
}

/// The `kid` in a compact token's header, if any.
pub fn token_kid(token: &str) -> Result<Option<String>, TokenError> {
    let (header, _) =
        jws::decode_unverified(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
    Ok(header.key_id)
}

/// The key of `keys` (a token service's JWKS) that `token` names by
/// `kid` (a key's `kid`, or its RFC 7638 thumbprint); a token without
/// `kid` only when there is one key. A `kid` not among them is
/// [`TokenError::UnknownKey`]: the caller may refresh the JWKS once.
pub fn key_for_token<'k>(token: &str, keys: &'k [JWK]) -> Result<&'k JWK, TokenError> {
    let kid = token_kid(token)?;
    let named = |k: &&JWK| {
        let id = k
            .key_id
            .clone()
            .or_else(|| k.thumbprint().ok().map(|t| t.to_string()));
        id == kid
    };
    match (&kid, keys) {
        (None, [only]) => Ok(only),
        (None, _) => Err(TokenError::Malformed("no kid, and several keys".into())),
        (Some(kid), _) => keys.iter().find(named).ok_or_else(|| {
            // Unverified text: bounded and printable before it is shown.
            let shown: String = kid
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(64)
                .collect();
            TokenError::UnknownKey(shown)
        }),
    }
}

/// Checks a token's times at `now` (Unix seconds): unexpired, `iat` at most
/// [`MAX_CLOCK_SKEW_SECS`] ahead, and a lifetime within [`MAX_TOKEN_TTL_SECS`].
pub fn check_token_times(claims: &AccessTokenClaims, now: i64) -> Result<(), TokenError> {
    if now >= claims.exp {
        return Err(TokenError::Expired);
    }
    if claims.iat > now.saturating_add(MAX_CLOCK_SKEW_SECS)
        || claims.exp <= claims.iat
        || claims.exp.saturating_sub(claims.iat) > MAX_TOKEN_TTL_SECS
    {
        return Err(TokenError::InvalidTimes(format!(
            "iat {} exp {}",
            claims.iat, claims.exp
        )));
    }
    Ok(())
}

/// Resource-side check: the token is an `at+jwt` signed by `verifier_key`,
/// minted by `issuer` for `audience`, valid at `now` (Unix seconds) per
/// [`check_token_times`], and grants `required_scope`. Sender-constraint
/// (DPoP against `cnf.jkt`) is the caller's to check with the returned
/// claims ([`verify_dpop`]).
pub fn validate_access_token(
    token: &str,
    verifier_key: &JWK,
    issuer: &str,
    audience: &str,
    required_scope: &str,
    now: i64,
) -> Result<AccessTokenClaims, TokenError> {
    let claims = authenticate_access_token(token, verifier_key, issuer, audience, now)?;
    if !claims.scopes().contains(&required_scope) {
        return Err(TokenError::InsufficientScope(required_scope.to_owned()));
    }
    Ok(claims)
}

/// [`validate_access_token`] without the scope check, for a resource that
/// decides per operation which scope it needs (an MCP server's tools):
/// signature, issuer, audience and times.
pub fn authenticate_access_token(
    token: &str,
    verifier_key: &JWK,
    issuer: &str,
    audience: &str,
    now: i64,
) -> Result<AccessTokenClaims, TokenError> {
    let claims = decode_access_token(token, verifier_key)?;
    if claims.iss != issuer {
        return Err(TokenError::WrongIssuer(claims.iss));
    }
    if claims.aud != audience {
        return Err(TokenError::WrongAudience {
            expected: audience.to_owned(),
            found: claims.aud,
        });
    }
    check_token_times(&claims, now)?;
    Ok(claims)
}

/// Checks an RFC 9449 DPoP proof for calling `method` `url` with `token`:
/// `typ`, `alg` fitting the embedded public key, signature, key thumbprint
/// = `jkt`, `htm`, `htu`, `iat` within [`DPOP_WINDOW_SECS`] of `now`, and
/// `ath`. Returns the proof's claims: the caller must then record its
/// `jti` and refuse one seen before ([`TokenError::DpopReplay`]).
pub fn verify_dpop(
    proof: &str,
    token: &str,
    jkt_expected: &str,
    method: &str,
    url: &str,
    now: i64,
) -> Result<DpopClaims, TokenError> {
    verify_dpop_for(proof, Some(token), jkt_expected, (method, url), now)
}

/// Checks a DPoP proof sent to a token endpoint (RFC 9449 §5), where no
/// access token exists yet: as [`verify_dpop`], with no `ath` allowed.
/// The caller records the `jti` the same way.
pub fn verify_token_request_dpop(
    proof: &str,
    jkt_expected: &str,
    method: &str,
    url: &str,
    now: i64,
) -> Result<DpopClaims, TokenError> {
    verify_dpop_for(proof, None, jkt_expected, (method, url), now)
}

fn verify_dpop_for(
    proof: &str,
    token: Option<&str>,
    jkt_expected: &str,
    (method, url): (&str, &str),
    now: i64,
) -> Result<DpopClaims, TokenError> {
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
    let dpop: DpopClaims = serde_json::from_slice(&payload).map_err(|e| invalid(&e.to_string()))?;
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
    if dpop.iat.abs_diff(now) > DPOP_WINDOW_SECS.unsigned_abs() {
        return Err(invalid("iat is outside the accepted window"));
    }
    if dpop.ath.as_deref() != token.map(access_token_hash).as_deref() {
        return Err(invalid(match token {
            Some(_) => "ath does not match the access token",
            None => "a proof to the token endpoint carries no ath",
        }));
    }
    Ok(dpop)
}
