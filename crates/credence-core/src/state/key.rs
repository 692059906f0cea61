//! The keys of the verifier state: one namespace per kind of entry, ids
//! bounded in length (a DPoP `jti` or a nonce comes from the wire).

use sha2::{Digest, Sha256};

/// Longest id kept as it is; a longer (or non-printable) one is keyed by
/// its SHA-256.
const MAX_PLAIN_ID: usize = 96;

/// A key of the verifier state: `<namespace>:<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateKey(String);

impl StateKey {
    fn new(namespace: &str, id: &str) -> Self {
        let plain = id.len() <= MAX_PLAIN_ID
            && !id.starts_with("h:")
            && id.bytes().all(|b| b.is_ascii_graphic());
        if plain {
            Self(format!("{namespace}:{id}"))
        } else {
            Self(format!("{namespace}:h:{}", hex_digest(id)))
        }
    }

    /// An issued presentation request, by nonce.
    pub fn request(nonce: &str) -> Self {
        Self::new("req", nonce)
    }

    /// An OpenID4VP transaction's nonce, by `state`.
    pub fn transaction(state: &str) -> Self {
        Self::new("txn", state)
    }

    /// The mark that a request's nonce was used.
    pub fn used_nonce(nonce: &str) -> Self {
        Self::new("used", nonce)
    }

    /// A DPoP proof `jti` seen by the token service.
    pub fn dpop_jti(jti: &str) -> Self {
        Self::new("jti", jti)
    }

    /// A single-use token's `jti`, once used.
    pub fn used_token(jti: &str) -> Self {
        Self::new("once", jti)
    }

    /// A minted token's lineage, by `jti`.
    pub fn minted(jti: &str) -> Self {
        Self::new("minted", jti)
    }

    /// A revoked token, by `jti`.
    pub fn revoked(jti: &str) -> Self {
        Self::new("revoked", jti)
    }

    /// An outstanding OpenID4VP response code.
    pub fn response_code(code: &str) -> Self {
        Self::new("code", code)
    }

    /// A DPoP proof `jti` seen by a resource server.
    pub fn resource_jti(jti: &str) -> Self {
        Self::new("rs-jti", jti)
    }

    /// A single-use token's `jti`, once used at a resource server.
    pub fn resource_used_token(jti: &str) -> Self {
        Self::new("rs-once", jti)
    }

    /// A key of an embedder's own kind: `x-<namespace>:<id>`, never equal
    /// to one of Credence's.
    pub fn other(namespace: &str, id: &str) -> Self {
        Self::new(&format!("x-{namespace}"), id)
    }

    /// The key as stored (under the backend's prefix).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex_digest(id: &str) -> String {
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_or_odd_ids_are_hashed_into_a_bounded_key() {
        assert_eq!(StateKey::dpop_jti("abc").as_str(), "jti:abc");
        let long = StateKey::dpop_jti(&"x".repeat(10_000));
        assert!(long.as_str().starts_with("jti:h:") && long.as_str().len() == 70);
        let spaced = StateKey::request("a b");
        assert!(spaced.as_str().starts_with("req:h:"), "{spaced:?}");
        assert_ne!(StateKey::request("n"), StateKey::used_nonce("n"));
        assert_ne!(StateKey::other("req", "n"), StateKey::request("n"));
        // A plain id that looks like a hashed one is hashed too.
        let forged = format!("h:{}", "0".repeat(64));
        assert_ne!(
            StateKey::dpop_jti(&forged).as_str(),
            format!("jti:{forged}")
        );
    }
}
