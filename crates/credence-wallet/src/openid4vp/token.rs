//! Exchanging a response code for an access token at a Credence token
//! service (RFC 8693 with a DPoP proof by the agent key, RFC 9449), after
//! finding its token endpoint in its RFC 8414 metadata.

use super::Openid4vpError;
use crate::{PresentError, Wallet};
use credence_core::{OAUTH_METADATA_PATH, RESPONSE_CODE_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT};
use credence_store::AuditRecord;
use serde_json::Value;

/// What a token is asked for: an RFC 8693 `audience` (a logical name or
/// URL the verifier's policy serves) or an RFC 8707 `resource` (the
/// canonical URI of the server to call, as MCP clients send it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTarget<'a> {
    /// `audience=…`.
    Audience(&'a str),
    /// `resource=…`.
    Resource(&'a str),
}

impl TokenTarget<'_> {
    fn form_pair(&self) -> (&'static str, &str) {
        match self {
            Self::Audience(a) => ("audience", a),
            Self::Resource(r) => ("resource", r),
        }
    }
}

/// What the token endpoint answered.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenResponse {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body: the token, or an OAuth error.
    pub body: Value,
}

impl Wallet {
    /// The token endpoint of the authorization server at `response_uri`'s
    /// origin: its RFC 8414 metadata, whose `issuer` must be exactly that
    /// origin (RFC 8414 §3.3).
    pub async fn discover_token_endpoint(
        &self,
        response_uri: &str,
    ) -> Result<String, Openid4vpError> {
        let bad = |why: String| Openid4vpError::Discovery(why);
        let origin = url::Url::parse(response_uri)
            .map_err(|e| bad(e.to_string()))?
            .origin()
            .ascii_serialization();
        let metadata = self
            .fetcher
            .get_json(&format!("{origin}{OAUTH_METADATA_PATH}"))
            .await
            .map_err(|e| bad(e.to_string()))?;
        let issuer = metadata.get("issuer").and_then(Value::as_str);
        if issuer.map(|i| i.trim_end_matches('/')) != Some(origin.as_str()) {
            return Err(bad(format!("issuer {issuer:?} is not {origin}")));
        }
        let endpoint = metadata
            .get("token_endpoint")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no token_endpoint".into()))?;
        credence_did::Fetcher::check_url(endpoint).map_err(|e| bad(e.to_string()))?;
        Ok(endpoint.to_owned())
    }

    /// A DPoP proof (RFC 9449 §4) by the agent key for `POST
    /// token_endpoint`, without `ath` (there is no token yet). Audited.
    pub fn token_request_proof(&self, token_endpoint: &str) -> Result<String, PresentError> {
        let now = self.clock.now().timestamp();
        let proof = credence_core::dpop_proof(&self.key, "POST", token_endpoint, None, now)
            .map_err(|e| PresentError::Sign(e.to_string()))?;
        self.record(
            AuditRecord::new(&self.did, "sign_dpop", "done", "none")
                .reason(format!("POST {token_endpoint} (token request)")),
        )?;
        Ok(proof)
    }

    /// Exchanges `response_code` at `token_endpoint` for a token for
    /// `target` (and `scope`, when given), with a DPoP proof by the agent
    /// key for that POST (no `ath`: there is no token yet). The proof is
    /// audited; the answer is returned whatever its status.
    pub async fn exchange_response_code(
        &self,
        token_endpoint: &str,
        response_code: &str,
        target: TokenTarget<'_>,
        scope: Option<&str>,
    ) -> Result<TokenResponse, Openid4vpError> {
        let proof = self.token_request_proof(token_endpoint)?;
        let mut form = vec![
            ("grant_type", TOKEN_EXCHANGE_GRANT),
            ("subject_token", response_code),
            ("subject_token_type", RESPONSE_CODE_TOKEN_TYPE),
            target.form_pair(),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let (status, text) = self
            .fetcher
            .post_form_with(
                token_endpoint,
                &form,
                "application/json",
                &[("DPoP", &proof)],
            )
            .await
            .map_err(|source| Openid4vpError::Fetch {
                what: "token endpoint",
                source,
            })?;
        let body = serde_json::from_str(&text)
            .map_err(|e| Openid4vpError::Response(format!("token endpoint: not JSON: {e}")))?;
        Ok(TokenResponse { status, body })
    }
}
