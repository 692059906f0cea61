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
        if verified.verifier != self.id {
            return Err(VerifyError::AudienceMismatch {
                expected: self.id.clone(),
                found: verified.verifier.clone(),
            });
        }
        let grant = self.policy.grant(
            &verified.issuer,
            &verified.credential_type,
            &verified.claims,
            audience,
        );
        if grant.scopes.is_empty() {
            return Err(VerifyError::NoScopeMapped(audience.to_owned()));
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
