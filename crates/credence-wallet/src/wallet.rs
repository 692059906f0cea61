//! The wallet itself: creating, opening, identity.

use crate::holder_policy::{HolderPolicy, HOLDER_POLICY_FILE};
use crate::WalletError;
use credence_core::{context_loader, Clock, SystemClock};
use credence_did::{LocalResolver, ResolveDid};
use credence_store::{
    AuditLog, CheckpointKey, ExportSummary, KdfParams, Space, Store, Unlock, AUDIT_DIR,
};
use serde_json::Value;
use ssi::dids::{DIDKey, DIDResolver, DID};
use ssi::json_ld::ContextLoader;
use ssi::JWK;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

const AGENT_KEY: &str = "agent-ed25519";

/// An agent's wallet.
pub struct Wallet {
    pub(crate) store: Store,
    pub(crate) key: JWK,
    pub(crate) did: String,
    pub(crate) verification_method: String,
    pub(crate) loader: ContextLoader,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) resolver: Arc<dyn ResolveDid>,
    pub(crate) audit: Arc<AuditLog>,
    /// Fetches OpenID4VP request objects and posts answers.
    pub(crate) fetcher: credence_did::Fetcher,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("did", &self.did)
            .field("dir", &self.store.dir())
            .finish_non_exhaustive()
    }
}

fn key_err(e: impl std::fmt::Display) -> WalletError {
    WalletError::Key(e.to_string())
}

impl Wallet {
    /// Creates a new wallet in `dir` (absent or empty): an encrypted store
    /// locked with `unlock`, a fresh Ed25519 agent key, and a holder policy
    /// file that allows no disclosure until edited.
    pub fn create(
        dir: impl AsRef<Path>,
        unlock: &Unlock,
        params: KdfParams,
    ) -> Result<Self, WalletError> {
        let dir = dir.as_ref();
        let store = Store::create(dir, unlock, params)?;
        let key = JWK::generate_ed25519().map_err(key_err)?;
        let bytes = Zeroizing::new(serde_json::to_vec(&key).map_err(key_err)?);
        store.put(Space::Keys, AGENT_KEY, &bytes)?;
        HolderPolicy::write_template(&dir.join(HOLDER_POLICY_FILE))?;
        Self::assemble(store, key)
    }

    /// Opens and unlocks the wallet in `dir`.
    pub fn open(dir: impl AsRef<Path>, unlock: &Unlock) -> Result<Self, WalletError> {
        let store = Store::open(dir, unlock)?;
        let bytes = store
            .get(Space::Keys, AGENT_KEY)?
            .ok_or_else(|| WalletError::CorruptRecord("the agent key is missing".into()))?;
        let key: JWK = serde_json::from_slice(&bytes)
            .map_err(|_| WalletError::CorruptRecord(AGENT_KEY.into()))?;
        Self::assemble(store, key)
    }

    fn assemble(store: Store, key: JWK) -> Result<Self, WalletError> {
        let did = DIDKey::generate(&key).map_err(key_err)?.to_string();
        let audit = AuditLog::open(
            store.dir().join(AUDIT_DIR),
            Some(CheckpointKey::new(key.clone())?),
        )?;
        let verification_method = DIDKey::generate_url(&key).map_err(key_err)?.to_string();
        Ok(Self {
            store,
            key,
            did,
            verification_method,
            loader: context_loader(),
            clock: Arc::new(SystemClock),
            resolver: Arc::new(LocalResolver),
            fetcher: credence_did::Fetcher::new(credence_did::FetchLimits::default()),
            audit: Arc::new(audit),
        })
    }

    /// The wallet's audit log (`audit/` in its directory): every
    /// presentation and signature it made, checkpoints signed by its key.
    pub fn audit_log(&self) -> &Arc<AuditLog> {
        &self.audit
    }

    /// Resolves issuer DIDs with `resolver` when importing (the default
    /// resolves did:key and did:jwk only; hand it `credence-verify`'s
    /// `DidResolver` to accept did:web issuers).
    pub fn with_resolver(mut self, resolver: Arc<dyn ResolveDid>) -> Self {
        self.resolver = resolver;
        self
    }

    /// Uses `clock` for expiry decisions (tests pin time with it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The wallet's directory.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    /// The agent's DID (`did:key:z6Mk…`).
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The agent key's verification method (`did:key:z6Mk…#z6Mk…`).
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The agent's public key as a JWK.
    pub fn public_jwk(&self) -> JWK {
        self.key.to_public()
    }

    /// The agent's DID document.
    pub async fn did_document(&self) -> Result<Value, WalletError> {
        let did = DID::new(&self.did).map_err(|_| key_err("invalid DID"))?;
        let output = DIDKey.resolve(did).await.map_err(key_err)?;
        serde_json::to_value(output.document).map_err(key_err)
    }

    /// The holder policy in force (from `holder-policy.toml`; a wallet
    /// without one discloses nothing).
    pub fn holder_policy(&self) -> Result<HolderPolicy, WalletError> {
        Ok(HolderPolicy::load_or_empty(
            &self.dir().join(HOLDER_POLICY_FILE),
        )?)
    }

    /// Replaces the holder policy (written atomically).
    pub fn set_holder_policy(&self, policy: &HolderPolicy) -> Result<(), WalletError> {
        policy.save(&self.dir().join(HOLDER_POLICY_FILE))
    }

    /// Writes an encrypted export of the whole wallet (keys, credentials,
    /// sub-agent records) to `out`, locked with `unlock`.
    pub fn export(
        &self,
        out: &mut impl Write,
        unlock: &Unlock,
        params: KdfParams,
    ) -> Result<ExportSummary, WalletError> {
        // The holder policy lives in a file; carry its current text along.
        let path = self.dir().join(HOLDER_POLICY_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            self.store
                .put(Space::Settings, HOLDER_POLICY_FILE, text.as_bytes())?;
        }
        Ok(self.store.export(out, unlock, params)?)
    }

    /// Restores an export into a new wallet at `dir` and opens it.
    pub fn restore(
        input: &mut impl Read,
        dir: impl AsRef<Path>,
        unlock: &Unlock,
    ) -> Result<(Self, ExportSummary), WalletError> {
        let dir = dir.as_ref();
        let (store, summary) = Store::restore(input, dir, unlock)?;
        drop(store);
        let wallet = Self::open(dir, unlock)?;
        let policy = dir.join(HOLDER_POLICY_FILE);
        match wallet.store.get(Space::Settings, HOLDER_POLICY_FILE)? {
            Some(text) => {
                let text = String::from_utf8(text.to_vec())
                    .map_err(|_| WalletError::CorruptRecord(HOLDER_POLICY_FILE.into()))?;
                crate::holder_policy::write_atomically(&policy, &text)?;
            }
            None => HolderPolicy::write_template(&policy)?,
        }
        Ok((wallet, summary))
    }
}
