//! The token service's signing keys over time (rotation): each key has an
//! activation time; the newest activated key signs; a key is published
//! (JWKS) and accepted from the moment it is added — before it signs, so
//! resource servers can fetch it first — until the longest token
//! lifetime (plus clock skew) after a newer key activated.

use credence_core::{MAX_CLOCK_SKEW_SECS, MAX_TOKEN_TTL_SECS};
use ssi::JWK;

/// How long an older key stays published after a newer one activates.
pub const KEY_RETIREMENT_SECS: i64 = MAX_TOKEN_TTL_SECS + MAX_CLOCK_SKEW_SECS;

/// A key set refused by [`super::TokenIssuer::set_keys`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeySetError {
    /// The new set's signing key is older than the one signing now:
    /// signing never goes back to a retired key.
    #[error("the new key set would sign with {refused} again instead of {signing}")]
    OlderSigningKey {
        /// The `kid` the new set would sign with.
        refused: String,
        /// The `kid` signing now.
        signing: String,
    },
}

/// One signing key (Ed25519, with its private part) and when it starts
/// signing.
#[derive(Debug, Clone)]
pub struct TokenKey {
    /// The key; its `kid` is its RFC 7638 thumbprint.
    pub jwk: JWK,
    /// When it becomes the signing key (Unix seconds).
    pub activates_at: i64,
}

impl TokenKey {
    /// `jwk`, signing from `activates_at`.
    pub fn new(jwk: JWK, activates_at: i64) -> Self {
        Self { jwk, activates_at }
    }

    /// Its `kid`.
    pub fn kid(&self) -> String {
        self.jwk
            .thumbprint()
            .map(|t| t.to_string())
            .unwrap_or_default()
    }
}

/// The keys of one token service, oldest activation first; never empty.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: Vec<TokenKey>,
}

impl KeyRing {
    /// A ring of `keys`; `None` when there are none (nothing could sign).
    pub fn new(mut keys: Vec<TokenKey>) -> Option<Self> {
        if keys.is_empty() {
            return None;
        }
        keys.sort_by_key(|k| (k.activates_at, k.kid()));
        Some(Self { keys })
    }

    /// One key, signing from the start.
    pub fn single(jwk: JWK) -> Self {
        Self {
            keys: vec![TokenKey::new(jwk, i64::MIN)],
        }
    }

    /// The key that signs at `now`: the newest activated one (or, if none
    /// has activated yet, the oldest).
    pub fn signing(&self, now: i64) -> &TokenKey {
        // `keys` is never empty (both constructors ensure it).
        self.keys
            .iter()
            .rev()
            .find(|k| k.activates_at <= now)
            .unwrap_or(&self.keys[0])
    }

    /// The keys published and accepted at `now`: every key not yet retired
    /// (a key retires [`KEY_RETIREMENT_SECS`] after the next activated).
    pub fn live(&self, now: i64) -> Vec<&TokenKey> {
        self.keys
            .iter()
            .enumerate()
            .filter(|(i, _)| match self.keys.get(i + 1) {
                Some(next) if next.activates_at <= now => {
                    now < next.activates_at.saturating_add(KEY_RETIREMENT_SECS)
                }
                _ => true,
            })
            .map(|(_, k)| k)
            .collect()
    }

    /// The live key with `kid`.
    pub fn find(&self, kid: &str, now: i64) -> Option<&TokenKey> {
        self.live(now).into_iter().find(|k| k.kid() == kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> JWK {
        JWK::generate_ed25519().unwrap()
    }

    #[test]
    fn a_newer_key_signs_once_active_and_the_old_one_retires_after_the_window() {
        let ring = KeyRing::new(vec![TokenKey::new(key(), 1000), TokenKey::new(key(), 0)]).unwrap();
        let (old, new) = (ring.keys[0].kid(), ring.keys[1].kid());
        assert_eq!(ring.signing(999).kid(), old, "published, not yet signing");
        assert_eq!(ring.live(999).len(), 2);
        assert_eq!(ring.signing(1000).kid(), new);
        let retired = 1000 + KEY_RETIREMENT_SECS;
        assert!(
            ring.find(&old, retired - 1).is_some(),
            "old tokens still verify"
        );
        assert!(ring.find(&old, retired).is_none(), "retired");
        assert_eq!(ring.live(retired).len(), 1);
        assert!(ring.find("no-such-kid", 0).is_none());
        assert!(KeyRing::new(Vec::new()).is_none());
    }
}
