//! `eddsa-rdfc-2022` (and `ecdsa-rdfc-2019`) Data Integrity proofs through
//! ssi: one place that signs and verifies them, for presentations, status lists and
//! delegation credentials. The signing key's controller document is passed
//! in, so nothing here resolves or fetches.

use serde_json::Value;
use ssi::claims::data_integrity::suites::{EcdsaRdfc2019, EdDsaRdfc2022};
use ssi::claims::data_integrity::{
    CryptographicSuite, DataIntegrity, DataIntegrityDocument, ProofOptions,
};
use ssi::claims::{SignatureEnvironment, VerificationParameters};
use ssi::dids::DIDResolver;
use ssi::json_ld::ContextLoader;
use ssi::verification_methods::{ProofPurpose, SingleSecretSigner};
use ssi::JWK;

/// How a proof is made: by which key, as which verification method of
/// which controller document, for which purpose, bound to what.
#[derive(Clone)]
pub struct EddsaSigning<'a> {
    /// The private key (Ed25519; P-256 for ecdsa-rdfc-2019).
    pub key: &'a JWK,
    /// The verification method URL the proof names.
    pub method: &'a str,
    /// The DID document listing `method`.
    pub controller: Value,
    /// `assertionMethod` or `authentication`.
    pub purpose: ProofPurpose,
    /// The verifier's nonce (`challenge`) and identifier (`domain`).
    pub binding: Option<(&'a str, &'a str)>,
    /// The proof's `created` time; `None` = the system clock's now.
    pub created: Option<chrono::DateTime<chrono::Utc>>,
    /// The proof's own `expires`, if it has one.
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
}

/// A signing function for one Data Integrity cryptosuite of ssi: signs
/// `document` as `signing` says and returns the secured document.
macro_rules! data_integrity_signer {
    ($(#[$doc:meta])* $name:ident, $suite:expr) => {
        $(#[$doc])*
        pub async fn $name(
            document: Value,
            signing: EddsaSigning<'_>,
            loader: &ContextLoader,
        ) -> Result<Value, String> {
            let document: DataIntegrityDocument =
                serde_json::from_value(document).map_err(|e| e.to_string())?;
            let vm = ssi::dids::DIDURLBuf::from_string(signing.method.to_owned())
                .map_err(|_| format!("invalid verification method URL {}", signing.method))?;
            let mut options = ProofOptions::from_method(vm.into_iri().into());
            options.proof_purpose = signing.purpose;
            if let Some(created) = signing.created {
                options.created = Some(ssi::xsd::DateTimeStamp::from(created).into());
            }
            options.expires = signing
                .expires
                .map(|t| ssi::xsd::DateTimeStamp::from(t).into());
            if let Some((challenge, domain)) = signing.binding {
                options.challenge = Some(challenge.to_owned());
                options.domains = vec![domain.to_owned()];
            }
            let resolver = Controller(signing.controller).into_vm_resolver();
            let env = SignatureEnvironment {
                json_ld_loader: loader.clone(),
                eip712_loader: (),
            };
            let signed = $suite
                .sign_with(
                    env,
                    document,
                    resolver,
                    SingleSecretSigner::new(signing.key.clone()),
                    options,
                    (),
                )
                .await
                .map_err(|e| e.to_string())?;
            serde_json::to_value(&signed).map_err(|e| e.to_string())
        }
    };
}

data_integrity_signer!(
    /// Signs `document` with an `eddsa-rdfc-2022` proof (Ed25519 key) as
    /// `signing` says; returns the secured document.
    sign_eddsa_rdfc,
    EdDsaRdfc2022
);

data_integrity_signer!(
    /// Signs `document` with an `ecdsa-rdfc-2019` proof (P-256 key) as
    /// `signing` says; returns the secured document.
    sign_ecdsa_rdfc,
    EcdsaRdfc2019
);

/// A verification function for one Data Integrity cryptosuite of ssi:
/// the proof of `document` is checked against keys of `controller` (the
/// signer's DID document, already resolved and checked by the caller) at
/// `now`. Purpose and key authorization are checked by ssi against that
/// document.
macro_rules! data_integrity_verifier {
    ($(#[$doc:meta])* $name:ident, $suite:ty) => {
        $(#[$doc])*
        pub async fn $name(
            document: &Value,
            controller: Value,
            loader: &ContextLoader,
            now: chrono::DateTime<chrono::Utc>,
        ) -> Result<(), String> {
            let secured: DataIntegrity<DataIntegrityDocument, $suite> =
                serde_json::from_value(document.clone()).map_err(|e| e.to_string())?;
            let params =
                VerificationParameters::from_resolver(Controller(controller).into_vm_resolver())
                    .with_json_ld_loader(loader.clone())
                    .with_date_time(now);
            match secured.verify(params).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(invalid)) => Err(invalid.to_string()),
                Err(e) => Err(e.to_string()),
            }
        }
    };
}

data_integrity_verifier!(
    /// Verifies the `eddsa-rdfc-2022` proof of `document` against keys of
    /// `controller` (the signer's DID document, already resolved and
    /// checked by the caller) at `now`.
    verify_eddsa_rdfc,
    EdDsaRdfc2022
);

data_integrity_verifier!(
    /// Verifies the `ecdsa-rdfc-2019` proof (P-256 or P-384 Multikey) of
    /// `document` against keys of `controller` (the signer's DID document,
    /// already resolved and checked by the caller) at `now`.
    verify_ecdsa_rdfc,
    EcdsaRdfc2019
);

/// The one DID document a proof is made or checked against, handed to ssi
/// so that ssi resolves nothing itself.
struct Controller(Value);

impl DIDResolver for Controller {
    async fn resolve_representation<'a>(
        &'a self,
        did: &'a ssi::dids::DID,
        _options: ssi::dids::resolution::Options,
    ) -> Result<ssi::dids::resolution::Output<Vec<u8>>, ssi::dids::resolution::Error> {
        use ssi::dids::resolution::{Error, Output};
        if self.0.get("id").and_then(Value::as_str) != Some(did.as_str()) {
            return Err(Error::NotFound);
        }
        let bytes = serde_json::to_vec(&self.0).map_err(|e| Error::internal(e.to_string()))?;
        Ok(Output::from_content(
            bytes,
            Some("application/did+json".into()),
        ))
    }
}
