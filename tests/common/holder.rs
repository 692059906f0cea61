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

/// An Ed25519 key (did:key, or did:jwk) that signs as told.
pub struct Signer {
    pub key: JWK,
    pub did: String,
    pub method: String,
    /// The DID document it signs against (computed by ssi itself, so a
    /// signer can sign with a key its DID's spec does not authorize).
    controller: Option<Value>,
}

/// A proof's `created` and `expires` (`None` = now, and none).
pub type Times = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl Signer {
    pub fn new() -> Self {
        let key = JWK::generate_ed25519().unwrap();
        let did = ssi::dids::DIDKey::generate(&key).unwrap().to_string();
        let method = ssi::dids::DIDKey::generate_url(&key).unwrap().to_string();
        Self {
            key,
            did,
            method,
            controller: None,
        }
    }

    /// An Ed25519 did:jwk whose JWK says `"use": use_`, with the document
    /// ssi generates for it (which lists the key under every relationship).
    pub async fn did_jwk(use_: &str) -> Self {
        use ssi::dids::DIDResolver;
        let mut key = JWK::generate_ed25519().unwrap();
        key.public_key_use = Some(use_.to_owned());
        let did = ssi::dids::DIDJWK::generate(&key.to_public()).to_string();
        let parsed = ssi::dids::DID::new(&did).unwrap();
        let output = ssi::dids::DIDJWK.resolve(parsed).await.unwrap();
        let controller = serde_json::to_value(output.document).unwrap();
        Self {
            method: format!("{did}#0"),
            did,
            key,
            controller: Some(controller),
        }
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
            controller: match &self.controller {
                Some(doc) => doc.clone(),
                None => resolve_local(&self.did).await.unwrap(),
            },
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
