//! OpenID4VP 1.0 on the verifier side: transactions (a request with a
//! fresh nonce and `state`, answered by `direct_post` to the
//! `response_uri`), signed request objects ([`RequestSigner`]), the
//! verification of the posted `vp_token`, and response codes
//! ([`ResponseCodes`]) the agent exchanges for its token.
//!
//! A `vp_token` is verified as one decision: the `state` names a pending
//! transaction of this verifier; every key is a credential query id of
//! its DCQL query; each query's one presentation passes every check of its
//! format against that query alone (nonce = the transaction's, audience =
//! its client id); all share one holder; the answered ids satisfy the
//! query; only then is the transaction used up (once, of concurrent
//! answers exactly one). A delegation chain is accepted only in a
//! `vp_token` of one presentation.

mod request_object;
mod response_code;
mod vp_token;

pub use request_object::{RequestObjectError, RequestSigner, REQUEST_OBJECT_TTL_SECS};
pub use response_code::{ResponseCodes, RESPONSE_CODE_TTL_SECS};

use crate::runtime::Runtime;
use crate::{BindingError, ConstraintError, VerifiedPresentation, Verifier, VerifyError};
use credence_core::{
    correlation_id, fresh_nonce, AuditRecord, DcqlError, DcqlQuery, PresentationRequest,
};
use std::collections::BTreeSet;
use vp_token::{parse_vp_token, Answer};

/// Why a transaction could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// The DCQL query is malformed.
    #[error(transparent)]
    Dcql(#[from] DcqlError),
    /// The client id is not one this verifier accepts presentations for
    /// (see [`Verifier::with_client_id`]).
    #[error("{0} is not a client id of this verifier")]
    NotOwnClientId(String),
    /// The verifier state could not record the request.
    #[error(transparent)]
    State(#[from] credence_core::StateError),
}

impl Verifier {
    /// Starts an OpenID4VP transaction: a request for `dcql_query` under
    /// `client_id` (one of this verifier's), answered by `direct_post` to
    /// `response_uri`, with a fresh nonce and a fresh `state` (256 bits
    /// each), expiring with the verifier's request lifetime.
    pub async fn create_openid4vp_request(
        &self,
        dcql_query: DcqlQuery,
        client_id: &str,
        response_uri: &str,
    ) -> Result<PresentationRequest, TransactionError> {
        if !self.is_own_client_id(client_id) {
            return Err(TransactionError::NotOwnClientId(client_id.to_owned()));
        }
        dcql_query.validate()?;
        let now = self.clock.now().timestamp();
        let mut request =
            PresentationRequest::for_query(client_id, dcql_query, now + self.request_ttl_secs);
        request.state = Some(fresh_nonce());
        request.response_uri = Some(response_uri.to_owned());
        self.nonces.insert(&request, now).await?;
        Ok(request)
    }

    /// The pending transaction `state` names (nothing used up): what a
    /// `request_uri` serves.
    pub async fn pending_transaction(
        &self,
        state: &str,
    ) -> Result<PresentationRequest, VerifyError> {
        self.nonces
            .pending_state(state, self.clock.now().timestamp())
            .await
    }

    /// Verifies and audits an OpenID4VP `direct_post` answer: its `state`
    /// and `vp_token` as posted (see the module documentation).
    pub async fn verify_direct_post(
        &self,
        state: Option<&str>,
        vp_token: Option<&str>,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let outcome = self.direct_post_unaudited(state, vp_token).await;
        let holder = outcome.as_ref().map_or("unknown", |v| v.holder.as_str());
        let correlation = outcome.as_ref().map_or_else(
            |_| correlation_id(state.unwrap_or("none")),
            |v| v.correlation.clone(),
        );
        let chain = outcome.as_ref().ok().and_then(|v| v.chain.as_ref());
        let mut record = AuditRecord::new(
            holder,
            "verify_direct_post",
            if outcome.is_ok() { "allow" } else { "deny" },
            &correlation,
        );
        record.principal = chain.map(|c| c.principal.clone());
        record.chain = chain.map(crate::VerifiedChain::path).unwrap_or_default();
        record.reason = outcome.as_ref().err().map(|e| format!("{}: {e}", e.code()));
        let logged = self.record(record);
        let verified = outcome?;
        logged.map(|()| verified)
    }

    async fn direct_post_unaudited(
        &self,
        state: Option<&str>,
        vp_token: Option<&str>,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let rt = self.runtime();
        let now = self.clock.now();
        let state = state
            .filter(|s| !s.is_empty())
            .ok_or_else(|| BindingError::StateMismatch("the answer has no state".into()))?;
        let request = self.nonces.pending_state(state, now.timestamp()).await?;
        let vp_token = vp_token.ok_or_else(|| BindingError::VpToken("missing".into()))?;
        let answers = parse_vp_token(vp_token, &request)?;
        let answered: BTreeSet<&str> = answers.iter().map(|(id, _)| id.as_str()).collect();
        if !request.dcql_query.satisfied_by(&answered) {
            return Err(ConstraintError::RequestNotSatisfied(format!(
                "the vp_token answers {answered:?}, which does not satisfy the DCQL query"
            ))
            .into());
        }
        let mut verified: Option<VerifiedPresentation> = None;
        let several = answers.len() > 1;
        for (id, answer) in &answers {
            let one = self
                .verify_one_answer(id, answer, &request, &rt, now)
                .await?;
            if several && one.chain.is_some() {
                return Err(BindingError::VpToken(
                    "a delegation chain is accepted only in a vp_token of one presentation".into(),
                )
                .into());
            }
            verified = Some(match verified {
                None => one,
                Some(all) => merged(all, one)?,
            });
        }
        let verified = verified.ok_or_else(|| BindingError::VpToken("no presentation".into()))?;
        // Last: only an accepted answer uses up the transaction.
        self.nonces.consume(&request.nonce, now.timestamp()).await?;
        Ok(verified)
    }

    /// One presentation, checked against its query alone.
    async fn verify_one_answer(
        &self,
        id: &str,
        answer: &Answer,
        request: &PresentationRequest,
        rt: &Runtime,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let mut only = request.clone();
        only.dcql_query = DcqlQuery {
            credentials: request.dcql_query.query(id).into_iter().cloned().collect(),
            credential_sets: None,
        };
        match answer {
            Answer::Ldp(vp) => self.verify_answer(vp, &only, rt, now).await,
            Answer::SdJwt(sd) => self.verify_sd_jwt_answer(sd, &only, rt, now).await,
        }
    }
}

/// The presentations of one answer, as one: every one by the same holder
/// (and key).
fn merged(
    mut all: VerifiedPresentation,
    one: VerifiedPresentation,
) -> Result<VerifiedPresentation, BindingError> {
    if one.holder != all.holder || one.holder_jkt != all.holder_jkt {
        return Err(BindingError::HolderMismatch(format!(
            "the vp_token's presentations are by {} and {}",
            all.holder, one.holder
        )));
    }
    all.credentials.extend(one.credentials);
    Ok(all)
}
