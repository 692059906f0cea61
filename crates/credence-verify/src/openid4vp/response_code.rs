//! Response codes: the one-time, short-lived subject token an agent
//! exchanges at `/token` for the OpenID4VP transaction it answered
//! (OpenID4VP 1.0 §14.2's fresh secret in the `redirect_uri`). A code
//! stands for one verified presentation; it is redeemed once, only with a
//! DPoP proof by the holder's key, within [`RESPONSE_CODE_TTL_SECS`].

use crate::{BindingError, VerifiedPresentation};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// How long a response code can be redeemed, in seconds.
pub const RESPONSE_CODE_TTL_SECS: i64 = 60;

/// The most codes outstanding at once: beyond it, issuing refuses (the
/// transaction's answer is then lost, never an old code forgotten early).
pub const MAX_RESPONSE_CODES: usize = 10_000;

struct Outstanding {
    verified: VerifiedPresentation,
    expires_at: i64,
}

/// Outstanding response codes (in memory, like the requests).
#[derive(Default)]
pub struct ResponseCodes {
    codes: Mutex<HashMap<String, Outstanding>>,
}

impl std::fmt::Debug for ResponseCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCodes").finish_non_exhaustive()
    }
}

impl ResponseCodes {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Outstanding>> {
        self.codes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh 256-bit code for `verified`, redeemable until `now` +
    /// [`RESPONSE_CODE_TTL_SECS`].
    pub fn issue(&self, verified: VerifiedPresentation, now: i64) -> Result<String, BindingError> {
        let mut codes = self.lock();
        codes.retain(|_, c| c.expires_at > now);
        if codes.len() >= MAX_RESPONSE_CODES {
            return Err(BindingError::ResponseCode(
                "too many outstanding response codes; try again shortly".into(),
            ));
        }
        let code = credence_core::request::fresh_nonce();
        codes.insert(
            code.clone(),
            Outstanding {
                verified,
                expires_at: now + RESPONSE_CODE_TTL_SECS,
            },
        );
        Ok(code)
    }

    /// The holder key thumbprint of an outstanding, unexpired code: what
    /// the DPoP proof of its redemption must be signed with. Nothing is
    /// consumed.
    pub fn holder_jkt(&self, code: &str, now: i64) -> Result<String, BindingError> {
        let codes = self.lock();
        let outstanding = usable(codes.get(code), now)?;
        Ok(outstanding.verified.holder_jkt.clone())
    }

    /// Redeems `code` once: the verified presentation it stands for.
    pub fn redeem(&self, code: &str, now: i64) -> Result<VerifiedPresentation, BindingError> {
        let mut codes = self.lock();
        usable(codes.get(code), now)?;
        codes.remove(code).map(|c| c.verified).ok_or_else(unknown)
    }
}

fn unknown() -> BindingError {
    BindingError::ResponseCode("unknown or already used".into())
}

fn usable(code: Option<&Outstanding>, now: i64) -> Result<&Outstanding, BindingError> {
    let code = code.ok_or_else(unknown)?;
    if now >= code.expires_at {
        return Err(BindingError::ResponseCode("expired".into()));
    }
    Ok(code)
}
