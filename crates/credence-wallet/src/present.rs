//! Answering a presentation request: the disclosure plan (a dry run) and
//! the signed presentation.

use crate::credentials::CredentialFilter;
use crate::{PresentError, Wallet};
use credence_core::{correlation_id, sign_eddsa_rdfc, EddsaSigning};
use credence_core::{PresentationRequest, MANDATORY_POINTERS, VC_V2_CONTEXT_URL};
use credence_did::resolve_local;
use credence_store::AuditRecord;
use serde::Serialize;
use serde_json::{json, Value};
use ssi::verification_methods::ProofPurpose;

/// One claim and its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosedClaim {
    /// Dotted path (`credentialSubject.organization`).
    pub claim: String,
    /// Its value.
    pub value: Value,
}

/// Exactly what answering a request would reveal, and to whom.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosurePlan {
    /// The verifier (`client_id`) that would receive it.
    pub verifier: String,
    /// The nonce the presentation would be bound to.
    pub nonce: String,
    /// The credential used.
    pub credential_id: String,
    /// Its types.
    pub credential_types: Vec<String>,
    /// Its issuer.
    pub issuer: String,
    /// The requested claims, revealed.
    pub disclosed: Vec<DisclosedClaim>,
    /// Statements every presentation of this credential reveals (its
    /// mandatory pointers: issuer, validity, subject id).
    pub always_disclosed: Vec<DisclosedClaim>,
    /// The subject's other claims, which stay hidden.
    pub withheld: Vec<String>,
    /// JSON pointers to derive with (internal).
    #[serde(skip)]
    pointers: Vec<String>,
    #[serde(skip)]
    credential: Value,
}

fn pointer_to_claim(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

impl Wallet {
    /// Works out what answering `request` would disclose — checking the
    /// request's expiry, a matching credential, the claims, and the holder
    /// policy — without deriving or signing anything.
    pub fn plan(&self, request: &PresentationRequest) -> Result<DisclosurePlan, PresentError> {
        let now = self.clock.now();
        if request.expires_at < now.timestamp() {
            return Err(PresentError::RequestExpired(request.expires_at));
        }
        let query = request
            .dcql_query
            .credentials
            .first()
            .ok_or(PresentError::NoMatchingCredential)?;

        // Policy first: a refused request learns nothing about the wallet.
        let requested: Vec<String> = query.claims.iter().map(|c| c.path.to_string()).collect();
        let denied = self.holder_policy()?.denied(&request.client_id, &requested);
        if !denied.is_empty() {
            return Err(PresentError::PolicyDenied {
                verifier: request.client_id.clone(),
                claims: denied,
            });
        }

        // The unexpired credential of the requested type that lasts longest.
        let mut best: Option<crate::CredentialSummary> = None;
        for set in &query.meta.type_values {
            let Some(first) = set.first() else { continue };
            let filter = CredentialFilter {
                credential_type: Some(first.clone()),
                ..Default::default()
            };
            for s in self.list(&filter)? {
                if s.expired_at(now) || !set.iter().all(|t| s.has_type(t)) {
                    continue;
                }
                let later = match (&best, s.valid_until) {
                    (None, _) => true,
                    (Some(b), until) => {
                        b.valid_until.is_some() && until.is_none_or(|u| Some(u) > b.valid_until)
                    }
                };
                if later {
                    best = Some(s);
                }
            }
        }
        let summary = best.ok_or(PresentError::NoMatchingCredential)?;
        let credential = self.show(&summary.id)?;

        let mut pointers = Vec::new();
        let mut disclosed = Vec::new();
        for claim in &query.claims {
            let pointer = claim.path.to_pointer();
            let value = credential
                .pointer(&pointer)
                .ok_or_else(|| PresentError::MissingClaim(claim.path.to_string()))?;
            disclosed.push(DisclosedClaim {
                claim: claim.path.to_string(),
                value: value.clone(),
            });
            pointers.push(pointer);
        }
        let always_disclosed = MANDATORY_POINTERS
            .iter()
            .filter_map(|p| {
                credential.pointer(p).map(|v| DisclosedClaim {
                    claim: pointer_to_claim(p),
                    value: v.clone(),
                })
            })
            .collect::<Vec<_>>();
        let shown: Vec<&str> = disclosed
            .iter()
            .chain(&always_disclosed)
            .map(|d| d.claim.as_str())
            .collect();
        let withheld = credential
            .get("credentialSubject")
            .and_then(Value::as_object)
            .map(|subject| {
                subject
                    .keys()
                    .map(|k| format!("credentialSubject.{k}"))
                    .filter(|c| !shown.contains(&c.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(DisclosurePlan {
            verifier: request.client_id.clone(),
            nonce: request.nonce.clone(),
            credential_id: summary.id,
            credential_types: summary.types,
            issuer: summary.issuer,
            disclosed,
            always_disclosed,
            withheld,
            pointers,
            credential,
        })
    }

    /// Answers `request` with a signed Verifiable Presentation, after
    /// [`Wallet::plan`] allowed it. When the wallet holds a delegation
    /// chain ([`Wallet::set_delegation_chain`]) the links follow the
    /// credential. The presentation is recorded in the audit log.
    pub async fn present(&self, request: &PresentationRequest) -> Result<Value, PresentError> {
        let plan = self.plan(request)?;
        let derived = credence_bbs2023::derive(
            &plan.credential,
            &plan.pointers,
            request.nonce.as_bytes(),
            &self.loader,
        )
        .await?;
        let chain = self.delegation_chain()?;
        let subject = |link: &Value, field: &str| {
            link.pointer(&format!("/credentialSubject/{field}"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let principal = chain.last().and_then(|l| subject(l, "principal"));
        // The path the verifier will see: the principal, then each delegate.
        let path: Vec<String> = principal
            .iter()
            .cloned()
            .chain(chain.iter().filter_map(|l| subject(l, "id")))
            .collect();
        let disclosed: Vec<&str> = plan.disclosed.iter().map(|c| c.claim.as_str()).collect();
        let mut credentials = vec![derived];
        credentials.extend(chain.iter().cloned());
        let vp = self
            .sign_vp(credentials, &request.nonce, &request.client_id)
            .await?;
        let mut record = AuditRecord::new(
            &self.did,
            "present",
            "done",
            &correlation_id(&request.nonce),
        )
        .reason(format!(
            "to {}: disclosed {}; {} delegation link(s)",
            request.client_id,
            disclosed.join(", "),
            chain.len()
        ));
        record.principal = principal;
        record.chain = path;
        self.record(record)?;
        Ok(vp)
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
