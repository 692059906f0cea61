//! The issuer's identity and its signatures.

use crate::{IssueError, StatusAssignment};
use chrono::{DateTime, SecondsFormat, Utc};
use credence_bbs2023::{sign_base, BbsKeyPair, BbsPublicKey};
use credence_core::{
    context_loader, AgentProfile, AGENT_CREDENTIAL_TYPE, CREDENCE_CONTEXT_URL, MANDATORY_POINTERS,
    VC_V2_CONTEXT_URL,
};
use credence_core::{sign_eddsa_rdfc, Clock, EddsaSigning, SystemClock};
use credence_did::did_web_for_origin;
use serde_json::{json, Value};
use ssi::dids::DIDKey;
use ssi::json_ld::ContextLoader;
use ssi::verification_methods::ProofPurpose;
use ssi::JWK;
use std::sync::Arc;

/// An organization's credential issuer.
pub struct Issuer {
    keys: BbsKeyPair,
    did: String,
    bbs_method: String,
    status_key: Option<JWK>,
    /// The P-256 assertion key for ES256 SD-JWT VCs (did:web only).
    es256_key: Option<JWK>,
    origin: Option<String>,
    loader: ContextLoader,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Issuer {
    /// An issuer with a freshly generated key, identified by a did:key.
    pub fn generate() -> Result<Self, IssueError> {
        Ok(Self::from_keys(BbsKeyPair::generate()?))
    }

    /// A did:key issuer using an existing key pair. It cannot publish
    /// status lists.
    pub fn from_keys(keys: BbsKeyPair) -> Self {
        Self {
            did: keys.public_key().did_key(),
            bbs_method: keys.public_key().did_key_url(),
            keys,
            status_key: None,
            es256_key: None,
            origin: None,
            loader: context_loader(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Dates its proofs (`created`) by `clock` instead of the system clock
    /// (fixed-clock test vectors).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A did:web issuer served at `origin` (`https://host[:port]`, or
    /// `http://` on a loopback host): its DID document lists the BBS key
    /// (`#bbs`) for credentials and the Ed25519 `status_key` (`#status`) for
    /// status lists, both under `assertionMethod`.
    pub fn web(origin: &str, keys: BbsKeyPair, status_key: JWK) -> Result<Self, IssueError> {
        let did =
            did_web_for_origin(origin).ok_or_else(|| IssueError::InvalidUrl(origin.to_owned()))?;
        if !matches!(status_key.params, ssi::jwk::Params::OKP(_)) || status_key.is_public() {
            return Err(IssueError::StatusSigning(
                "the status key must be a private Ed25519 JWK".into(),
            ));
        }
        Ok(Self {
            bbs_method: format!("{did}#bbs"),
            did,
            keys,
            status_key: Some(status_key),
            es256_key: None,
            origin: Some(origin.trim_end_matches('/').to_owned()),
            loader: context_loader(),
            clock: Arc::new(SystemClock),
        })
    }

    /// Adds a P-256 assertion key (`#es256` in the DID document) for
    /// ES256 SD-JWT VCs; only for a did:web issuer.
    pub fn with_es256_key(mut self, key: JWK) -> Result<Self, IssueError> {
        let p256 =
            matches!(&key.params, ssi::jwk::Params::EC(p) if p.curve.as_deref() == Some("P-256"));
        if self.origin.is_none() || !p256 || key.is_public() {
            return Err(IssueError::StatusSigning(
                "the ES256 key must be a private P-256 JWK of a did:web issuer".into(),
            ));
        }
        self.es256_key = Some(key);
        Ok(self)
    }

    /// The P-256 assertion key and its DID URL, if the issuer has one.
    pub(crate) fn es256_key(&self) -> Result<(&JWK, String), IssueError> {
        let key = self
            .es256_key
            .as_ref()
            .ok_or_else(|| IssueError::SdJwt("this issuer has no P-256 key for ES256".into()))?;
        Ok((key, format!("{}#es256", self.did)))
    }

    /// The issuer's DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The origin a did:web issuer is served at.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The issuer's BBS public key.
    pub fn public_key(&self) -> &BbsPublicKey {
        self.keys.public_key()
    }

    pub(crate) fn keys(&self) -> &BbsKeyPair {
        &self.keys
    }

    /// The issuer's clock, now.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The Ed25519 assertion key (status lists, SD-JWT VCs) and its DID
    /// URL; a did:key issuer has none.
    pub(crate) fn assertion_key(&self) -> Result<(&JWK, String), IssueError> {
        let key = self.status_key.as_ref().ok_or(IssueError::NoStatusKey)?;
        Ok((key, self.status_method()))
    }

    fn status_method(&self) -> String {
        format!("{}#status", self.did)
    }

    /// The DID document of a did:web issuer (what it serves at
    /// `/.well-known/did.json`); `None` for a did:key issuer.
    pub fn did_document(&self) -> Option<Value> {
        let status = self.status_key.as_ref()?;
        let ed_multikey = DIDKey::generate(&status.to_public())
            .ok()?
            .to_string()
            .trim_start_matches("did:key:")
            .to_owned();
        let did = &self.did;
        let mut document = json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did,
            "verificationMethod": [
                {
                    "id": self.bbs_method,
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": self.keys.public_key().multikey(),
                },
                {
                    "id": self.status_method(),
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": ed_multikey,
                }
            ],
            "assertionMethod": [self.bbs_method, self.status_method()],
        });
        if let Some(es256) = &self.es256_key {
            let multikey = DIDKey::generate(&es256.to_public())
                .ok()?
                .to_string()
                .trim_start_matches("did:key:")
                .to_owned();
            let id = format!("{did}#es256");
            document["verificationMethod"].as_array_mut()?.push(json!({
                "id": id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey,
            }));
            document["assertionMethod"].as_array_mut()?.push(json!(id));
        }
        Some(document)
    }

    /// Issues an `AgentCredential` about `agent_did`, valid from `valid_from`
    /// until `valid_until`. Issuer, validity and the subject id are
    /// mandatory disclosures; every profile claim is selectively disclosable.
    pub async fn issue_agent_credential(
        &self,
        agent_did: &str,
        profile: &AgentProfile,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
    ) -> Result<Value, IssueError> {
        self.issue_agent_credential_with_status(agent_did, profile, valid_from, valid_until, None)
            .await
    }

    /// As [`Issuer::issue_agent_credential`], with `credentialStatus`
    /// entries (revocation and suspension) for `status`; the status entries
    /// are mandatory disclosures, so every verifier can check them.
    pub async fn issue_agent_credential_with_status(
        &self,
        agent_did: &str,
        profile: &AgentProfile,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
        status: Option<&StatusAssignment>,
    ) -> Result<Value, IssueError> {
        if !agent_did.starts_with("did:") {
            return Err(IssueError::InvalidSubject(agent_did.into()));
        }
        if valid_until <= valid_from {
            return Err(IssueError::InvalidValidity {
                from: timestamp(valid_from),
                until: timestamp(valid_until),
            });
        }
        let mut credential = json!({
            "@context": [VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL],
            "type": ["VerifiableCredential", AGENT_CREDENTIAL_TYPE],
            "issuer": self.did,
            "validFrom": timestamp(valid_from),
            "validUntil": timestamp(valid_until),
            "credentialSubject": profile.to_subject(agent_did),
        });
        let mut pointers: Vec<String> = MANDATORY_POINTERS.iter().map(|p| p.to_string()).collect();
        if let Some(status) = status {
            credential["credentialStatus"] = status.entries();
            pointers.push("/credentialStatus".into());
        }
        self.issue_document(&credential, &pointers).await
    }

    /// Secures any VC 2.0 document with a `bbs-2023` base proof by this
    /// issuer. The document's `issuer` must already be this issuer's DID;
    /// its contexts must be known to the loader (Credence's or W3C's).
    pub async fn issue_document(
        &self,
        document: &Value,
        mandatory_pointers: &[String],
    ) -> Result<Value, IssueError> {
        let created = timestamp(self.clock.now());
        Ok(sign_base(
            document,
            &self.keys,
            &self.bbs_method,
            Some(&created),
            mandatory_pointers,
            &self.loader,
        )
        .await?)
    }

    /// Signs `document` with the status key (`eddsa-rdfc-2022`,
    /// `assertionMethod`).
    pub(crate) async fn sign_eddsa(&self, document: Value) -> Result<Value, IssueError> {
        let key = self.status_key.as_ref().ok_or(IssueError::NoStatusKey)?;
        let controller = self
            .did_document()
            .ok_or_else(|| IssueError::StatusSigning("no DID document".into()))?;
        let method = self.status_method();
        let signing = EddsaSigning {
            key,
            method: &method,
            controller,
            purpose: ProofPurpose::Assertion,
            binding: None,
            created: Some(self.clock.now()),
            expires: None,
        };
        sign_eddsa_rdfc(document, signing, &self.loader)
            .await
            .map_err(IssueError::StatusSigning)
    }
}
