//! Minting from a verified presentation: the policy snapshot it was
//! verified under maps its verified claims to scopes for one audience; the
//! token lives at most 300 s, no longer than any credential's `validUntil`
//! or the chain's, names one audience the chain allows, and is bound to
//! the agent's key.

use super::lineage::Minted;
use super::{IssuedToken, TokenIssuer};
use crate::signed::credential::StatusEntry;
use crate::{DelegationError, MintError, VerifiedChain, VerifiedPresentation, VerifyError};
use credence_core::{AccessTokenClaims, Actor, Confirmation, ACCESS_TOKEN_TYP, MAX_TOKEN_TTL_SECS};
use ssi::claims::jws::{self, Header};
use ssi::jwk::Algorithm;

impl TokenIssuer {
    /// Mints a token for `audience` carrying the scopes the policy maps the
    /// verified claims to. No scope → no token.
    pub async fn mint(
        &self,
        verified: VerifiedPresentation,
        audience: &str,
    ) -> Result<IssuedToken, VerifyError> {
        self.mint_narrowed(verified, audience, None).await
    }

    /// As [`TokenIssuer::mint`], narrowed to `requested` scopes when given
    /// (RFC 8693 `scope`); asking for a scope the policy does not grant is
    /// refused with [`MintError::ScopeNotGranted`].
    pub async fn mint_narrowed(
        &self,
        verified: VerifiedPresentation,
        audience: &str,
        requested: Option<&[String]>,
    ) -> Result<IssuedToken, VerifyError> {
        let chain = verified.chain.as_ref();
        let who = (
            chain.map(|c| c.principal.as_str()),
            chain.map(VerifiedChain::path).unwrap_or_default(),
        );
        let outcome = self.mint_unaudited(&verified, audience, requested).await;
        self.audited(
            outcome,
            "mint_token",
            &verified.holder,
            who,
            &verified.correlation,
        )
    }

    async fn mint_unaudited(
        &self,
        verified: &VerifiedPresentation,
        audience: &str,
        requested: Option<&[String]>,
    ) -> Result<IssuedToken, VerifyError> {
        if verified.verifier != self.id {
            return Err(MintError::OtherVerifier {
                expected: self.id.clone(),
                found: verified.verifier.clone(),
            }
            .into());
        }
        let scopes = granted_scopes(verified, audience, requested)?;
        let iat = self.clock.now().timestamp();
        let ttl = verified.policy.grant(&verified.facts(), audience).ttl_secs;
        let mut exp = iat + ttl.min(MAX_TOKEN_TTL_SECS);
        if let Some(until) = verified.valid_until() {
            exp = exp.min(until.timestamp());
        }
        let (sub, act) = match &verified.chain {
            Some(chain) => {
                if let Some(allowed) = &chain.audiences {
                    if !allowed.iter().any(|a| a == audience) {
                        return Err(
                            DelegationError::AudienceNotDelegated(audience.to_owned()).into()
                        );
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
            scope: scopes.join(" "),
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
        let mut status: Vec<(String, StatusEntry)> = verified
            .credentials
            .iter()
            .flat_map(|c| c.status.iter().map(|e| (c.issuer.clone(), e.clone())))
            .collect();
        if let Some(chain) = &verified.chain {
            // The links' entries were checked to be in lists the
            // credentials name; each belongs to that list's issuer.
            for entry in &chain.status {
                if let Some((issuer, _)) = status.iter().find(|(_, e)| e.list == entry.list) {
                    let issuer = issuer.clone();
                    status.push((issuer, entry.clone()));
                }
            }
        }
        let issued = self.sign_token(claims)?;
        // Recorded before it is handed out: a token the state does not
        // know is never issued.
        let minted = Minted {
            aud: issued.claims.aud.clone(),
            exp: issued.claims.exp,
            status,
            parent: None,
        };
        self.lineage
            .record(&issued.claims.jti, &minted, iat)
            .await?;
        Ok(issued)
    }

    pub(crate) fn sign_token(&self, claims: AccessTokenClaims) -> Result<IssuedToken, VerifyError> {
        let payload =
            serde_json::to_string(&claims).map_err(|e| MintError::Signing(e.to_string()))?;
        let ring = self.ring();
        let key = ring.signing(claims.iat);
        let header = Header {
            algorithm: Algorithm::EdDSA,
            type_: Some(ACCESS_TOKEN_TYP.into()),
            key_id: Some(key.kid()),
            ..Default::default()
        };
        let token = jws::encode_sign_custom_header(&payload, &key.jwk, &header)
            .map_err(|e| MintError::Signing(e.to_string()))?;
        Ok(IssuedToken { token, claims })
    }
}

/// The scopes the snapshot's rules grant for `audience`, narrowed to
/// `requested`.
fn granted_scopes(
    verified: &VerifiedPresentation,
    audience: &str,
    requested: Option<&[String]>,
) -> Result<Vec<String>, MintError> {
    let mut scopes = verified.policy.grant(&verified.facts(), audience).scopes;
    if scopes.is_empty() {
        return Err(MintError::NoScopeMapped(audience.to_owned()));
    }
    if let Some(requested) = requested {
        let extra: Vec<&str> = requested
            .iter()
            .filter(|s| !scopes.contains(s))
            .map(String::as_str)
            .collect();
        if !extra.is_empty() {
            return Err(MintError::ScopeNotGranted(extra.join(" ")));
        }
        scopes.retain(|s| requested.contains(s));
        if scopes.is_empty() {
            return Err(MintError::ScopeNotGranted("no scope requested".into()));
        }
    }
    Ok(scopes)
}
