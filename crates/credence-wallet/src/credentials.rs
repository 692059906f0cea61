//! The credential lifecycle: verified import, listing with filters, show,
//! delete, prune.

use crate::{ImportError, Wallet, WalletError};
use chrono::{DateTime, Utc};
use credence_bbs2023::{Bbs2023Error, BbsPublicKey, CRYPTOSUITE};
use credence_core::expand_credential_type;
use credence_did::{authorized_method, did_of, DidError};
use credence_store::Space;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the wallet keeps about each credential for listing (sealed, like
/// the credential itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSummary {
    /// The wallet's id for it: a keyed hash of its JSON.
    pub id: String,
    /// Its `type`s as written in the document.
    pub types: Vec<String>,
    /// The issuer's DID.
    pub issuer: String,
    /// `validFrom`, if any.
    pub valid_from: Option<DateTime<Utc>>,
    /// `validUntil`, if any.
    pub valid_until: Option<DateTime<Utc>>,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
    /// Its format: `ldp_vc` (a bbs-2023 W3C VC; records written before
    /// SD-JWT support are these) or `dc+sd-jwt`.
    #[serde(default = "ldp_vc")]
    pub format: String,
}

fn ldp_vc() -> String {
    credence_core::LDP_VC.into()
}

impl CredentialSummary {
    /// True if its validity ended before `now`.
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.valid_until.is_some_and(|t| t < now)
    }

    /// True if it has type `t` (compact or expanded).
    pub fn has_type(&self, t: &str) -> bool {
        let wanted = expand_credential_type(t);
        self.types
            .iter()
            .any(|x| expand_credential_type(x) == wanted)
    }
}

/// Filters for [`Wallet::list`]; all given filters must hold.
#[derive(Debug, Clone, Default)]
pub struct CredentialFilter {
    /// Has this type (compact like `AgentCredential`, or an IRI).
    pub credential_type: Option<String>,
    /// Issued by this DID.
    pub issuer: Option<String>,
    /// Expires (`validUntil`) strictly before this instant.
    pub expiring_before: Option<DateTime<Utc>>,
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The stored credential's summary.
    pub summary: CredentialSummary,
    /// False if the same credential was already in the wallet.
    pub new: bool,
}

fn type_term(t: &str) -> String {
    format!("type:{}", expand_credential_type(t))
}

fn issuer_term(did: &str) -> String {
    format!("issuer:{did}")
}

fn malformed(msg: &str) -> ImportError {
    ImportError::Malformed(msg.into())
}

fn date(credential: &Value, member: &str) -> Result<Option<DateTime<Utc>>, ImportError> {
    match credential.get(member) {
        None => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| ImportError::Malformed(format!("{member} is not an RFC 3339 date-time"))),
        Some(_) => Err(ImportError::Malformed(format!("{member} is not a string"))),
    }
}

fn types_of(credential: &Value) -> Vec<String> {
    match credential.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn issuer_of(credential: &Value) -> Option<&str> {
    match credential.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Stages the removal of a credential, its summary and its index entries.
fn stage_removal(batch: &mut credence_store::Batch, s: &CredentialSummary) {
    batch
        .delete(Space::Credentials, &s.id)
        .delete(Space::CredentialMeta, &s.id);
    for t in &s.types {
        batch.unindex(&type_term(t), &s.id);
    }
    batch.unindex(&issuer_term(&s.issuer), &s.id);
}

impl Wallet {
    /// Verifies and stores a credential issued to this agent. Refused, with
    /// the reason, when: it is malformed; its subject is another DID; it has
    /// expired; its proof is not a `bbs-2023` base proof for
    /// `assertionMethod`; the signing key is not the issuer's assertion key;
    /// or the signature does not verify.
    pub async fn import(&self, credential: &Value) -> Result<Imported, ImportError> {
        if !credential.is_object() {
            return Err(malformed("not a JSON object"));
        }
        let subject = credential
            .pointer("/credentialSubject/id")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("no credentialSubject.id"))?;
        if subject != self.did {
            return Err(ImportError::WrongSubject {
                subject: subject.into(),
                agent: self.did.clone(),
            });
        }
        let issuer = issuer_of(credential)
            .ok_or_else(|| malformed("no issuer"))?
            .to_owned();
        let valid_from = date(credential, "validFrom")?;
        let valid_until = date(credential, "validUntil")?;
        let now = self.clock.now();
        if let Some(until) = valid_until.filter(|u| *u < now) {
            return Err(ImportError::Expired(until.to_rfc3339()));
        }
        let types = types_of(credential);
        if !types.iter().any(|t| t == "VerifiableCredential") {
            return Err(malformed("type does not include VerifiableCredential"));
        }

        let proof = credential
            .get("proof")
            .ok_or_else(|| malformed("no proof"))?;
        let field = |name: &str| proof.get(name).and_then(Value::as_str).unwrap_or("");
        if field("cryptosuite") != CRYPTOSUITE {
            return Err(ImportError::UnsupportedProof(format!(
                "cryptosuite `{}` (this wallet holds bbs-2023 credentials)",
                field("cryptosuite")
            )));
        }
        if field("proofPurpose") != "assertionMethod" {
            return Err(ImportError::UnsupportedProof(format!(
                "proofPurpose `{}` (must be assertionMethod)",
                field("proofPurpose")
            )));
        }
        let method = field("verificationMethod");
        if did_of(method) != issuer {
            return Err(ImportError::Forged(format!(
                "signed by {}, but the issuer is {issuer}",
                did_of(method)
            )));
        }
        let authorized =
            authorized_method(self.resolver.as_ref(), method, "assertionMethod").await?;
        let key = BbsPublicKey::from_multikey(authorized.public_key_multibase()?).map_err(|e| {
            DidError::ResolutionFailed {
                did: issuer.clone(),
                reason: e.to_string(),
            }
        })?;
        credence_bbs2023::verify_base(credential, &key, &self.loader)
            .await
            .map_err(|e| match e {
                Bbs2023Error::ProofInvalid => {
                    ImportError::Forged("the issuer's signature does not verify".into())
                }
                Bbs2023Error::JsonLd(m) => ImportError::Malformed(format!("JSON-LD: {m}")),
                other => ImportError::Forged(other.to_string()),
            })?;

        let bytes =
            serde_json::to_vec(credential).map_err(|e| ImportError::Malformed(e.to_string()))?;
        self.store_verified(
            &bytes,
            CredentialSummary {
                id: String::new(),
                types,
                issuer,
                valid_from,
                valid_until,
                imported_at: now,
                format: ldp_vc(),
            },
        )
    }

    /// Stores a verified credential's `bytes` with its `summary` (whose id
    /// is set here, a keyed hash of the bytes), indexed by type and issuer,
    /// in one batch; the same credential again changes nothing.
    pub(crate) fn store_verified(
        &self,
        bytes: &[u8],
        mut summary: CredentialSummary,
    ) -> Result<Imported, ImportError> {
        let id = self.store.fingerprint(bytes);
        if let Some(existing) = self.summary(&id)? {
            return Ok(Imported {
                summary: existing,
                new: false,
            });
        }
        summary.id = id.clone();
        let meta =
            serde_json::to_vec(&summary).map_err(|e| ImportError::Malformed(e.to_string()))?;
        let mut batch = self.store.batch();
        batch.put(Space::Credentials, &id, bytes)?;
        batch.put(Space::CredentialMeta, &id, &meta)?;
        for t in &summary.types {
            batch.index(&type_term(t), &id)?;
        }
        batch.index(&issuer_term(&summary.issuer), &id)?;
        self.store.commit(batch)?;
        Ok(Imported { summary, new: true })
    }

    pub(crate) fn summary(&self, id: &str) -> Result<Option<CredentialSummary>, WalletError> {
        match self.store.get(Space::CredentialMeta, id)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|_| WalletError::CorruptRecord(format!("summary {id}"))),
        }
    }

    /// The credentials matching `filter`, ordered by id. A type or issuer
    /// filter is answered from the blind index without opening the others.
    pub fn list(&self, filter: &CredentialFilter) -> Result<Vec<CredentialSummary>, WalletError> {
        let candidates: Vec<CredentialSummary> = match (&filter.credential_type, &filter.issuer) {
            (Some(t), _) => self.summaries(&self.store.indexed(&type_term(t))?)?,
            (None, Some(i)) => self.summaries(&self.store.indexed(&issuer_term(i))?)?,
            (None, None) => self
                .store
                .list(Space::CredentialMeta)?
                .into_iter()
                .map(|(id, bytes)| {
                    serde_json::from_slice(&bytes)
                        .map_err(|_| WalletError::CorruptRecord(format!("summary {id}")))
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(candidates
            .into_iter()
            .filter(|s| {
                filter
                    .credential_type
                    .as_deref()
                    .is_none_or(|t| s.has_type(t))
            })
            .filter(|s| filter.issuer.as_deref().is_none_or(|i| s.issuer == i))
            .filter(|s| {
                filter
                    .expiring_before
                    .is_none_or(|b| s.valid_until.is_some_and(|u| u < b))
            })
            .collect())
    }

    fn summaries(&self, ids: &[String]) -> Result<Vec<CredentialSummary>, WalletError> {
        // An index entry without a summary is skipped: the summary decides.
        Ok(ids
            .iter()
            .map(|id| self.summary(id))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect())
    }

    /// One credential's document.
    pub fn show(&self, id: &str) -> Result<Value, WalletError> {
        let bytes = self
            .store
            .get(Space::Credentials, id)?
            .ok_or_else(|| WalletError::NoSuchCredential(id.into()))?;
        serde_json::from_slice(&bytes)
            .map_err(|_| WalletError::CorruptRecord(format!("credential {id}")))
    }

    /// Deletes one credential (atomically with its summary and index entries).
    pub fn delete(&self, id: &str) -> Result<CredentialSummary, WalletError> {
        let summary = self
            .summary(id)?
            .ok_or_else(|| WalletError::NoSuchCredential(id.into()))?;
        let mut batch = self.store.batch();
        stage_removal(&mut batch, &summary);
        self.store.commit(batch)?;
        Ok(summary)
    }

    /// Deletes every credential whose validity has ended; returns them.
    pub fn prune_expired(&self) -> Result<Vec<CredentialSummary>, WalletError> {
        let now = self.clock.now();
        let expired: Vec<_> = self
            .list(&CredentialFilter::default())?
            .into_iter()
            .filter(|s| s.expired_at(now))
            .collect();
        if expired.is_empty() {
            return Ok(expired);
        }
        let mut batch = self.store.batch();
        for s in &expired {
            stage_removal(&mut batch, s);
        }
        self.store.commit(batch)?;
        Ok(expired)
    }

    /// Every stored credential document with its id, ordered by id.
    pub fn credentials(&self) -> Result<Vec<(String, Value)>, WalletError> {
        self.store
            .list(Space::Credentials)?
            .into_iter()
            .map(|(id, bytes)| {
                serde_json::from_slice(&bytes)
                    .map(|v| (id.clone(), v))
                    .map_err(|_| WalletError::CorruptRecord(format!("credential {id}")))
            })
            .collect()
    }
}
