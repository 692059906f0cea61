//! Answering a presentation request with a selective-disclosure proof.

use crate::{Wallet, WalletError};
use credence_bbs2023::Bbs2023Error;
use credence_core::{expand_credential_type, PresentationRequest, VC_V2_CONTEXT_URL};
use serde_json::{json, Value};
use ssi::claims::data_integrity::suites::EdDsaRdfc2022;
use ssi::claims::data_integrity::{CryptographicSuite, DataIntegrityDocument, ProofOptions};
use ssi::claims::SignatureEnvironment;
use ssi::dids::{DIDKey, DIDResolver};
use ssi::verification_methods::{ProofPurpose, SingleSecretSigner};

/// Why the wallet could not answer a request.
#[derive(Debug, thiserror::Error)]
pub enum PresentError {
    /// Reading the wallet failed.
    #[error(transparent)]
    Wallet(#[from] WalletError),
    /// No stored credential has the requested type.
    #[error("no credential of the requested type")]
    NoMatchingCredential,
    /// The matching credential lacks a requested claim.
    #[error("the credential has no claim `{0}`")]
    MissingClaim(String),
    /// Deriving the selective-disclosure proof failed.
    #[error("deriving the disclosure failed: {0}")]
    Derive(#[from] Bbs2023Error),
    /// Signing the presentation failed.
    #[error("signing the presentation failed: {0}")]
    Sign(String),
}

fn types_of(credential: &Value) -> Vec<String> {
    match credential.get("type") {
        Some(Value::String(s)) => vec![expand_credential_type(s)],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(expand_credential_type)
            .collect(),
        _ => Vec::new(),
    }
}

fn pointer_exists(credential: &Value, pointer: &str) -> bool {
    credential.pointer(pointer).is_some()
}

impl Wallet {
    /// Answers `request` with a signed Verifiable Presentation.
    pub async fn present(&self, request: &PresentationRequest) -> Result<Value, PresentError> {
        let query = request
            .dcql_query
            .credentials
            .first()
            .ok_or(PresentError::NoMatchingCredential)?;
        let credential = self
            .credentials()?
            .into_iter()
            .map(|(_, c)| c)
            .find(|c| {
                let types = types_of(c);
                query
                    .meta
                    .type_values
                    .iter()
                    .any(|set| set.iter().all(|t| types.contains(t)))
            })
            .ok_or(PresentError::NoMatchingCredential)?;
        let mut pointers = Vec::new();
        for claim in &query.claims {
            let pointer = claim.path.to_pointer();
            if !pointer_exists(&credential, &pointer) {
                return Err(PresentError::MissingClaim(claim.path.to_string()));
            }
            pointers.push(pointer);
        }
        let derived = credence_bbs2023::derive(
            &credential,
            &pointers,
            request.nonce.as_bytes(),
            &self.loader,
        )
        .await?;
        self.sign_presentation(derived, &request.nonce, &request.client_id)
            .await
    }

    /// Wraps credentials in a VP signed by the agent key for authentication,
    /// bound to `challenge` and `domain`.
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
        let document: DataIntegrityDocument =
            serde_json::from_value(vp).map_err(|e| PresentError::Sign(e.to_string()))?;
        let vm = DIDKey::generate_url(&self.key).map_err(|e| PresentError::Sign(e.to_string()))?;
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
            .map_err(|e| PresentError::Sign(e.to_string()))?;
        serde_json::to_value(&signed).map_err(|e| PresentError::Sign(e.to_string()))
    }
}
