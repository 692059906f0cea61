//! The resource-server side: checking a DPoP-bound access token on each
//! request (RFC 9068 token + RFC 9449 proof).

use credence_core::state::replay_mark_until;
use credence_core::{
    authenticate_access_token, key_for_token, step_digest, verify_dpop, AccessTokenClaims,
    AuditRecord, AuditSink, MemoryState, StateKey, TokenError, VerifierState, DPOP_WINDOW_SECS,
};
use ssi::claims::jws;
use ssi::JWK;
use std::sync::Arc;
use std::sync::RwLock;

/// Guards one resource: accepts only tokens minted by `issuer` (checked
/// with its key) for this `audience`, presented with a fresh DPoP proof
/// by the key the token is bound to. The DPoP proofs seen and the
/// single-use tokens used are kept in a [`VerifierState`]: in memory by
/// default, shared by the resource's replicas with [`Self::with_state`].
#[derive(Debug)]
pub struct ResourceGuard {
    issuer: String,
    audience: String,
    token_keys: RwLock<Vec<JWK>>,
    state: Arc<dyn VerifierState>,
    audit: Option<(Arc<dyn AuditSink>, String)>,
}

fn unavailable(e: credence_core::StateError) -> TokenError {
    TokenError::StateUnavailable(e.to_string())
}

/// The public keys of a JWKS document (`{"keys": [..]}`); members that
/// are not keys are skipped.
pub fn keys_from_jwks(jwks: &serde_json::Value) -> Vec<JWK> {
    jwks["keys"]
        .as_array()
        .map(|keys| {
            keys.iter()
                .filter_map(|k| serde_json::from_value::<JWK>(k.clone()).ok())
                .filter(JWK::is_public)
                .collect()
        })
        .unwrap_or_default()
}

/// What a request asks to do, for the scope check and the audit entry.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// The audit action (`resource_access`, `mcp_tool_call`, …).
    pub action: &'a str,
    /// What is being done, for the audit reason (`tools/call pay_invoice`).
    pub description: String,
    /// The scope the token must grant, if any.
    pub scope: Option<&'a str>,
}

/// A request as the guard needs to see it.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The `DPoP` header, if any.
    pub dpop: Option<&'a str>,
    /// The HTTP method.
    pub method: &'a str,
    /// The full URL the client called (scheme, host, path).
    pub url: &'a str,
    /// The request body, for per-step tokens bound to one request.
    pub body: &'a [u8],
}

impl ResourceGuard {
    /// A guard for `audience`, trusting tokens from `issuer` signed by
    /// `token_key` (from the verifier's JWKS).
    pub fn new(issuer: &str, audience: &str, token_key: JWK) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            token_keys: RwLock::new(vec![token_key]),
            state: Arc::new(MemoryState::default()),
            audit: None,
        }
    }

    /// Accepts tokens signed by any of `keys` (the token service's JWKS,
    /// [`keys_from_jwks`]) chosen by the token's `kid`.
    pub fn with_token_keys(self, keys: Vec<JWK>) -> Self {
        self.set_token_keys(keys);
        self
    }

    /// Replaces the accepted keys (a refreshed JWKS after a rotation); an
    /// empty list is ignored.
    pub fn set_token_keys(&self, keys: Vec<JWK>) {
        if !keys.is_empty() {
            *self.token_keys.write().unwrap_or_else(|p| p.into_inner()) = keys;
        }
    }

    /// Keeps the seen DPoP proofs and used single-use tokens in `state`
    /// (sled, or Redis shared by the resource's replicas): a captured
    /// request replayed at another replica, or after a restart, is refused.
    pub fn with_state(mut self, state: Arc<dyn VerifierState>) -> Self {
        self.state = state;
        self
    }

    /// Records every allow and deny in `log`, as `actor` (the resource's
    /// identifier), under the token's correlation id.
    pub fn with_audit(mut self, log: Arc<dyn AuditSink>, actor: &str) -> Self {
        self.audit = Some((log, actor.to_owned()));
        self
    }

    /// Checks the request's token and DPoP proof and that the token grants
    /// `scope`, at `now` (Unix seconds); per-step tokens must match the
    /// request and are accepted once. Returns the token's claims. The
    /// decision is audited when a log is attached.
    pub async fn check(
        &self,
        request: RequestParts<'_>,
        scope: &str,
        now: i64,
    ) -> Result<AccessTokenClaims, TokenError> {
        let operation = Operation {
            action: "resource_access",
            description: format!("{} {} with {scope}", request.method, request.url),
            scope: Some(scope),
        };
        self.check_operation(request, &operation, now).await
    }

    /// [`check`](Self::check) for one named operation: the token and DPoP
    /// proof always, the scope only when the operation needs one (an MCP
    /// `initialize` needs none, a tool call its tool's). The decision is
    /// audited as `operation.action` with its description.
    pub async fn check_operation(
        &self,
        request: RequestParts<'_>,
        operation: &Operation<'_>,
        now: i64,
    ) -> Result<AccessTokenClaims, TokenError> {
        let outcome = self.check_unaudited(request, operation.scope, now).await;
        if let Some((log, actor)) = &self.audit {
            let unverified = request
                .authorization
                .and_then(|a| a.split_once(' '))
                .and_then(|(_, t)| jws::decode_unverified(t.trim()).ok())
                .and_then(|(_, p)| serde_json::from_slice::<AccessTokenClaims>(&p).ok());
            let (decision, reason) = match &outcome {
                Ok(_) => ("allow", operation.description.clone()),
                Err(e) => (
                    "deny",
                    format!("{}: {}: {e}", operation.description, e.code()),
                ),
            };
            let cid = unverified
                .as_ref()
                .and_then(|c| c.cid.clone())
                .unwrap_or_else(|| "none".into());
            let mut record =
                AuditRecord::new(actor, operation.action, decision, &cid).reason(reason);
            // Unverified on a refusal: the audit says what the caller
            // claimed, the decision says it was not believed.
            if let Some(claims) = unverified {
                record.chain = claims.delegation_path();
                record.principal = Some(claims.sub);
            }
            log.append(record)
                .map_err(|e| TokenError::AuditFailed(e.to_string()))?;
        }
        outcome
    }

    async fn check_unaudited(
        &self,
        request: RequestParts<'_>,
        scope: Option<&str>,
        now: i64,
    ) -> Result<AccessTokenClaims, TokenError> {
        let authorization = request
            .authorization
            .ok_or_else(|| TokenError::Malformed("no Authorization header".into()))?;
        let (scheme, token) = authorization
            .split_once(' ')
            .ok_or_else(|| TokenError::Malformed("Authorization: DPoP <token> expected".into()))?;
        let key = {
            let keys = self.token_keys.read().unwrap_or_else(|p| p.into_inner());
            key_for_token(token.trim(), &keys)?.clone()
        };
        let claims =
            authenticate_access_token(token.trim(), &key, &self.issuer, &self.audience, now)?;
        if !scheme.eq_ignore_ascii_case("DPoP") {
            return Err(TokenError::DpopMissing);
        }
        let proof = request.dpop.ok_or(TokenError::DpopMissing)?;
        let dpop = verify_dpop(
            proof,
            token.trim(),
            &claims.cnf.jkt,
            request.method,
            request.url,
            now,
        )?;
        let window = replay_mark_until(dpop.iat.saturating_add(DPOP_WINDOW_SECS));
        let jti = StateKey::resource_jti(&dpop.jti);
        if !self
            .state
            .insert_new(&jti, b"", window, now)
            .await
            .map_err(unavailable)?
        {
            return Err(TokenError::DpopReplay);
        }
        if let Some(step) = &claims.step {
            if *step != step_digest(request.method, request.url, request.body) {
                return Err(TokenError::StepMismatch);
            }
        }
        if let Some(scope) = scope {
            if !claims.scopes().contains(&scope) {
                return Err(TokenError::InsufficientScope(scope.to_owned()));
            }
        }
        // Last: a single-use token is used up only by the request it allows.
        if claims.single_use {
            let used = StateKey::resource_used_token(&claims.jti);
            let until = replay_mark_until(claims.exp);
            let first = self.state.insert_new(&used, b"", until, now).await;
            if !first.map_err(unavailable)? {
                return Err(TokenError::SingleUseReplay);
            }
        }
        Ok(claims)
    }
}
