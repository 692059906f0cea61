//! The verifier's own tokens offered back to it — as an exchange's subject
//! token, for introspection (RFC 7662) or for revocation (RFC 7009): an
//! `at+jwt` signed by this service's key, issued by it, `iat` not in the
//! future beyond the skew, a lifetime within the cap, and minted by this
//! service (its lineage record names the same audience and expiry).

use super::TokenIssuer;
use credence_core::{
    check_token_times, decode_access_token, verify_dpop, AccessTokenClaims, AuditRecord,
    TokenError, DPOP_WINDOW_SECS,
};

impl TokenIssuer {
    /// The claims of a token this service minted and still knows.
    pub(crate) fn own_token(&self, token: &str) -> Result<AccessTokenClaims, TokenError> {
        let claims = decode_access_token(token, &self.signing_key.to_public())?;
        if claims.iss != self.id {
            return Err(TokenError::WrongIssuer(claims.iss));
        }
        check_token_times(&claims, self.clock.now().timestamp())?;
        let minted = self.lineage.get(&claims.jti).ok_or(TokenError::Inactive)?;
        if minted.aud != claims.aud {
            return Err(TokenError::WrongAudience {
                expected: minted.aud,
                found: claims.aud,
            });
        }
        if minted.exp != claims.exp {
            return Err(TokenError::InvalidTimes(
                "not the expiry it was minted with".into(),
            ));
        }
        Ok(claims)
    }

    /// The claims of `token` if it is active: minted by this service
    /// ([`TokenIssuer::own_token`]), unexpired, not revoked, the token it
    /// was exchanged from (if any) still active, and no credential or
    /// delegation link it was minted from revoked or suspended since
    /// (checked against the issuer's status lists).
    pub async fn introspect(&self, token: &str) -> Option<AccessTokenClaims> {
        let claims = self.own_token(token).ok()?;
        self.is_active(&claims.jti, claims.exp)
            .await
            .then_some(claims)
    }

    pub(crate) async fn is_active(&self, jti: &str, exp: i64) -> bool {
        let now = self.clock.now().timestamp();
        let (mut jti, mut exp) = (jti.to_owned(), exp);
        loop {
            if now >= exp || self.lineage.is_revoked(&jti, now) {
                return false;
            }
            let Some(minted) = self.lineage.get(&jti) else {
                return false;
            };
            let env = self.env();
            for (issuer, entry) in &minted.status {
                if !self.status_holds(issuer, entry, env).await {
                    return false;
                }
            }
            match minted.parent {
                Some((parent, parent_exp)) => (jti, exp) = (parent, parent_exp),
                None => return true,
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
    /// ignored, as the RFC asks.
    pub fn revoke(&self, token: &str) {
        if let Ok(claims) = self.own_token(token) {
            self.revoke_claims(&claims);
        }
    }

    /// Revokes `token` on its holder's request: `dpop` must be a DPoP proof
    /// for `method` `url` by the key the token is bound to.
    pub fn revoke_own(
        &self,
        token: &str,
        dpop: &str,
        method: &str,
        url: &str,
    ) -> Result<(), TokenError> {
        let Ok(claims) = self.own_token(token) else {
            return Ok(());
        };
        let now = self.clock.now().timestamp();
        let proof = verify_dpop(dpop, token, &claims.cnf.jkt, method, url, now)?;
        if !self
            .dpop_seen
            .first_use(&proof.jti, proof.iat.saturating_add(DPOP_WINDOW_SECS), now)
        {
            return Err(TokenError::DpopReplay);
        }
        self.revoke_claims(&claims);
        Ok(())
    }

    fn revoke_claims(&self, claims: &AccessTokenClaims) {
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
            .revoke(&claims.jti, claims.exp, self.clock.now().timestamp());
        // Revocation has happened; a failed audit write cannot undo it.
        let _ = self.record(record);
    }
}
