//! Redeeming an OpenID4VP response code at the token endpoint (RFC 8693
//! with the code as subject token): only the holder of the key the
//! presentation was verified for can, with a DPoP proof (RFC 9449 §5, no
//! `ath`) for `POST {token endpoint}`, and only once.

use super::TokenIssuer;
use crate::openid4vp::ResponseCodes;
use crate::{MintError, TrustPolicy, VerifiedPresentation, VerifyError};
use credence_core::{verify_token_request_dpop, TokenError, DPOP_WINDOW_SECS};
use std::sync::Arc;

impl TokenIssuer {
    /// The verified presentation `code` stands for, once its `dpop` proof
    /// for `POST url` is by the holder's key; the code is then used up. A
    /// proof by another key, a replayed proof, or none leaves the code
    /// outstanding. It is minted under `policy` (the verifier's current
    /// one). Refusals are audited.
    pub async fn redeem_response_code(
        &self,
        codes: &ResponseCodes,
        policy: Arc<TrustPolicy>,
        code: &str,
        dpop: Option<&str>,
        url: &str,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let refused = |e| VerifyError::Mint(MintError::SubjectToken(e));
        let now = self.clock.now().timestamp();
        let redeemed = async {
            let jkt = codes.holder_jkt(code, now).await?;
            let proof = dpop.ok_or(refused(TokenError::DpopMissing))?;
            let claims =
                verify_token_request_dpop(proof, &jkt, "POST", url, now).map_err(refused)?;
            let expires = claims.iat.saturating_add(DPOP_WINDOW_SECS);
            if !self.lineage.first_use(&claims.jti, expires, now).await? {
                return Err(refused(TokenError::DpopReplay));
            }
            codes.redeem(code, policy, now).await
        };
        // Only refusals are recorded here: an allowed redemption is
        // audited when its token is minted.
        redeemed.await.or_else(|e| {
            self.audited(
                Err(e),
                "redeem_response_code",
                "unknown",
                (None, vec![]),
                "none",
            )
        })
    }
}
