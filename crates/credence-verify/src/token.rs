//! Minting scoped access tokens (RFC 9068, EdDSA, key-bound) and checking
//! them on the resource side.

use crate::{TokenError, VerifiedPresentation, Verifier, VerifyError};
use credence_core::{AccessTokenClaims, Confirmation, ACCESS_TOKEN_TYP, MAX_TOKEN_TTL_SECS};
use serde_json::{json, Value};
use ssi::claims::jws::{self, Header};
use ssi::jwk::Algorithm;
use ssi::JWK;

/// A minted token with its decoded claims.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: String,
    /// Its claims.
    pub claims: AccessTokenClaims,
}

impl Verifier {
    /// The public key tokens are signed with, as a JWKS document.
    pub fn jwks(&self) -> Value {
        let mut public = self.signing_key.to_public();
        public.key_id = self.signing_key.thumbprint().ok();
        public.algorithm = Some(Algorithm::EdDSA);
        json!({ "keys": [public] })
    }

    /// The public verification key of this verifier's tokens.
    pub fn token_key(&self) -> JWK {
        self.signing_key.to_public()
    }

    /// Mints a token for `audience` carrying the scopes the policy maps the
    /// verified claims to. No scope → no token.
    pub fn mint_token(
        &self,
        verified: &VerifiedPresentation,
        audience: &str,
    ) -> Result<IssuedToken, VerifyError> {
        self.mint_token_narrowed(verified, audience, None)
    }

    /// As [`Verifier::mint_token`], narrowed to `requested` scopes when
    /// given (RFC 8693 `scope`); asking for a scope the policy does not
    /// grant is refused with [`VerifyError::ScopeNotGranted`].
    pub fn mint_token_narrowed(
        &self,
        verified: &VerifiedPresentation,
        audience: &str,
        requested: Option<&[String]>,
    ) -> Result<IssuedToken, VerifyError> {
        if verified.verifier != self.id {
            return Err(VerifyError::AudienceMismatch {
                expected: self.id.clone(),
                found: verified.verifier.clone(),
            });
        }
        let mut grant = self.policy().grant(
            &verified.issuer,
            &verified.credential_type,
            &verified.claims,
            audience,
        );
        if grant.scopes.is_empty() {
            return Err(VerifyError::NoScopeMapped(audience.to_owned()));
        }
        if let Some(requested) = requested {
            let extra: Vec<&str> = requested
                .iter()
                .filter(|s| !grant.scopes.contains(s))
                .map(String::as_str)
                .collect();
            if !extra.is_empty() {
                return Err(VerifyError::ScopeNotGranted(extra.join(" ")));
            }
            grant.scopes.retain(|s| requested.contains(s));
            if grant.scopes.is_empty() {
                return Err(VerifyError::ScopeNotGranted("no scope requested".into()));
            }
        }
        let iat = self.clock.now().timestamp();
        let claims = AccessTokenClaims {
            iss: self.id.clone(),
            sub: verified.holder.clone(),
            aud: audience.to_owned(),
            scope: grant.scopes.join(" "),
            iat,
            exp: iat + grant.ttl_secs.min(MAX_TOKEN_TTL_SECS),
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: verified.holder.clone(),
            cnf: Confirmation {
                jkt: verified.holder_jkt.clone(),
            },
        };
        let payload =
            serde_json::to_string(&claims).map_err(|e| VerifyError::Minting(e.to_string()))?;
        let header = Header {
            algorithm: Algorithm::EdDSA,
            type_: Some(ACCESS_TOKEN_TYP.into()),
            key_id: self.signing_key.thumbprint().ok(),
            ..Default::default()
        };
        let token = jws::encode_sign_custom_header(&payload, &self.signing_key, &header)
            .map_err(|e| VerifyError::Minting(e.to_string()))?;
        Ok(IssuedToken { token, claims })
    }

    /// Verifies a presentation and mints a token for `audience` in one step.
    pub async fn exchange(&self, vp: &Value, audience: &str) -> Result<IssuedToken, VerifyError> {
        let verified = self.verify_presentation(vp).await?;
        self.mint_token(&verified, audience)
    }

    /// The claims of `token` if it is active: minted by this verifier,
    /// signature valid, unexpired and not revoked (RFC 7662 semantics).
    pub fn introspect(&self, token: &str) -> Option<AccessTokenClaims> {
        let now = self.clock.now().timestamp();
        let claims = self.own_token(token).ok()?;
        if now >= claims.exp || self.revoked.contains(&claims.jti, now) {
            return None;
        }
        Some(claims)
    }

    /// Revokes a token this verifier minted (RFC 7009). Tokens that are
    /// not ours, or do not verify, are ignored as the RFC asks.
    pub fn revoke_token(&self, token: &str) {
        if let Ok(claims) = self.own_token(token) {
            self.revoked
                .insert(claims.jti, claims.exp, self.clock.now().timestamp());
        }
    }

    fn own_token(&self, token: &str) -> Result<AccessTokenClaims, TokenError> {
        let (_, payload) = jws::decode_verify(token, &self.signing_key.to_public())
            .map_err(|_| TokenError::BadSignature)?;
        let claims: AccessTokenClaims =
            serde_json::from_slice(&payload).map_err(|e| TokenError::Malformed(e.to_string()))?;
        if claims.iss != self.id {
            return Err(TokenError::WrongIssuer(claims.iss));
        }
        Ok(claims)
    }
}

/// Revoked token ids, each kept until its token would have expired.
#[derive(Debug, Default)]
pub(crate) struct RevokedTokens(std::sync::Mutex<std::collections::HashMap<String, i64>>);

impl RevokedTokens {
    pub fn insert(&self, jti: String, exp: i64, now: i64) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, exp| *exp > now);
        map.insert(jti, exp);
    }

    pub fn contains(&self, jti: &str, now: i64) -> bool {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(jti).is_some_and(|exp| *exp > now)
    }
}

/// Resource-side check: the token is an `at+jwt` signed by `verifier_key`,
/// minted by `issuer` for `audience`, unexpired at `now` (Unix seconds),
/// and grants `required_scope`. Sender-constraint (DPoP against
/// `cnf.jkt`) is the caller's to check with the returned claims.
pub fn validate_access_token(
    token: &str,
    verifier_key: &JWK,
    issuer: &str,
    audience: &str,
    required_scope: &str,
    now: i64,
) -> Result<AccessTokenClaims, TokenError> {
    let (header, _) =
        jws::decode_unverified(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
    if header.algorithm != Algorithm::EdDSA || header.type_.as_deref() != Some(ACCESS_TOKEN_TYP) {
        return Err(TokenError::WrongType(format!(
            "alg {:?}, typ {:?}",
            header.algorithm, header.type_
        )));
    }
    let (_, payload) =
        jws::decode_verify(token, verifier_key).map_err(|_| TokenError::BadSignature)?;
    let claims: AccessTokenClaims =
        serde_json::from_slice(&payload).map_err(|e| TokenError::Malformed(e.to_string()))?;
    if claims.iss != issuer {
        return Err(TokenError::WrongIssuer(claims.iss));
    }
    if claims.aud != audience {
        return Err(TokenError::WrongAudience {
            expected: audience.to_owned(),
            found: claims.aud,
        });
    }
    if now >= claims.exp {
        return Err(TokenError::Expired);
    }
    if claims.iat > now + 30 || claims.exp - claims.iat > MAX_TOKEN_TTL_SECS {
        return Err(TokenError::InvalidTimes(format!(
            "iat {} exp {}",
            claims.iat, claims.exp
        )));
    }
    if !claims.scopes().contains(&required_scope) {
        return Err(TokenError::InsufficientScope(required_scope.to_owned()));
    }
    Ok(claims)
}
