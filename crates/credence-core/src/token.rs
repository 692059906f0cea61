//! Claims of Credence's scoped access tokens (RFC 9068 JWT profile).

use serde::{Deserialize, Serialize};

/// The JOSE `typ` of an RFC 9068 access token.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// The longest lifetime a Credence access token may have, in seconds.
pub const MAX_TOKEN_TTL_SECS: i64 = 300;

/// RFC 7800 confirmation: the token is bound to the agent's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// RFC 7638 JWK SHA-256 thumbprint of the agent's key.
    pub jkt: String,
}

/// RFC 8693 §4.1 actor: who is acting, and (nested) who acted before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The acting agent's DID.
    pub sub: String,
    /// The actor that delegated to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Box<Actor>>,
}

impl Actor {
    /// Nests `actors` (listed from the first delegate to the agent acting
    /// now) so the current actor is outermost.
    pub fn chain(actors: &[String]) -> Option<Self> {
        actors.iter().fold(None, |inner, sub| {
            Some(Self {
                sub: sub.clone(),
                act: inner.map(Box::new),
            })
        })
    }

    /// The actors from the outermost (current) inwards.
    pub fn subjects(&self) -> Vec<&str> {
        let mut out = vec![self.sub.as_str()];
        let mut next = self.act.as_deref();
        while let Some(a) = next {
            out.push(&a.sub);
            next = a.act.as_deref();
        }
        out
    }
}

/// The payload of a scoped access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// The verifier that minted the token.
    pub iss: String,
    /// The agent's DID, or the human principal when a delegation chain
    /// was presented (then `act` names the agents).
    pub sub: String,
    /// The one audience (resource) the token is for.
    pub aud: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds), at most [`MAX_TOKEN_TTL_SECS`] after `iat`.
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// The OAuth client the token was issued to: the agent's DID.
    pub client_id: String,
    /// Key binding.
    pub cnf: Confirmation,
    /// The delegation chain's actors when `sub` is a human principal
    /// (RFC 8693 §4.1, current actor outermost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
    /// The correlation id shared by every audit entry of this exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// Per-step token: the digest of the one request it may make
    /// (see [`step_digest`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Per-step token: usable once at the resource.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub single_use: bool,
}

/// The digest of one approved plan step, as the resource recomputes it
/// from the request: base64url(SHA-256(`METHOD SP URL LF body`)), with the
/// method upper-cased and the URL as the client calls it.
pub fn step_digest(method: &str, url: &str, body: &[u8]) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(method.to_ascii_uppercase().as_bytes());
    h.update(b" ");
    h.update(url.as_bytes());
    h.update(b"\n");
    h.update(body);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize())
}

impl AccessTokenClaims {
    /// The delegation path the token carries: `sub` (the principal), then
    /// the actors from the first delegate to the current one; empty when
    /// the token has no `act`.
    pub fn delegation_path(&self) -> Vec<String> {
        let Some(act) = &self.act else {
            return Vec::new();
        };
        std::iter::once(self.sub.as_str())
            .chain(act.subjects().into_iter().rev())
            .map(str::to_owned)
            .collect()
    }

    /// The scopes as a list.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }
}

/// The correlation id of the exchange answering the request with `nonce`:
/// the first 16 bytes of SHA-256(nonce), hex. Wallet and verifier derive
/// the same id, so their audit trails line up.
pub fn correlation_id(nonce: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(nonce.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(sub: &str, act: Option<Actor>) -> AccessTokenClaims {
        AccessTokenClaims {
            iss: "https://verifier.example".into(),
            sub: sub.into(),
            aud: "https://api.example".into(),
            scope: "invoices:read".into(),
            iat: 0,
            exp: 60,
            jti: "t1".into(),
            client_id: "did:key:zAgent".into(),
            cnf: Confirmation { jkt: "k".into() },
            act,
            cid: None,
            step: None,
            single_use: false,
        }
    }

    #[test]
    fn the_delegation_path_runs_from_the_principal_to_the_current_actor() {
        let actors = ["did:key:zPlanner".to_owned(), "did:key:zAgent".to_owned()];
        let token = claims("did:key:zAlice", Actor::chain(&actors));
        assert_eq!(
            token.act.as_ref().map(Actor::subjects),
            Some(vec!["did:key:zAgent", "did:key:zPlanner"]),
            "current actor outermost"
        );
        assert_eq!(
            token.delegation_path(),
            ["did:key:zAlice", "did:key:zPlanner", "did:key:zAgent"]
        );
        assert!(claims("did:key:zAgent", None).delegation_path().is_empty());
    }
}
