//! An issuer whose keys and status lists live in an encrypted store
//! directory, so that revocations survive restarts.

use crate::{IssueError, Issuer, StatusAssignment, StatusRegistry};
use chrono::{DateTime, Duration, Utc};
use credence_bbs2023::BbsKeyPair;
use credence_core::{AgentProfile, DelegationGrant};
use credence_store::{KdfParams, Space, Store, Unlock};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ssi::JWK;
use std::path::Path;
use std::sync::Mutex;
use zeroize::Zeroizing;

const IDENTITY: &str = "issuer-identity";
const STATUS: &str = "status-registry";

/// How long a published status list credential is valid.
const LIST_VALIDITY_MINUTES: i64 = 60;
/// The `ttl` (milliseconds) verifiers are told to cache a list for.
const LIST_TTL_MS: u64 = 30_000;

#[derive(Serialize, Deserialize)]
struct Identity {
    origin: String,
    bbs_secret_hex: String,
    status_key: JWK,
    /// The P-256 key of ES256 SD-JWT VCs (absent in directories made before
    /// it existed: those issue EdDSA only).
    #[serde(default)]
    es256_key: Option<JWK>,
}

/// A did:web issuer persisted in a `credence-store` directory.
#[derive(Debug)]
pub struct Authority {
    store: Store,
    issuer: Issuer,
    registry: Mutex<StatusRegistry>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Authority {
    /// Creates an issuer directory at `dir` for an issuer served at
    /// `origin`, with fresh keys.
    pub fn create(
        dir: impl AsRef<Path>,
        unlock: &Unlock,
        params: KdfParams,
        origin: &str,
    ) -> Result<Self, IssueError> {
        let keys = BbsKeyPair::generate()?;
        let status_key =
            JWK::generate_ed25519().map_err(|e| IssueError::StatusSigning(e.to_string()))?;
        let es256_key = JWK::generate_p256();
        let issuer =
            Issuer::web(origin, keys, status_key.clone())?.with_es256_key(es256_key.clone())?;
        let store = Store::create(dir, unlock, params)?;
        let identity = Identity {
            origin: origin.trim_end_matches('/').to_owned(),
            bbs_secret_hex: hex::encode(issuer.keys().secret_bytes().as_ref()),
            status_key,
            es256_key: Some(es256_key),
        };
        let bytes = Zeroizing::new(
            serde_json::to_vec(&identity).map_err(|e| IssueError::CorruptRecord(e.to_string()))?,
        );
        let registry = StatusRegistry::default();
        let mut batch = store.batch();
        batch.put(Space::Keys, IDENTITY, &bytes)?;
        batch.put(Space::Settings, STATUS, &registry_bytes(&registry)?)?;
        store.commit(batch)?;
        Ok(Self {
            store,
            issuer,
            registry: Mutex::new(registry),
        })
    }

    /// Opens the issuer directory at `dir`.
    pub fn open(dir: impl AsRef<Path>, unlock: &Unlock) -> Result<Self, IssueError> {
        let store = Store::open(dir, unlock)?;
        let bytes = store
            .get(Space::Keys, IDENTITY)?
            .ok_or_else(|| IssueError::CorruptRecord("the issuer identity is missing".into()))?;
        let identity: Identity = serde_json::from_slice(&bytes)
            .map_err(|_| IssueError::CorruptRecord(IDENTITY.into()))?;
        let secret = Zeroizing::new(
            hex::decode(&identity.bbs_secret_hex)
                .map_err(|_| IssueError::CorruptRecord(IDENTITY.into()))?,
        );
        let keys = BbsKeyPair::from_secret_bytes(&secret)?;
        let mut issuer = Issuer::web(&identity.origin, keys, identity.status_key)?;
        if let Some(es256) = identity.es256_key {
            issuer = issuer.with_es256_key(es256)?;
        }
        let registry = match store.get(Space::Settings, STATUS)? {
            Some(b) => {
                serde_json::from_slice(&b).map_err(|_| IssueError::CorruptRecord(STATUS.into()))?
            }
            None => StatusRegistry::default(),
        };
        Ok(Self {
            store,
            issuer,
            registry: Mutex::new(registry),
        })
    }

    /// The issuer.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// A snapshot of the status registry.
    pub fn registry(&self) -> StatusRegistry {
        lock(&self.registry).clone()
    }

    /// Assigns a fresh status index, durably, for a credential or a
    /// delegation link of this organization (its `credentialStatus` is
    /// [`StatusAssignment::entries`]); revoke it with [`Authority::set_status`].
    pub fn assign_status(&self) -> Result<StatusAssignment, IssueError> {
        let index = {
            let mut registry = lock(&self.registry);
            let index = registry.assign()?;
            self.store
                .put(Space::Settings, STATUS, &registry_bytes(&registry)?)?;
            index
        };
        Ok(StatusAssignment {
            origin: self.issuer.origin().unwrap_or_default().to_owned(),
            index,
        })
    }

    /// Issues an `AgentCredential` with a freshly assigned status index;
    /// the assignment is stored before the credential is returned.
    pub async fn issue(
        &self,
        agent_did: &str,
        profile: &AgentProfile,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
    ) -> Result<(Value, StatusAssignment), IssueError> {
        let assignment = self.assign_status()?;
        let credential = self
            .issuer
            .issue_agent_credential_with_status(
                agent_did,
                profile,
                valid_from,
                valid_until,
                Some(&assignment),
            )
            .await?;
        Ok((credential, assignment))
    }

    /// Issues an `AgentCredential` as an SD-JWT VC with a freshly
    /// assigned status index (stored before the credential is returned),
    /// signed with `alg` (EdDSA or ES256), valid over `validity`.
    pub async fn issue_sd_jwt(
        &self,
        alg: ssi::jwk::Algorithm,
        agent_did: &str,
        profile: &AgentProfile,
        validity: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<(String, StatusAssignment), IssueError> {
        let assignment = self.assign_status()?;
        let credential = self
            .issuer
            .issue_agent_sd_jwt_with(alg, agent_did, profile, validity, Some(&assignment))
            .await?;
        Ok((credential, assignment))
    }

    /// The signed status list token, as of now.
    pub fn status_list_token(&self) -> Result<String, IssueError> {
        self.issuer
            .status_list_token(&self.registry(), LIST_VALIDITY_MINUTES * 60)
    }

    /// Signs, as the organization, the root link of a delegation chain on
    /// behalf of the human `grant.principal`, with a freshly assigned
    /// status index (replacing `grant.status`) so the org can revoke it.
    pub async fn delegate_on_behalf(
        &self,
        grant: &DelegationGrant,
    ) -> Result<(Value, StatusAssignment), IssueError> {
        let assignment = self.assign_status()?;
        let grant = DelegationGrant {
            status: Some(assignment.entries()),
            ..grant.clone()
        };
        let link = self.issuer.delegate_on_behalf(&grant).await?;
        Ok((link, assignment))
    }

    /// Sets or clears the `purpose` (`revocation` or `suspension`) bit of
    /// `index`, durably. Returns whether anything changed.
    pub fn set_status(&self, index: usize, purpose: &str, on: bool) -> Result<bool, IssueError> {
        let mut registry = lock(&self.registry);
        let mut next = registry.clone();
        let changed = next.set(index, purpose, on)?;
        if changed {
            self.store
                .put(Space::Settings, STATUS, &registry_bytes(&next)?)?;
            *registry = next;
        }
        Ok(changed)
    }

    /// The signed status list credential for `purpose`, as of now.
    pub async fn status_list(&self, purpose: &str) -> Result<Value, IssueError> {
        let registry = self.registry();
        registry
            .credential(
                &self.issuer,
                purpose,
                Duration::minutes(LIST_VALIDITY_MINUTES),
                LIST_TTL_MS,
            )
            .await
    }
}

fn registry_bytes(registry: &StatusRegistry) -> Result<Vec<u8>, IssueError> {
    serde_json::to_vec(registry).map_err(|e| IssueError::CorruptRecord(e.to_string()))
}
