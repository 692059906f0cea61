//! A holder that signs whatever a test hands it: an agent key (did:key)
//! that presents credentials and signs delegation links directly through
//! the eddsa-rdfc-2022 suite, so a test can feed the verifier documents a
//! wallet would never produce — edited, then validly re-signed.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use credence::did::resolve_local;
use credence::model::{sign_eddsa_rdfc, EddsaSigning, VC_V2_CONTEXT_URL};
use serde_json::{json, Value};
use ssi::verification_methods::ProofPurpose;
use ssi::JWK;

/// An Ed25519 did:key that signs as told.
pub struct Signer {
    pub key: JWK,
    pub did: String,
    pub method: String,
}

/// A proof's `created` and `expires` (`None` = now, and none).
pub type Times = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl Signer {
    pub fn new() -> Self {
        let key = JWK::generate_ed25519().unwrap();
        let did = ssi::dids::DIDKey::generate(&key).unwrap().to_string();
        let method = ssi::dids::DIDKey::generate_url(&key).unwrap().to_string();
        Self { key, did, method }
    }

    /// Signs `doc` for `purpose`, bound to `(challenge, domain)` if given.
    pub async fn sign(
        &self,
        doc: Value,
        purpose: ProofPurpose,
        binding: Option<(&str, &str)>,
        (created, expires): Times,
    ) -> Value {
        let signing = EddsaSigning {
            key: &self.key,
            method: &self.method,
            controller: resolve_local(&self.did).await.unwrap(),
            purpose,
            binding,
            created,
            expires,
        };
        sign_eddsa_rdfc(doc, signing, &credence::model::context_loader())
            .await
            .unwrap()
    }

    /// A VP of `credentials` held by this key, answering `nonce` for `domain`.
    pub async fn present(
        &self,
        credentials: Vec<Value>,
        nonce: &str,
        domain: &str,
        times: Times,
    ) -> Value {
        let vp = json!({
            "@context": [VC_V2_CONTEXT_URL],
            "type": ["VerifiablePresentation"],
            "holder": self.did,
            "verifiableCredential": credentials,
        });
        self.sign(
            vp,
            ProofPurpose::Authentication,
            Some((nonce, domain)),
            times,
        )
        .await
    }

    /// Signs a delegation document as its delegator.
    pub async fn sign_link(&self, doc: Value) -> Value {
        self.sign(doc, ProofPurpose::Assertion, None, (None, None))
            .await
    }
}
