//! The verifier: issues presentation requests and turns presentations into
//! verified facts, under one policy snapshot per decision. It holds no
//! signing key: minting is the [`crate::TokenIssuer`]'s.

use crate::checks::binding::{domain, pending_request, presentation_header};
use crate::checks::constraints::{check_constraints, named_claims};
use crate::checks::credential::{verify_credential, ProvenCredential};
use crate::checks::delegation::{verify_chain, ChainContext};
use crate::checks::holder::{verify_holder, Holder};
use crate::checks::proofs::ProofEnv;
use crate::checks::request::{check_request, Terms};
use crate::checks::status::check_status;
use crate::checks::validity::check_validity;
use crate::nonce::NonceStore;
use crate::parse::UnverifiedPresentation;
use crate::signed::paths::PathResolver;
use crate::signed::{safe_documents, SafeMode};
use crate::status_list::StatusLists;
use crate::verified::{VerifiedChain, VerifiedCredential, VerifiedPresentation};
use crate::{BindingError, TrustPolicy, VerifyError};
use credence_core::{
    context_loader, correlation_id, expand_credential_type, AuditRecord, AuditSink, ClaimPath,
    Clock, PresentationRequest, SystemClock, AGENT_CREDENTIAL_TYPE,
};
use credence_did::{CacheConfig, DidResolver, FetchLimits, ResolveDid};
use serde_json::Value;
use ssi::json_ld::ContextLoader;
use std::sync::{Arc, RwLock};

/// A verifier for one organization.
pub struct Verifier {
    pub(crate) id: String,
    policy: RwLock<Arc<TrustPolicy>>,
    pub(crate) clock: Arc<dyn Clock>,
    request_ttl_secs: i64,
    nonces: NonceStore,
    pub(crate) loader: ContextLoader,
    pub(crate) safe: Arc<SafeMode>,
    pub(crate) resolver: Arc<dyn ResolveDid>,
    pub(crate) status: Arc<StatusLists>,
    paths: PathResolver,
    pub(crate) audit: Option<Arc<dyn AuditSink>>,
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
            policy: RwLock::new(Arc::new(policy)),
            clock: Arc::new(SystemClock),
            request_ttl_secs: 120,
            nonces: NonceStore::default(),
            loader: context_loader(),
            safe: Arc::new(SafeMode::new(context_loader())),
            resolver: Arc::new(DidResolver::default()),
            status: Arc::new(StatusLists::new(FetchLimits::default(), status_cache())),
            paths: PathResolver::default(),
            audit: None,
        }
    }

    /// Appends every decision (allow or deny, with its reason) to `sink`.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = Some(sink);
        self
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
        self
    }

    /// Fetches status lists with these limits and caches them so.
    pub fn with_status_fetching(mut self, limits: FetchLimits, cache: CacheConfig) -> Self {
        self.status = Arc::new(StatusLists::new(limits, cache));
        self
    }

    /// Uses another JSON-LD context loader.
    pub fn with_loader(mut self, loader: ContextLoader) -> Self {
        self.safe = Arc::new(SafeMode::new(loader.clone()));
        self.loader = loader;
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
        self.policy
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the trust policy; decisions already under way finish under
    /// the snapshot they started with.
    pub fn set_policy(&self, policy: TrustPolicy) {
        *self.policy.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(policy);
    }

    /// Accepts answers to a request this verifier did not create itself
    /// (offline verification of a request file). The nonce becomes
    /// single-use like any other.
    pub fn register_request(&self, request: PresentationRequest) {
        self.nonces.insert(request, self.clock.now().timestamp());
    }

    /// Issues a request for an `AgentCredential` disclosing `claims`
    /// (subject claim names), with a fresh single-use nonce.
    pub fn create_request(&self, claims: &[&str]) -> PresentationRequest {
        let now = self.clock.now().timestamp();
        let request = PresentationRequest::new(
            &self.id,
            vec![
                expand_credential_type("VerifiableCredential"),
                expand_credential_type(AGENT_CREDENTIAL_TYPE),
            ],
            claims.iter().map(|c| ClaimPath::subject(c)).collect(),
            now + self.request_ttl_secs,
        );
        self.nonces.insert(request.clone(), now);
        request
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
    /// docs/verification.md lists. Not audited: see
    /// [`Verifier::verify_presentation`].
    pub async fn verify(
        &self,
        vp: UnverifiedPresentation,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let policy = self.policy();
        let now = self.clock.now();
        let env = ProofEnv {
            resolver: self.resolver.as_ref(),
            loader: &self.loader,
            safe: &self.safe,
            now,
        };
        let (challenge, request) = pending_request(&self.nonces, &vp.proof, now.timestamp())?;
        domain(&vp.proof, &request, &self.id)?;
        let safe = safe_documents(&vp, &self.safe).await?;
        let holder = verify_holder(&vp, &safe.presentation, env).await?;
        let proven =
            verify_credential(&vp.credential, safe.credential, &policy, env, &self.paths).await?;
        presentation_header(&proven.presentation_header, &challenge)?;
        bound_to_holder(&proven, &holder)?;
        check_validity(&proven.statements, &proven.issuer, now)?;
        let terms = self.terms(&vp.credential);
        check_request(&proven.statements, &request, &terms).await?;
        check_status(&proven.statements, &proven.issuer, &self.status, env).await?;
        let names = policy.claim_names(&proven.credential_type);
        let mut claims = named_claims(&proven.statements, &names, &terms).await;
        check_constraints(
            &policy,
            &proven.issuer.did,
            &proven.credential_type,
            &claims,
        )?;
        let chain = match vp.delegations.as_slice() {
            [] => None,
            links => {
                let cx = ChainContext {
                    policy: &policy,
                    env,
                    status: &self.status,
                    status_issuer: &proven.issuer.did,
                    status_urls: proven
                        .statements
                        .status
                        .iter()
                        .map(|e| e.list.as_str())
                        .collect(),
                };
                let chain = verify_chain(links, safe.links, &holder.did, &cx).await?;
                narrow_capabilities(&mut claims, &chain);
                Some(chain)
            }
        };
        // Last: only an accepted presentation uses up the request, and of
        // concurrent ones exactly one does.
        self.nonces.consume(&challenge, now.timestamp())?;
        Ok(VerifiedPresentation {
            credential: verified_credential(proven, claims, &vp.credential),
            holder: holder.did,
            holder_jkt: holder.jkt,
            verifier: self.id.clone(),
            chain,
            correlation: correlation_id(&challenge),
            policy,
        })
    }

    fn terms<'a>(&'a self, credential: &'a Value) -> Terms<'a> {
        Terms {
            context: credential.get("@context").unwrap_or(&Value::Null),
            types: credential.get("type").unwrap_or(&Value::Null),
            paths: &self.paths,
            loader: &self.loader,
        }
    }
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

/// With a chain, the token speaks for the principal: it may carry only
/// what every link delegated. The capabilities are narrowed to the
/// chain's, and no other claim feeds a scope rule (a rule on, say, the
/// agent's model would grant what no link delegated).
fn narrow_capabilities(claims: &mut crate::policy::NamedClaims, chain: &VerifiedChain) {
    claims.retain(|name, _| name == "capabilities");
    if let Some(values) = claims.get_mut("capabilities") {
        values.retain(|v| {
            v.as_text()
                .is_some_and(|c| chain.capabilities.iter().any(|x| x == c))
        });
    }
}

fn verified_credential(
    proven: ProvenCredential,
    claims: crate::policy::NamedClaims,
    document: &Value,
) -> VerifiedCredential {
    let mut disclosed = document
        .get("credentialSubject")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    disclosed.remove("id");
    let s = proven.statements;
    VerifiedCredential {
        subject: s.subject_id.clone().unwrap_or_default(),
        issuer: s.issuer,
        credential_type: proven.credential_type,
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
