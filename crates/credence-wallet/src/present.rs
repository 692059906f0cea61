//! Answering a presentation request: the disclosure plan (a dry run) and
//! the signed presentation.

use crate::credentials::CredentialFilter;
use crate::{PresentError, Wallet};
use credence_core::{PresentationRequest, MANDATORY_POINTERS, VC_V2_CONTEXT_URL};
use serde::Serialize;
use serde_json::{json, Value};
use ssi::claims::data_integrity::suites::EdDsaRdfc2022;
use ssi::claims::data_integrity::{CryptographicSuite, DataIntegrityDocument, ProofOptions};
use ssi::claims::SignatureEnvironment;
use ssi::dids::{DIDKey, DIDResolver};
use ssi::verification_methods::{ProofPurpose, SingleSecretSigner};

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
    /// [`Wallet::plan`] allowed it.
    pub async fn present(&self, request: &PresentationRequest) -> Result<Value, PresentError> {
        let plan = self.plan(request)?;
        let derived = credence_bbs2023::derive(
            &plan.credential,
            &plan.pointers,
            request.nonce.as_bytes(),
            &self.loader,
        )
        .await?;
        self.sign_presentation(derived, &request.nonce, &request.client_id)
            .await
    }

    /// Wraps a credential in a VP signed by the agent key for
    /// authentication, bound to `challenge` and `domain`. This bypasses
    /// the holder policy: it signs what it is given.
    pub async fn sign_presentation(
        &self,
        credential: Value,
        challenge: &str,
        domain: &str,
    ) -> Result<Value, PresentError> {
        let vp = json!({
            "@context": [VC_V2_CONTEXT_URL],
            "type": ["VerifiablePresentation"],
            "holder": self.did,
            "verifiableCredential": [credential],
        });
        let sign_err = |e: &dyn std::fmt::Display| PresentError::Sign(e.to_string());
        let document: DataIntegrityDocument =
            serde_json::from_value(vp).map_err(|e| sign_err(&e))?;
        let vm = DIDKey::generate_url(&self.key).map_err(|e| sign_err(&e))?;
        let mut options = ProofOptions::from_method(vm.into_iri().into());
        options.proof_purpose = ProofPurpose::Authentication;
        options.challenge = Some(challenge.to_owned());
        options.domains = vec![domain.to_owned()];
        let resolver = DIDKey.into_vm_resolver();
        let signer = SingleSecretSigner::new(self.key.clone());
        let env = SignatureEnvironment {
            json_ld_loader: self.loader.clone(),
            eip712_loader: (),
        };
        let signed = EdDsaRdfc2022
            .sign_with(env, document, resolver, signer, options, ())
            .await
            .map_err(|e| sign_err(&e))?;
        serde_json::to_value(&signed).map_err(|e| sign_err(&e))
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
        credence_core::dpop_proof(&self.key, method, url, Some(access_token), now)
            .map_err(|e| PresentError::Sign(e.to_string()))
    }
}
