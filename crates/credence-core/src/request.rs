//! Presentation requests, shaped after OpenID for Verifiable Presentations
//! 1.0 with a DCQL query.

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// A path to a claim inside a credential, e.g. `["credentialSubject", "organization"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClaimPath(pub Vec<String>);

impl ClaimPath {
    /// A claim of the credential subject.
    pub fn subject(name: &str) -> Self {
        Self(vec!["credentialSubject".into(), name.into()])
    }

    /// The RFC 6901 JSON pointer for this path (`/credentialSubject/organization`).
    pub fn to_pointer(&self) -> String {
        self.0
            .iter()
            .map(|seg| format!("/{}", seg.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl std::fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// One requested claim (DCQL `claims` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsQuery {
    /// Where the claim sits in the credential.
    pub path: ClaimPath,
}

/// DCQL `meta` for W3C VCs secured with Data Integrity (`ldp_vc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdpMeta {
    /// Accepted type sets, as fully expanded IRIs; a credential matches when
    /// it has every type of one set.
    pub type_values: Vec<Vec<String>>,
}

/// One requested credential (DCQL `credentials` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialQuery {
    /// Identifier of this query inside the request.
    pub id: String,
    /// Credential format; Credence uses `ldp_vc`.
    pub format: String,
    /// Accepted credential types.
    pub meta: LdpMeta,
    /// The claims the verifier needs disclosed.
    pub claims: Vec<ClaimsQuery>,
}

/// A DCQL query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcqlQuery {
    /// The requested credentials.
    pub credentials: Vec<CredentialQuery>,
}

/// A verifier's request for a presentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationRequest {
    /// Always `vp_token`.
    pub response_type: String,
    /// The verifier's identifier; the presentation's `domain` (audience).
    pub client_id: String,
    /// A fresh random value; the presentation's `challenge` and the BBS
    /// presentation header.
    pub nonce: String,
    /// What must be presented.
    pub dcql_query: DcqlQuery,
    /// Unix time after which the verifier refuses answers to this request.
    pub expires_at: i64,
}

impl PresentationRequest {
    /// A request with a fresh 256-bit nonce, for one credential type and a
    /// list of claims, expiring at `expires_at` (Unix seconds).
    pub fn new(
        client_id: &str,
        credential_type_iris: Vec<String>,
        claims: Vec<ClaimPath>,
        expires_at: i64,
    ) -> Self {
        Self {
            response_type: "vp_token".into(),
            client_id: client_id.into(),
            nonce: fresh_nonce(),
            dcql_query: DcqlQuery {
                credentials: vec![CredentialQuery {
                    id: "agent".into(),
                    format: "ldp_vc".into(),
                    meta: LdpMeta {
                        type_values: vec![credential_type_iris],
                    },
                    claims: claims
                        .into_iter()
                        .map(|path| ClaimsQuery { path })
                        .collect(),
                }],
            },
            expires_at,
        }
    }

    /// Every claim path requested, across credential queries.
    pub fn requested_claims(&self) -> Vec<ClaimPath> {
        self.dcql_query
            .credentials
            .iter()
            .flat_map(|c| c.claims.iter().map(|q| q.path.clone()))
            .collect()
    }
}

/// 32 random bytes, base64url without padding.
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape() {
        assert_eq!(
            ClaimPath::subject("organization").to_pointer(),
            "/credentialSubject/organization"
        );
        assert_eq!(
            ClaimPath(vec!["a/b".into(), "c~d".into()]).to_pointer(),
            "/a~1b/c~0d"
        );
    }

    #[test]
    fn nonces_are_fresh() {
        let a = PresentationRequest::new("x", vec![], vec![], 0);
        let b = PresentationRequest::new("x", vec![], vec![], 0);
        assert_ne!(a.nonce, b.nonce);
        assert_eq!(a.nonce.len(), 43);
    }
}
