//! The verifier: issues presentation requests and turns presentations into
//! verified facts.

use crate::delegation::{verify_chain, ChainContext};
use crate::keys::bbs_key;
use crate::nonce::NonceStore;
use crate::presentation::{check_context, UnverifiedPresentation, VerifiedPresentation};
use crate::status::StatusChecker;
use crate::{ProofTarget, TrustPolicy, VerifyError};
use chrono::{DateTime, Utc};
use credence_bbs2023::{verify_derived, Bbs2023Error};
use credence_core::{
    context_loader, expand_credential_type, ClaimPath, Clock, PresentationRequest, SystemClock,
    AGENT_CREDENTIAL_TYPE, CREDENCE_CONTEXT_URL, VC_V2_CONTEXT_URL,
};
use credence_core::{correlation_id, verify_eddsa_rdfc};
use credence_core::{AuditRecord, AuditSink};
use credence_did::{
    authorized_in, authorized_method, did_of, CacheConfig, DidResolver, FetchLimits, LocalResolver,
    ResolveDid,
};
use serde_json::{Map, Value};
use ssi::json_ld::ContextLoader;
use ssi::JWK;
use std::sync::{Arc, RwLock};

/// A credential whose derived bbs-2023 proof verified against a key its
/// controller authorizes for `assertionMethod`.
#[derive(Debug, Clone)]
pub struct VerifiedCredential {
    /// The verification method that signed it.
    pub verification_method: String,
    /// The presentation header bound into the proof.
    pub presentation_header: Vec<u8>,
    /// The credential as received.
    pub document: Value,
}

/// A verifier for one organization.
pub struct Verifier {
    pub(crate) id: String,
    policy: RwLock<Arc<TrustPolicy>>,
    pub(crate) signing_key: JWK,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) request_ttl_secs: i64,
    nonces: NonceStore,
    loader: ContextLoader,
    resolver: Arc<dyn ResolveDid>,
    pub(crate) status: StatusChecker,
    pub(crate) revoked: crate::token::RevokedTokens,
    pub(crate) derived: crate::token::DerivedTokens,
    pub(crate) dpop_seen: credence_core::ReplaySet,
    audit: Option<Arc<dyn AuditSink>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn parse_time(value: &Value, name: &str) -> Result<Option<DateTime<Utc>>, VerifyError> {
    match value.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| VerifyError::Malformed(format!("{name} is not a dateTime"))),
        Some(_) => Err(VerifyError::Malformed(format!("{name} must be a string"))),
    }
}

fn bad(target: ProofTarget, reason: impl ToString) -> VerifyError {
    VerifyError::BadProof {
        target,
        reason: reason.to_string(),
    }
}

impl Verifier {
    /// A verifier identified by `id` (its OAuth client id and the `iss` of
    /// its tokens), applying `policy`, signing tokens with `signing_key`
    /// (an Ed25519 JWK with its private part).
    pub fn new(id: &str, policy: TrustPolicy, signing_key: JWK) -> Self {
        Self {
            id: id.to_owned(),
            policy: RwLock::new(Arc::new(policy)),
            signing_key,
            clock: Arc::new(SystemClock),
            request_ttl_secs: 120,
            nonces: NonceStore::default(),
            loader: context_loader(),
            resolver: Arc::new(DidResolver::default()),
            status: StatusChecker::new(FetchLimits::default(), status_cache()),
            revoked: Default::default(),
            derived: Default::default(),
            dpop_seen: Default::default(),
            audit: None,
        }
    }

    /// Appends every decision (allow or deny, with its reason), every
    /// token minted, exchanged or revoked, to `log`.
    pub fn with_audit(mut self, log: Arc<dyn AuditSink>) -> Self {
        self.audit = Some(log);
        self
    }

    /// The audit log, when one is attached.
    pub fn audit_log(&self) -> Option<&Arc<dyn AuditSink>> {
        self.audit.as_ref()
    }

    /// Appends `record` to the audit log. A decision that cannot be
    /// recorded is refused: nothing is allowed unaudited.
    pub(crate) fn audit(&self, record: AuditRecord) -> Result<(), VerifyError> {
        match &self.audit {
            Some(log) => log
                .append(record)
                .map_err(|e| VerifyError::AuditFailed(e.to_string())),
            None => Ok(()),
        }
    }

    /// Records `outcome` of `action` by `actor` (for `principal`, through
    /// the delegation path `chain`) and passes it through.
    pub(crate) fn audited<T>(
        &self,
        outcome: Result<T, VerifyError>,
        action: &str,
        actor: &str,
        principal: Option<&str>,
        chain: Vec<String>,
        correlation: &str,
    ) -> Result<T, VerifyError> {
        let (decision, reason) = match &outcome {
            Ok(_) => ("allow", None),
            Err(e) => ("deny", Some(format!("{}: {e}", e.code()))),
        };
        let mut record = AuditRecord::new(actor, action, decision, correlation);
        record.principal = principal.map(str::to_owned);
        record.chain = chain;
        record.reason = reason;
        let logged = self.audit(record);
        let value = outcome?;
        logged.map(|()| value)
    }

    /// Resolves issuer DIDs with `resolver` instead of the default
    /// [`DidResolver`].
    pub fn with_resolver(mut self, resolver: Arc<dyn ResolveDid>) -> Self {
        self.resolver = resolver;
        self
    }

    /// Verifies offline: DIDs resolve from `documents` (did:key and
    /// did:jwk are computed) and status from its list credentials, each
    /// still verified against its issuer; nothing is fetched, and a status
    /// URL not supplied is [`VerifyError::StatusUnavailable`].
    pub fn offline(mut self, documents: crate::OfflineDocuments) -> Self {
        self.resolver = Arc::new(documents.dids);
        self.status = StatusChecker::provided(documents.status_lists);
        self
    }

    /// Fetches status lists with these limits and caches them so.
    pub fn with_status_fetching(mut self, limits: FetchLimits, cache: CacheConfig) -> Self {
        self.status = StatusChecker::new(limits, cache);
        self
    }

    /// Uses another JSON-LD context loader (extra contexts for offline
    /// verification of other implementations' presentations).
    pub fn with_loader(mut self, loader: ContextLoader) -> Self {
        self.loader = loader;
        self
    }

    pub(crate) fn loader(&self) -> &ContextLoader {
        &self.loader
    }

    /// The resolver for issuer DIDs.
    pub fn resolver(&self) -> &Arc<dyn ResolveDid> {
        &self.resolver
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

    /// The trust policy in force.
    pub fn policy(&self) -> Arc<TrustPolicy> {
        self.policy
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the trust policy; requests already being verified finish
    /// under the policy they started with.
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

    /// Verifies a derived `bbs-2023` credential on its own: resolves the
    /// signing key, checks it is authorized for `assertionMethod`, and
    /// checks the BBS proof. No policy, validity or binding checks.
    pub async fn verify_credential(
        &self,
        credential: &Value,
    ) -> Result<VerifiedCredential, VerifyError> {
        verify_credential_with(credential, &self.loader, self.resolver.as_ref()).await
    }

    /// Verifies a presentation answering one of this verifier's requests,
    /// with its delegation chain when it carries one. The decision is
    /// audited under the exchange's correlation id (derived from the nonce).
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
        let outcome = self.verify_unaudited(vp, &correlation).await;
        let chain = outcome.as_ref().ok().and_then(|v| v.chain.as_ref());
        let principal = chain.map(|c| c.principal.clone());
        let path = chain.map(crate::VerifiedChain::path).unwrap_or_default();
        self.audited(
            outcome,
            "verify_presentation",
            &claimed("/holder"),
            principal.as_deref(),
            path,
            &correlation,
        )
    }

    async fn verify_unaudited(
        &self,
        vp: &Value,
        correlation: &str,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let now = self.clock.now();
        let vp = UnverifiedPresentation::parse(vp)?;

        // Bindings: the challenge is our single-use nonce, the domain is us.
        let challenge = vp.proof_str("challenge")?.to_owned();
        let request = self.nonces.consume(&challenge, now.timestamp())?;
        let domain = vp.domain()?;
        if domain != request.client_id || domain != self.id {
            return Err(VerifyError::AudienceMismatch {
                expected: self.id.clone(),
                found: domain,
            });
        }

        // The holder signed the presentation with an authentication key.
        if vp.proof_str("cryptosuite")? != "eddsa-rdfc-2022" {
            return Err(bad(
                ProofTarget::Presentation,
                "cryptosuite must be eddsa-rdfc-2022",
            ));
        }
        let vp_method = vp.proof_str("verificationMethod")?.to_owned();
        if did_of(&vp_method) != vp.holder() {
            return Err(VerifyError::HolderMismatch(format!(
                "presentation signed by {}, holder is {}",
                did_of(&vp_method),
                vp.holder()
            )));
        }
        if vp.proof_str("proofPurpose")? != "authentication" {
            return Err(VerifyError::KeyNotAuthorized {
                method: vp_method,
                purpose: "authentication".into(),
            });
        }
        // Holders are agents: did:key or did:jwk, resolved without I/O, so
        // a presentation cannot make the verifier fetch arbitrary URLs.
        if !LocalResolver::supports(vp.holder()) {
            return Err(VerifyError::ResolutionFailed {
                did: vp.holder().to_owned(),
                reason: "holders must use did:key or did:jwk".into(),
            });
        }
        let holder_doc = LocalResolver.resolve_did(vp.holder()).await?;
        let holder_method = authorized_in(&holder_doc, &vp_method, "authentication")?;
        self.verify_vp_signature(&vp.json, holder_doc, now).await?;

        // The embedded credential: its issuer must be trusted before
        // anything of it is resolved or fetched.
        let credential = &vp.credential;
        check_context(credential, &[VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL])?;
        let policy = self.policy();
        let claimed_issuer = credential
            .get("issuer")
            .and_then(Value::as_str)
            .ok_or_else(|| VerifyError::Malformed("issuer must be a DID string".into()))?;
        if !policy.trusts(claimed_issuer, AGENT_CREDENTIAL_TYPE) {
            return Err(VerifyError::UntrustedIssuer {
                issuer: claimed_issuer.to_owned(),
                credential_type: AGENT_CREDENTIAL_TYPE.into(),
            });
        }
        // Resolve nothing but the trusted issuer's own DID: a proof naming
        // another DID's key is refused before that DID is resolved.
        let named = credential
            .pointer("/proof/verificationMethod")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if did_of(named) != claimed_issuer {
            return Err(bad(
                ProofTarget::Credential,
                format!("signed by {named}, not by the issuer {claimed_issuer}"),
            ));
        }
        let verified =
            verify_credential_with(credential, &self.loader, self.resolver.as_ref()).await?;
        if verified.presentation_header != challenge.as_bytes() {
            return Err(VerifyError::NonceMismatch(
                "the credential proof is bound to another presentation header".into(),
            ));
        }
        let issuer = credential
            .get("issuer")
            .and_then(Value::as_str)
            .ok_or_else(|| VerifyError::Malformed("issuer must be a DID string".into()))?;
        if did_of(&verified.verification_method) != issuer {
            return Err(bad(
                ProofTarget::Credential,
                format!(
                    "signed by {}, not by the issuer {issuer}",
                    verified.verification_method
                ),
            ));
        }
        let subject = credential
            .get("credentialSubject")
            .and_then(Value::as_object)
            .ok_or_else(|| VerifyError::Malformed("credentialSubject must be an object".into()))?;
        if subject.get("id").and_then(Value::as_str) != Some(vp.holder()) {
            return Err(VerifyError::HolderMismatch(
                "the credential subject is not the presentation holder".into(),
            ));
        }

        // Validity window.
        if let Some(from) = parse_time(credential, "validFrom")? {
            if now < from {
                return Err(VerifyError::NotYetValid(from.to_rfc3339()));
            }
        }
        if let Some(until) = parse_time(credential, "validUntil")? {
            if now >= until {
                return Err(VerifyError::Expired(until.to_rfc3339()));
            }
        }

        // The request: type and claims.
        let types: Vec<String> = match credential.get("type") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(expand_credential_type)
                .collect(),
            Some(Value::String(s)) => vec![expand_credential_type(s)],
            _ => Vec::new(),
        };
        let wanted = request.dcql_query.credentials.first();
        let type_ok = wanted.is_some_and(|q| {
            q.meta
                .type_values
                .iter()
                .any(|set| set.iter().all(|t| types.contains(t)))
        });
        if !type_ok {
            return Err(VerifyError::WrongCredentialType(format!("{types:?}")));
        }
        for path in request.requested_claims() {
            if credential.pointer(&path.to_pointer()).is_none() {
                return Err(VerifyError::MissingClaim(path.to_string()));
            }
        }

        // Revocation and suspension.
        self.status
            .check(
                credential,
                issuer,
                self.resolver.as_ref(),
                &self.loader,
                now,
            )
            .await?;

        // Policy constraints on the disclosed claims.
        let mut claims: Map<String, Value> = subject.clone();
        claims.remove("id");
        if let Some(c) = policy.violated(issuer, AGENT_CREDENTIAL_TYPE, &claims) {
            return Err(VerifyError::ConstraintFailed {
                claim: c.claim.clone(),
                condition: c.condition.to_string(),
            });
        }

        // The delegation chain, if any: only what every link allows.
        let mut status_refs = vec![credential.clone()];
        let chain = if vp.delegations.is_empty() {
            None
        } else {
            let cx = ChainContext {
                policy: &policy,
                resolver: self.resolver.as_ref(),
                loader: &self.loader,
                status: &self.status,
                status_issuer: issuer,
                now,
            };
            let chain = verify_chain(&vp.delegations, vp.holder(), &cx).await?;
            if let Some(Value::Array(disclosed)) = claims.get("capabilities") {
                let narrowed: Vec<Value> = disclosed
                    .iter()
                    .filter(|c| {
                        c.as_str()
                            .is_some_and(|c| chain.capabilities.iter().any(|x| x == c))
                    })
                    .cloned()
                    .collect();
                claims.insert("capabilities".into(), Value::Array(narrowed));
            }
            status_refs.extend(vp.delegations.iter().cloned());
            Some(chain)
        };
        Ok(VerifiedPresentation {
            holder: vp.holder().to_owned(),
            holder_jkt: holder_method.jwk()?.thumbprint().map_err(|e| {
                VerifyError::ResolutionFailed {
                    did: vp.holder().to_owned(),
                    reason: e.to_string(),
                }
            })?,
            issuer: issuer.to_owned(),
            credential_type: AGENT_CREDENTIAL_TYPE.into(),
            claims,
            verifier: self.id.clone(),
            chain,
            status_refs,
            correlation: correlation.to_owned(),
        })
    }

    async fn verify_vp_signature(
        &self,
        vp: &Value,
        holder_doc: Value,
        now: DateTime<Utc>,
    ) -> Result<(), VerifyError> {
        verify_eddsa_rdfc(vp, holder_doc, &self.loader, now)
            .await
            .map_err(|e| bad(ProofTarget::Presentation, e))
    }
}

fn status_cache() -> CacheConfig {
    CacheConfig {
        ttl: std::time::Duration::from_secs(30),
        capacity: 256,
    }
}

/// Verifies a derived bbs-2023 credential (see [`Verifier::verify_credential`]),
/// resolving its issuer with `resolver`.
pub async fn verify_credential_with(
    credential: &Value,
    loader: &ContextLoader,
    resolver: &dyn ResolveDid,
) -> Result<VerifiedCredential, VerifyError> {
    let config = credence_bbs2023::ProofConfig::from_document(credential).map_err(|e| match e {
        Bbs2023Error::MissingProof | Bbs2023Error::InvalidDocument(_) => {
            VerifyError::Malformed(e.to_string())
        }
        other => bad(ProofTarget::Credential, other),
    })?;
    if config.proof_purpose != "assertionMethod" {
        return Err(VerifyError::KeyNotAuthorized {
            method: config.verification_method,
            purpose: "assertionMethod".into(),
        });
    }
    let method =
        authorized_method(resolver, &config.verification_method, "assertionMethod").await?;
    let key = bbs_key(&method)?;
    let verified = verify_derived(credential, &key, loader)
        .await
        .map_err(|e| match e {
            Bbs2023Error::JsonLd(m) => VerifyError::Malformed(m),
            other => bad(ProofTarget::Credential, other),
        })?;
    Ok(VerifiedCredential {
        verification_method: config.verification_method,
        presentation_header: verified.presentation_header,
        document: credential.clone(),
    })
}
