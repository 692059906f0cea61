//! Answering a presentation request with a signed presentation (the plan
//! is in `plan.rs`), and the agent's other signatures.

use crate::{DisclosurePlan, PresentError, VerifierIdentity, Wallet};
use credence_core::{correlation_id, sign_eddsa_rdfc, EddsaSigning};
use credence_core::{PresentationRequest, VC_V2_CONTEXT_URL};
use credence_did::resolve_local;
use credence_store::AuditRecord;
use serde_json::{json, Value};
use ssi::verification_methods::ProofPurpose;

impl Wallet {
    /// Answers `request` with a signed Verifiable Presentation, after
    /// [`Wallet::plan`] allowed it: one `bbs-2023` derived credential per
    /// answered credential query, in the order of the request's queries,
    /// each revealing only its planned pointers and bound to the request
    /// nonce (presentation header). When the wallet holds a delegation
    /// chain ([`Wallet::set_delegation_chain`]) the links follow the
    /// credentials. The presentation is recorded in the audit log.
    pub async fn present(&self, request: &PresentationRequest) -> Result<Value, PresentError> {
        let plan = self.plan(request)?;
        let verifier = VerifierIdentity::ClientId(request.client_id.clone());
        let mut answers = self
            .present_planned(request, &plan, &verifier, false, true)
            .await?;
        // One answer when not `separate` (see present_planned).
        Ok(answers.remove(0).1)
    }

    /// Signs what `plan` (made for `request` and `verifier`) allowed:
    /// derives each planned credential bound to the request nonce, and
    /// signs them all in one VP — or, when `separate`, one VP each, keyed
    /// by its query id (OpenID4VP: one presentation per credential query).
    /// The delegation chain goes in every VP when `with_chain`. Every VP has `challenge` = nonce and `domain` = client id. One
    /// audit record for the whole answer.
    pub(crate) async fn present_planned(
        &self,
        request: &PresentationRequest,
        plan: &DisclosurePlan,
        verifier: &VerifierIdentity,
        separate: bool,
        with_chain: bool,
    ) -> Result<Vec<(String, Value)>, PresentError> {
        let chain = self.delegation_chain()?;
        let mut derived = Vec::with_capacity(plan.credentials.len());
        for c in &plan.credentials {
            let d = credence_bbs2023::derive(
                &c.credential,
                &c.pointers,
                request.nonce.as_bytes(),
                &self.loader,
            )
            .await?;
            derived.push((c.query_id.clone(), d));
        }
        let bundles: Vec<(String, Vec<Value>)> = if separate {
            derived.into_iter().map(|(id, d)| (id, vec![d])).collect()
        } else {
            vec![(String::new(), derived.into_iter().map(|(_, d)| d).collect())]
        };
        let mut answers = Vec::with_capacity(bundles.len());
        for (query_id, mut credentials) in bundles {
            if with_chain {
                credentials.extend(chain.iter().cloned());
            }
            let vp = self
                .sign_vp(credentials, &request.nonce, &request.client_id)
                .await?;
            answers.push((query_id, vp));
        }
        let chain = if with_chain { chain.as_slice() } else { &[] };
        self.record_presentation(request, plan, verifier, chain)?;
        Ok(answers)
    }

    /// The audit record of one answer: to whom, what, and the delegation
    /// path the verifier will see (the principal, then each delegate).
    fn record_presentation(
        &self,
        request: &PresentationRequest,
        plan: &DisclosurePlan,
        verifier: &VerifierIdentity,
        chain: &[Value],
    ) -> Result<(), PresentError> {
        let subject = |link: &Value, field: &str| {
            link.pointer(&format!("/credentialSubject/{field}"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let principal = chain.last().and_then(|l| subject(l, "principal"));
        let path: Vec<String> = principal
            .iter()
            .cloned()
            .chain(chain.iter().filter_map(|l| subject(l, "id")))
            .collect();
        let disclosed: Vec<String> = plan
            .credentials
            .iter()
            .map(|c| format!("{}: {}", c.query_id, c.audit.join(", ")))
            .collect();
        let mut record = AuditRecord::new(
            &self.did,
            "present",
            "done",
            &correlation_id(&request.nonce),
        )
        .reason(format!(
            "to {}: disclosed {}; {} delegation link(s)",
            verifier.as_client(&request.client_id),
            disclosed.join("; "),
            chain.len()
        ));
        record.principal = principal;
        record.chain = path;
        self.record(record)
    }

    /// Wraps a credential in a VP signed by the agent key for
    /// authentication, bound to `challenge` and `domain`. This bypasses
    /// the holder policy: it signs what it is given (and audits it).
    pub async fn sign_presentation(
        &self,
        credential: Value,
        challenge: &str,
        domain: &str,
    ) -> Result<Value, PresentError> {
        self.sign_vp(vec![credential], challenge, domain).await
    }

    async fn sign_vp(
        &self,
        credentials: Vec<Value>,
        challenge: &str,
        domain: &str,
    ) -> Result<Value, PresentError> {
        let vp = json!({
            "@context": [VC_V2_CONTEXT_URL],
            "type": ["VerifiablePresentation"],
            "holder": self.did,
            "verifiableCredential": credentials,
        });
        let signed = self
            .sign_as_agent(vp, ProofPurpose::Authentication, Some((challenge, domain)))
            .await?;
        self.record(
            AuditRecord::new(
                &self.did,
                "sign_presentation",
                "done",
                &correlation_id(challenge),
            )
            .reason(format!("for {domain}")),
        )?;
        Ok(signed)
    }

    /// Signs `document` with the agent key (eddsa-rdfc-2022).
    pub(crate) async fn sign_as_agent(
        &self,
        document: Value,
        purpose: ProofPurpose,
        binding: Option<(&str, &str)>,
    ) -> Result<Value, PresentError> {
        let controller = resolve_local(&self.did)
            .await
            .map_err(|e| PresentError::Sign(e.to_string()))?;
        let signing = EddsaSigning {
            key: &self.key,
            method: &self.verification_method,
            controller,
            purpose,
            binding,
            created: Some(self.clock.now()),
            expires: None,
        };
        sign_eddsa_rdfc(document, signing, &self.loader)
            .await
            .map_err(PresentError::Sign)
    }

    /// Appends to the wallet's audit log; a signature that cannot be
    /// recorded is not handed out.
    pub(crate) fn record(&self, record: AuditRecord) -> Result<(), PresentError> {
        self.audit
            .append(record)
            .map(|_| ())
            .map_err(|e| PresentError::Audit(e.to_string()))
    }

    /// A DPoP proof (RFC 9449) by the agent key for calling `method` `url`
    /// with `access_token`: what a resource server checks against the
    /// token's `cnf.jkt`.
    pub fn dpop_proof(
        &self,
        method: &str,
        url: &str,
        access_token: &str,
    ) -> Result<String, PresentError> {
        let now = self.clock.now().timestamp();
        let proof = credence_core::dpop_proof(&self.key, method, url, Some(access_token), now)
            .map_err(|e| PresentError::Sign(e.to_string()))?;
        self.record(
            AuditRecord::new(&self.did, "sign_dpop", "done", "none")
                .reason(format!("{method} {url}")),
        )?;
        Ok(proof)
    }
}
