//! Minting scoped access tokens (RFC 9068, EdDSA, key-bound) and checking
//! them on the resource side.

use crate::{VerifiedPresentation, Verifier, VerifyError};
use credence_core::AuditRecord;
use credence_core::TokenError;
use credence_core::{AccessTokenClaims, Actor, Confirmation, ACCESS_TOKEN_TYP, MAX_TOKEN_TTL_SECS};
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
        let outcome = self.mint_unaudited(verified, audience, requested);
        let chain = verified.chain.as_ref();
        self.audited(
            outcome,
            "mint_token",
            &verified.holder,
            chain.map(|c| c.principal.as_str()),
            chain.map(crate::VerifiedChain::path).unwrap_or_default(),
            &verified.correlation,
        )
    }

    fn mint_unaudited(
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
        let mut exp = iat + grant.ttl_secs.min(MAX_TOKEN_TTL_SECS);
        let (sub, act) = match &verified.chain {
            Some(chain) => {
                if let Some(allowed) = &chain.audiences {
                    if !allowed.iter().any(|a| a == audience) {
                        return Err(VerifyError::AudienceNotDelegated(audience.to_owned()));
                    }
                }
                exp = exp.min(chain.valid_until.timestamp());
                (chain.principal.clone(), Actor::chain(&chain.actors))
            }
            None => (verified.holder.clone(), None),
        };
        let claims = AccessTokenClaims {
            iss: self.id.clone(),
            sub,
            aud: audience.to_owned(),
            scope: grant.scopes.join(" "),
            iat,
            exp,
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: verified.holder.clone(),
            cnf: Confirmation {
                jkt: verified.holder_jkt.clone(),
            },
            act,
            cid: Some(verified.correlation.clone()),
            step: None,
            single_use: false,
        };
        let issued = self.sign_token(claims)?;
        self.derived.insert(
            &issued.claims,
            TokenDeps {
                status_issuer: verified.issuer.clone(),
                status_refs: verified
                    .status_refs
                    .iter()
                    .filter(|d| d.get("credentialStatus").is_some())
                    .cloned()
                    .collect(),
                parent: None,
            },
        );
        Ok(issued)
    }

    pub(crate) fn sign_token(&self, claims: AccessTokenClaims) -> Result<IssuedToken, VerifyError> {
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

    /// The claims of `token` if it is active (RFC 7662 semantics): minted
    /// by this verifier, signature valid, unexpired, not revoked, the token
    /// it was exchanged from (if any) still active, and no credential or
    /// delegation link it was minted from revoked or suspended since
    /// (checked against the issuer's status lists, through the cache).
    pub async fn introspect(&self, token: &str) -> Option<AccessTokenClaims> {
        let claims = self.own_token(token).ok()?;
        self.is_active(&claims.jti, claims.exp)
            .await
            .then_some(claims)
    }

    pub(crate) async fn is_active(&self, jti: &str, exp: i64) -> bool {
        let now = self.clock.now();
        let (mut jti, mut exp) = (jti.to_owned(), exp);
        // Walk up the exchange lineage: every ancestor must be active.
        loop {
            if now.timestamp() >= exp || self.revoked.contains(&jti, now.timestamp()) {
                return false;
            }
            let Some(deps) = self.derived.get(&jti) else {
                return true;
            };
            for doc in &deps.status_refs {
                let checked = self
                    .status
                    .check(
                        doc,
                        &deps.status_issuer,
                        self.resolver().as_ref(),
                        self.loader(),
                        now,
                    )
                    .await;
                if checked.is_err() {
                    return false;
                }
            }
            match deps.parent {
                Some((parent, parent_exp)) => (jti, exp) = (parent, parent_exp),
                None => return true,
            }
        }
    }

    /// Revokes a token this verifier minted (RFC 7009), and with it every
    /// token exchanged from it. Tokens that are not ours, or do not
    /// verify, are ignored as the RFC asks.
    pub fn revoke_token(&self, token: &str) {
        if let Ok(claims) = self.own_token(token) {
            let record = AuditRecord::new(
                &claims.client_id,
                "revoke_token",
                "done",
                claims.cid.as_deref().unwrap_or("none"),
            )
            .principal(claims.sub.clone())
            .chain(claims.delegation_path())
            .reason(format!("token {} revoked", claims.jti));
            self.revoked
                .insert(claims.jti, claims.exp, self.clock.now().timestamp());
            // Revocation has happened; a failed audit write cannot undo it.
            let _ = self.audit(record);
        }
    }

    pub(crate) fn own_token(&self, token: &str) -> Result<AccessTokenClaims, TokenError> {
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

/// What a minted token depends on, for introspection's cascade.
#[derive(Debug, Clone)]
pub(crate) struct TokenDeps {
    /// The org whose status lists `status_refs` point at.
    pub status_issuer: String,
    /// Credential and delegation documents carrying `credentialStatus`.
    pub status_refs: Vec<Value>,
    /// The token this one was exchanged from: `(jti, exp)`.
    pub parent: Option<(String, i64)>,
}

/// Dependencies of live tokens, each kept until its token expires.
#[derive(Debug, Default)]
pub(crate) struct DerivedTokens(
    std::sync::Mutex<std::collections::HashMap<String, (i64, TokenDeps)>>,
);

impl DerivedTokens {
    pub fn insert(&self, claims: &AccessTokenClaims, deps: TokenDeps) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (exp, _)| *exp > claims.iat);
        map.insert(claims.jti.clone(), (claims.exp, deps));
    }

    pub fn get(&self, jti: &str) -> Option<TokenDeps> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(jti).map(|(_, d)| d.clone())
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
