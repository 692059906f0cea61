//! The verifier: issues presentation requests and turns presentations into
//! verified facts, under one policy snapshot per decision. It holds no
//! signing key: minting is the [`crate::TokenIssuer`]'s.

use crate::checks::binding::{domain, pending_request, presentation_header};
use crate::checks::constraints::{check_constraints, named_claims};
use crate::checks::credential::{verify_credential, ProvenCredential};
use crate::checks::delegation::{verify_chain, ChainContext};
use crate::checks::holder::{verify_holder, Holder};
use crate::checks::proofs::ProofEnv;
use crate::checks::request::{answers, assign, Candidates, Terms};
use crate::checks::status::check_status;
use crate::checks::validity::check_validity;
use crate::nonce::NonceStore;
use crate::openid4vp::TransactionError;
use crate::parse::UnverifiedPresentation;
use crate::policy::narrow_claims;
use crate::runtime::Runtime;
use crate::signed::graph::Statements;
use crate::signed::{safe_documents, SafeMode};
use crate::status_list::StatusLists;
use crate::verified::{VerifiedChain, VerifiedCredential, VerifiedPresentation};
use crate::{BindingError, TrustPolicy, VerifyError};
use credence_core::{
    context_loader, correlation_id, AuditRecord, AuditSink, Clock, DcqlQuery, PresentationRequest,
    SystemClock, VerifierState,
};
use credence_did::{CacheConfig, DidResolver, FetchLimits, ResolveDid};
use serde_json::Value;
use std::sync::{Arc, RwLock};

/// A verifier for one organization.
pub struct Verifier {
    pub(crate) id: String,
    runtime: RwLock<Arc<Runtime>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) request_ttl_secs: i64,
    pub(crate) nonces: NonceStore,
    pub(crate) safe: Arc<SafeMode>,
    pub(crate) resolver: Arc<dyn ResolveDid>,
    pub(crate) status: Arc<StatusLists>,
    pub(crate) token_status: Arc<crate::sd_jwt::status::TokenStatusLists>,
    /// SD-JWT holders (did:key/did:jwk) whose `cnf.jwk` was found to be
    /// their authentication key: computed from the DID alone, so kept.
    pub(crate) sd_jwt_holders: crate::signed::bounded::Bounded<()>,
    pub(crate) audit: Option<Arc<dyn AuditSink>>,
    /// The client ids presentations may be made for: the id, and the
    /// OpenID4VP client id ([`Verifier::with_client_id`]).
    pub(crate) client_ids: Vec<String>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier identified by `id` (its OAuth client id: the `domain`
    /// presentations must be made for), applying `policy`.
    pub fn new(id: &str, policy: TrustPolicy) -> Self {
        Self {
            id: id.to_owned(),
            runtime: RwLock::new(Arc::new(Runtime::new(policy))),
            clock: Arc::new(SystemClock),
            request_ttl_secs: 120,
            nonces: NonceStore::new(Arc::new(credence_core::MemoryState::default())),
            safe: Arc::new(SafeMode::new(context_loader())),
            resolver: Arc::new(DidResolver::default()),
            status: Arc::new(StatusLists::new(FetchLimits::default(), status_cache())),
            token_status: Arc::new(crate::sd_jwt::status::TokenStatusLists::new(
                FetchLimits::default(),
                status_cache(),
            )),
            sd_jwt_holders: Default::default(),
            audit: None,
            client_ids: vec![id.to_owned()],
        }
    }

    /// Appends every decision (allow or deny, with its reason) to `sink`.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = Some(sink);
        self
    }

    /// Keeps nonces, replay marks and token records in `state` (sled or
    /// Redis: `credence_store::open_state`) instead of this process's
    /// memory. Replicas answering each other's requests share one state;
    /// a [`crate::TokenIssuer`] made afterwards uses the same one.
    pub fn with_state(mut self, state: Arc<dyn VerifierState>) -> Self {
        self.nonces = NonceStore::new(state);
        self
    }

    /// The state backend.
    pub fn state(&self) -> &Arc<dyn VerifierState> {
        self.nonces.state()
    }

    /// Resolves DIDs with `resolver` instead of the default [`DidResolver`].
    pub fn with_resolver(mut self, resolver: Arc<dyn ResolveDid>) -> Self {
        self.resolver = resolver;
        self
    }

    /// Verifies offline: DIDs resolve from `documents` (did:key and
    /// did:jwk are computed) and status from its list credentials, each
    /// still verified against its issuer; nothing is fetched, and a status
    /// URL not supplied is unavailable.
    pub fn offline(mut self, documents: crate::OfflineDocuments) -> Self {
        self.resolver = Arc::new(documents.dids);
        self.status = Arc::new(StatusLists::provided(documents.status_lists));
        self.token_status = Arc::new(crate::sd_jwt::status::TokenStatusLists::provided(
            documents.status_list_tokens,
        ));
        self
    }

    /// Fetches status lists with these limits and caches them so.
    pub fn with_status_fetching(mut self, limits: FetchLimits, cache: CacheConfig) -> Self {
        self.status = Arc::new(StatusLists::new(limits.clone(), cache.clone()));
        self.token_status = Arc::new(crate::sd_jwt::status::TokenStatusLists::new(limits, cache));
        self
    }

    /// Also accepts presentations made for `client_id` — its OpenID4VP
    /// client id, `decentralized_identifier:<its DID>` — and lets
    /// [`Verifier::create_openid4vp_request`] issue requests under it.
    pub fn with_client_id(mut self, client_id: &str) -> Self {
        if !self.client_ids.iter().any(|c| c == client_id) {
            self.client_ids.push(client_id.to_owned());
        }
        self
    }

    /// Whether presentations may be made for `client_id`.
    pub fn is_own_client_id(&self, client_id: &str) -> bool {
        self.client_ids.iter().any(|c| c == client_id)
    }

    /// Requests this verifier issues expire after `secs` (default 120;
    /// clamped to 10..=3600).
    pub fn with_request_ttl(mut self, secs: i64) -> Self {
        self.request_ttl_secs = secs.clamp(10, 3600);
        self
    }

    /// Uses another clock (tests, offline verification).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// This verifier's identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The resolver for DIDs.
    pub fn resolver(&self) -> &Arc<dyn ResolveDid> {
        &self.resolver
    }

    /// The trust policy in force.
    pub fn policy(&self) -> Arc<TrustPolicy> {
        self.runtime().policy.clone()
    }

    pub(crate) fn runtime(&self) -> Arc<Runtime> {
        self.runtime
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the trust policy (and the contexts it declares); decisions
    /// already under way finish under the snapshot they started with.
    pub fn set_policy(&self, policy: TrustPolicy) {
        *self.runtime.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Runtime::new(policy));
    }

    /// Accepts answers to a request this verifier did not create itself
    /// (offline verification of a request file). The nonce becomes
    /// single-use like any other.
    /// A malformed DCQL query is refused, as by
    /// [`Verifier::create_request_for`].
    pub async fn register_request(
        &self,
        request: PresentationRequest,
    ) -> Result<(), TransactionError> {
        request.dcql_query.validate()?;
        let now = self.clock.now().timestamp();
        self.nonces.insert(&request, now).await?;
        Ok(())
    }

    /// Issues a request for the credentials `dcql_query` describes, with a
    /// fresh single-use nonce; a malformed query is refused.
    pub async fn create_request_for(
        &self,
        dcql_query: DcqlQuery,
    ) -> Result<PresentationRequest, TransactionError> {
        dcql_query.validate()?;
        let now = self.clock.now().timestamp();
        let request =
            PresentationRequest::for_query(&self.id, dcql_query, now + self.request_ttl_secs);
        self.nonces.insert(&request, now).await?;
        Ok(request)
    }

    pub(crate) fn record(&self, record: AuditRecord) -> Result<(), VerifyError> {
        match &self.audit {
            Some(sink) => sink
                .append(record)
                .map_err(|e| VerifyError::AuditFailed(e.to_string())),
            None => Ok(()),
        }
    }

    /// Parses, verifies and audits a presentation off the wire (under the
    /// exchange's correlation id, derived from the nonce).
    pub async fn verify_presentation(
        &self,
        vp: &Value,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let claimed = |k: &str| {
            vp.pointer(k)
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned()
        };
        let correlation = correlation_id(&claimed("/proof/challenge"));
        let outcome = match UnverifiedPresentation::parse(vp) {
            Ok(parsed) => self.verify(parsed).await,
            Err(e) => Err(e.into()),
        };
        let chain = outcome.as_ref().ok().and_then(|v| v.chain.as_ref());
        let mut record = AuditRecord::new(
            &claimed("/holder"),
            "verify_presentation",
            if outcome.is_ok() { "allow" } else { "deny" },
            &correlation,
        );
        record.principal = chain.map(|c| c.principal.clone());
        record.chain = chain.map(VerifiedChain::path).unwrap_or_default();
        record.reason = outcome.as_ref().err().map(|e| format!("{}: {e}", e.code()));
        let logged = self.record(record);
        let verified = outcome?;
        logged.map(|()| verified)
    }

    /// Verifies a presentation answering one of this verifier's requests,
    /// with its delegation chain when it carries one, in the order
    /// docs/verification.md lists, under one policy snapshot. Not audited:
    /// see [`Verifier::verify_presentation`].
    pub async fn verify(
        &self,
        vp: UnverifiedPresentation,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let rt = self.runtime();
        let now = self.clock.now();
        let (challenge, request) =
            pending_request(&self.nonces, &vp.proof, now.timestamp()).await?;
        let verified = self.verify_answer(&vp, &request, &rt, now).await?;
        // Last: only an accepted presentation uses up the request, and of
        // concurrent ones exactly one does.
        self.nonces.consume(&challenge, now.timestamp()).await?;
        Ok(verified)
    }

    /// Every check of [`Verifier::verify`] for a presentation answering
    /// `request` (pending, looked up by the caller), except using the
    /// request up.
    pub(crate) async fn verify_answer(
        &self,
        vp: &UnverifiedPresentation,
        request: &PresentationRequest,
        rt: &Runtime,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let env = ProofEnv {
            resolver: self.resolver.as_ref(),
            safe: &rt.safe,
            now,
        };
        let challenge = request.nonce.as_str();
        if vp.proof.challenge.as_deref() != Some(challenge) {
            return Err(BindingError::NonceMismatch(
                "the presentation is bound to another nonce".into(),
            )
            .into());
        }
        domain(&vp.proof, request, &self.client_ids)?;
        let safe = safe_documents(vp, &rt.safe, &rt.context_urls()).await?;
        let holder = verify_holder(vp, &safe.presentation, env).await?;
        let mut proven = Vec::with_capacity(vp.credentials.len());
        for (document, stated) in vp.credentials.iter().zip(safe.credentials) {
            let one = self
                .verify_one(document, stated, rt, env, (&holder, challenge))
                .await?;
            proven.push(one);
        }
        let queries = answered_queries(&proven, &vp.credentials, request, rt).await?;
        let mut credentials = Vec::with_capacity(proven.len());
        for ((one, document), query) in proven.into_iter().zip(&vp.credentials).zip(queries) {
            credentials.push(policy_view(one, document, query, rt).await?);
        }
        let chain = match vp.delegations.as_slice() {
            [] => None,
            links => {
                let cx = ChainContext::new(&rt.policy, env, &self.status, &credentials);
                let chain = verify_chain(links, safe.links, &holder.did, &cx).await?;
                let delegated = rt.policy.delegation.as_ref();
                for c in &mut credentials {
                    narrow_claims(
                        delegated,
                        &c.policy_types,
                        &mut c.claims,
                        &chain.capabilities,
                    );
                }
                Some(chain)
            }
        };
        Ok(VerifiedPresentation {
            credentials,
            holder: holder.did,
            holder_jkt: holder.jkt,
            verifier: self.id.clone(),
            chain,
            correlation: correlation_id(challenge),
            policy: rt.policy.clone(),
        })
    }

    /// One credential: trust, proof, presentation header, subject = holder,
    /// validity, status.
    async fn verify_one(
        &self,
        document: &Value,
        stated: Statements,
        rt: &Runtime,
        env: ProofEnv<'_>,
        (holder, challenge): (&Holder, &str),
    ) -> Result<ProvenCredential, VerifyError> {
        let proven = verify_credential(document, stated, rt, env).await?;
        if let Some(header) = &proven.presentation_header {
            presentation_header(header, challenge, proven.issuer.require_presentation_header)?;
        }
        bound_to_holder(&proven, holder)?;
        check_validity(&proven.statements, &proven.issuer, env.now)?;
        check_status(&proven.statements, &proven.issuer, &self.status, env).await?;
        Ok(proven)
    }
}

/// Where `document`'s claim names resolve.
fn terms<'a>(document: &'a Value, rt: &'a Runtime) -> Terms<'a> {
    Terms {
        context: document.get("@context").unwrap_or(&Value::Null),
        types: document.get("type").unwrap_or(&Value::Null),
        paths: &rt.paths,
        loader: &rt.loader,
    }
}

/// The credential query each credential answers.
async fn answered_queries(
    proven: &[ProvenCredential],
    documents: &[Value],
    request: &PresentationRequest,
    rt: &Runtime,
) -> Result<Vec<String>, VerifyError> {
    let mut candidates: Candidates = Vec::with_capacity(proven.len());
    for (one, document) in proven.iter().zip(documents) {
        let terms = terms(document, rt);
        let mut matched = Vec::new();
        let mut first_reason = None;
        for (q, query) in request.dcql_query.credentials.iter().enumerate() {
            match answers(&one.statements, &one.trusted_iris, query, &terms).await {
                Ok(()) => matched.push(q),
                Err(e) => {
                    first_reason.get_or_insert(e);
                }
            }
        }
        candidates.push(match first_reason {
            Some(reason) if matched.is_empty() => Err(reason),
            _ => Ok(matched),
        });
    }
    Ok(assign(&candidates, request)?)
}

/// The claims the policy reads for the credential's types, and its
/// constraints checked on them.
pub(crate) async fn policy_view(
    proven: ProvenCredential,
    document: &Value,
    query: String,
    rt: &Runtime,
) -> Result<VerifiedCredential, VerifyError> {
    let names = rt.policy.claim_names(&proven.types);
    let claims = named_claims(&proven.statements, &names, &terms(document, rt)).await;
    let credential = verified_credential(proven, claims, document, query);
    check_constraints(&rt.policy, credential.facts())?;
    Ok(credential)
}

/// The credential's subject is the holder who signed the presentation.
fn bound_to_holder(proven: &ProvenCredential, holder: &Holder) -> Result<(), BindingError> {
    if proven.statements.subject_id.as_deref() != Some(holder.did.as_str()) {
        return Err(BindingError::HolderMismatch(
            "the credential subject is not the presentation holder".into(),
        ));
    }
    Ok(())
}

fn verified_credential(
    proven: ProvenCredential,
    claims: crate::policy::NamedClaims,
    document: &Value,
    query: String,
) -> VerifiedCredential {
    let mut disclosed = document
        .get("credentialSubject")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    disclosed.remove("id");
    let s = proven.statements;
    VerifiedCredential {
        query,
        subject: s.subject_id.clone().unwrap_or_default(),
        issuer: s.issuer,
        policy_types: proven.types,
        types: s.types,
        valid_until: s.valid_until,
        status: s.status,
        claims,
        disclosed,
        method: proven.method,
    }
}

fn status_cache() -> CacheConfig {
    CacheConfig {
        ttl: std::time::Duration::from_secs(30),
        capacity: 256,
    }
}
