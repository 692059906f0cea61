//! Per-step tokens (Plan-then-Execute): an agent holding an access token
//! exchanges it (RFC 8693, `subject_token_type` access_token) for a token
//! good for one step: one scope it already had, the same audience, a
//! shorter life, single use at the resource, and optionally bound to the
//! digest of the one request the approved plan step makes.

use super::lineage::Minted;
use super::{IssuedToken, TokenIssuer};
use crate::{DelegationError, MintError, VerifyError};
use credence_core::{verify_dpop, AccessTokenClaims, TokenError, DPOP_WINDOW_SECS};

/// The longest a per-step token lives, in seconds.
pub const STEP_TOKEN_TTL_SECS: i64 = 60;

/// A per-step exchange as the token endpoint received it.
#[derive(Debug, Clone, Copy)]
pub struct StepRequest<'a> {
    /// The access token being narrowed.
    pub subject_token: &'a str,
    /// The `DPoP` header proving possession of the token's key.
    pub dpop: Option<&'a str>,
    /// The token endpoint's method and full URL, as the proof names them.
    pub method: &'a str,
    /// See `method`.
    pub url: &'a str,
    /// The one scope wanted.
    pub scope: &'a str,
    /// The audience wanted (must be the subject token's).
    pub audience: Option<&'a str>,
    /// The plan step's request digest (see `credence_core::step_digest`).
    pub step: Option<&'a str>,
}

impl TokenIssuer {
    /// Exchanges an active access token for a per-step token. Refusals:
    /// [`MintError::SubjectToken`] (not ours, expired, inactive, already a
    /// step token, or a missing/bad DPoP proof),
    /// [`MintError::ScopeNotGranted`] (not exactly one scope the token
    /// has), [`DelegationError::AudienceNotDelegated`] (another audience).
    /// Allowed and refused exchanges are audited.
    pub async fn exchange_step(&self, req: StepRequest<'_>) -> Result<IssuedToken, VerifyError> {
        let checked = self.own_token(req.subject_token).await;
        let parent = checked.as_ref().ok().cloned();
        let outcome = self.step_unaudited(req, checked).await;
        let actor = parent.as_ref().map_or("unknown", |c| c.client_id.as_str());
        let who = (
            parent.as_ref().map(|c| c.sub.as_str()),
            parent
                .as_ref()
                .map(AccessTokenClaims::delegation_path)
                .unwrap_or_default(),
        );
        let cid = parent
            .as_ref()
            .and_then(|c| c.cid.clone())
            .unwrap_or_else(|| "none".into());
        self.audited(outcome, "exchange_step", actor, who, &cid)
    }

    async fn step_unaudited(
        &self,
        req: StepRequest<'_>,
        checked: Result<AccessTokenClaims, VerifyError>,
    ) -> Result<IssuedToken, VerifyError> {
        let refused = |e| VerifyError::Mint(MintError::SubjectToken(e));
        let parent = checked?;
        let now = self.clock.now().timestamp();
        if parent.single_use {
            return Err(refused(TokenError::Malformed(
                "a per-step token cannot be exchanged again".into(),
            )));
        }
        if !self.is_active(&parent.jti, parent.exp).await? {
            return Err(refused(TokenError::Inactive));
        }
        let proof = req.dpop.ok_or(refused(TokenError::DpopMissing))?;
        let dpop = verify_dpop(
            proof,
            req.subject_token,
            &parent.cnf.jkt,
            req.method,
            req.url,
            now,
        )
        .map_err(refused)?;
        let window = dpop.iat.saturating_add(DPOP_WINDOW_SECS);
        if !self.lineage.first_use(&dpop.jti, window, now).await? {
            return Err(refused(TokenError::DpopReplay));
        }
        if req.scope.is_empty()
            || req.scope.contains(char::is_whitespace)
            || !parent.scopes().contains(&req.scope)
        {
            return Err(MintError::ScopeNotGranted(format!(
                "`{}`: a step token carries exactly one scope of its parent ({})",
                req.scope, parent.scope
            ))
            .into());
        }
        if let Some(aud) = req.audience {
            if aud != parent.aud {
                return Err(DelegationError::AudienceNotDelegated(aud.to_owned()).into());
            }
        }
        let claims = AccessTokenClaims {
            iat: now,
            exp: parent.exp.min(now + STEP_TOKEN_TTL_SECS),
            jti: uuid::Uuid::new_v4().to_string(),
            scope: req.scope.to_owned(),
            step: req.step.map(str::to_owned),
            single_use: true,
            ..parent.clone()
        };
        let issued = self.sign_token(claims)?;
        let minted = Minted {
            aud: issued.claims.aud.clone(),
            exp: issued.claims.exp,
            status: Vec::new(),
            parent: Some((parent.jti, parent.exp)),
        };
        self.lineage
            .record(&issued.claims.jti, &minted, now)
            .await?;
        Ok(issued)
    }
}
