//! The verifier's own tokens offered back to it — as an exchange's subject
//! token, for introspection (RFC 7662) or for revocation (RFC 7009): an
//! `at+jwt` signed by this service's key, issued by it, `iat` not in the
//! future beyond the skew, a lifetime within the cap, and minted by this
//! service (its lineage record names the same audience and expiry).

use super::TokenIssuer;
use crate::{MintError, VerifyError};
use credence_core::{
    check_token_times, decode_access_token, verify_dpop, AccessTokenClaims, AuditRecord,
    StateError, TokenError, DPOP_WINDOW_SECS,
};

fn refused(e: TokenError) -> VerifyError {
    VerifyError::Mint(MintError::SubjectToken(e))
}

impl TokenIssuer {
    /// The claims of `token` if a live key of this service signed it
    /// (the one its `kid` names).
    fn decode_own(&self, token: &str) -> Result<AccessTokenClaims, TokenError> {
        let now = self.clock.now().timestamp();
        let ring = self.ring();
        let kid = credence_core::token_kid(token)?;
        let key = match kid {
            Some(kid) => ring
                .find(&kid, now)
                .ok_or_else(|| TokenError::Malformed("no live key has its kid".into()))?,
            None => ring.signing(now),
        };
        decode_access_token(token, &key.jwk.to_public())
    }

    /// The claims of a token this service minted and still knows; a
    /// refusal is [`MintError::SubjectToken`], an unreadable state
    /// [`VerifyError::State`].
    pub(crate) async fn own_token(&self, token: &str) -> Result<AccessTokenClaims, VerifyError> {
        let claims = self.decode_own(token).map_err(refused)?;
        if claims.iss != self.id {
            return Err(refused(TokenError::WrongIssuer(claims.iss)));
        }
        let now = self.clock.now().timestamp();
        check_token_times(&claims, now).map_err(refused)?;
        let minted = self.lineage.get(&claims.jti, now).await?;
        let minted = minted.ok_or(refused(TokenError::Inactive))?;
        if minted.aud != claims.aud {
            return Err(refused(TokenError::WrongAudience {
                expected: minted.aud,
                found: claims.aud,
            }));
        }
        if minted.exp != claims.exp {
            return Err(refused(TokenError::InvalidTimes(
                "not the expiry it was minted with".into(),
            )));
        }
        Ok(claims)
    }

    /// The claims of `token` if it is active: minted by this service
    /// ([`TokenIssuer::own_token`]), unexpired, not revoked, the token it
    /// was exchanged from (if any) still active, and no credential or
    /// delegation link it was minted from revoked or suspended since
    /// (checked against the issuer's status lists). `Err` when the state
    /// cannot be read: the caller answers "try again", never "active".
    pub async fn introspect(&self, token: &str) -> Result<Option<AccessTokenClaims>, StateError> {
        let claims = match self.own_token(token).await {
            Ok(claims) => claims,
            Err(VerifyError::State(e)) => return Err(e),
            Err(_) => return Ok(None),
        };
        let active = self.is_active(&claims.jti, claims.exp).await?;
        Ok(active.then_some(claims))
    }

    pub(crate) async fn is_active(&self, jti: &str, exp: i64) -> Result<bool, StateError> {
        let now = self.clock.now().timestamp();
        let (mut jti, mut exp) = (jti.to_owned(), exp);
        loop {
            if now >= exp || self.lineage.is_revoked(&jti, now).await? {
                return Ok(false);
            }
            let Some(minted) = self.lineage.get(&jti, now).await? else {
                return Ok(false);
            };
            let env = self.env();
            for (issuer, entry) in &minted.status {
                if !self.status_holds(issuer, entry, env).await {
                    return Ok(false);
                }
            }
            match minted.parent {
                Some((parent, parent_exp)) => (jti, exp) = (parent, parent_exp),
                None => return Ok(true),
            }
        }
    }

    /// Whether one status entry a token depends on still holds: an SD-JWT
    /// VC's in its issuer's Token Status List, any other in the Bitstring
    /// Status List it names.
    async fn status_holds(
        &self,
        issuer: &str,
        entry: &crate::signed::credential::StatusEntry,
        env: crate::checks::proofs::ProofEnv<'_>,
    ) -> bool {
        if entry.purpose == crate::sd_jwt::TOKEN_STATUS_PURPOSE {
            let reference = credence_sdjwt::status_list::StatusReference {
                index: entry.index as u64,
                uri: entry.list.clone(),
            };
            let now = env.now.timestamp();
            return self
                .status
                .token_lists
                .check(&reference, issuer, self.status.resolver.as_ref(), now)
                .await
                .is_ok();
        }
        self.status
            .lists
            .check(std::slice::from_ref(entry), issuer, env)
            .await
            .is_ok()
    }

    /// Revokes a token this service minted, and with it every token
    /// exchanged from it. The caller has authenticated the client (RFC 7009
    /// §2.1): the resource servers' secret, or see
    /// [`TokenIssuer::revoke_own`]. Tokens that are not this service's are
    /// ignored, as the RFC asks; `Err` when the state cannot record it.
    pub async fn revoke(&self, token: &str) -> Result<(), StateError> {
        match self.own_token(token).await {
            Ok(claims) => self.revoke_claims(&claims).await,
            Err(VerifyError::State(e)) => Err(e),
            Err(_) => Ok(()),
        }
    }

    /// Revokes `token` on its holder's request: `dpop` must be a DPoP proof
    /// for `method` `url` by the key the token is bound to. A refused
    /// proof is [`MintError::SubjectToken`]; an unreachable state
    /// [`VerifyError::State`].
    pub async fn revoke_own(
        &self,
        token: &str,
        dpop: &str,
        method: &str,
        url: &str,
    ) -> Result<(), VerifyError> {
        let claims = match self.own_token(token).await {
            Ok(claims) => claims,
            Err(VerifyError::State(e)) => return Err(e.into()),
            Err(_) => return Ok(()),
        };
        let now = self.clock.now().timestamp();
        let proof = verify_dpop(dpop, token, &claims.cnf.jkt, method, url, now).map_err(refused)?;
        let window = proof.iat.saturating_add(DPOP_WINDOW_SECS);
        if !self.lineage.first_use(&proof.jti, window, now).await? {
            return Err(refused(TokenError::DpopReplay));
        }
        Ok(self.revoke_claims(&claims).await?)
    }

    async fn revoke_claims(&self, claims: &AccessTokenClaims) -> Result<(), StateError> {
        let record = AuditRecord::new(
            &claims.client_id,
            "revoke_token",
            "done",
            claims.cid.as_deref().unwrap_or("none"),
        )
        .principal(claims.sub.clone())
        .chain(claims.delegation_path())
        .reason(format!("token {} revoked", claims.jti));
        self.lineage
            .revoke(&claims.jti, claims.exp, self.clock.now().timestamp())
            .await?;
        // Revocation has happened; a failed audit write cannot undo it.
        let _ = self.record(record);
        Ok(())
    }
}
