#![forbid(unsafe_code)]
//! The Wallet role: one agent instance's identity and credentials.
//!
//! A [`Wallet`] lives in its own directory (a sled database). On first open
//! it creates the agent's Ed25519 did:key; it stores credentials issued to
//! that DID, and answers a verifier's [`PresentationRequest`] with a VC 2.0
//! Verifiable Presentation holding a `bbs-2023` derived credential that
//! reveals only the requested claims, signed (`eddsa-rdfc-2022`,
//! authentication) with `challenge` = nonce and `domain` = audience.
//!
//! It does not verify presentations, make trust decisions or talk HTTP.

mod present;

use credence_core::context_loader;
use credence_store::{Store, StoreError};
use serde_json::Value;
use sha2::{Digest, Sha256};
use ssi::dids::DIDKey;
use ssi::json_ld::ContextLoader;
use ssi::JWK;
use std::path::Path;
use zeroize::Zeroizing;

pub use present::PresentError;

const AGENT_KEY: &str = "agent-ed25519";

/// Errors of the wallet.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// The store could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Stored key material could not be read back.
    #[error("stored agent key is unreadable: {0}")]
    CorruptKey(String),
    /// The credential is not a JSON object with the expected members.
    #[error("malformed credential: {0}")]
    MalformedCredential(String),
    /// The credential is about another subject than this agent.
    #[error("the credential is for {subject}, not for this agent ({agent})")]
    WrongSubject {
        /// The credential's subject id.
        subject: String,
        /// This wallet's DID.
        agent: String,
    },
    /// A DID could not be derived from the key.
    #[error("key error: {0}")]
    Key(String),
}

/// An agent's wallet.
pub struct Wallet {
    store: Store,
    key: JWK,
    did: String,
    verification_method: String,
    loader: ContextLoader,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

impl Wallet {
    /// Creates the wallet in `dir`, or reopens it. The agent key is created
    /// on first open and is the same on every later open.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, WalletError> {
        let store = Store::open(dir)?;
        let key: JWK = match store.get_key(AGENT_KEY)? {
            Some(bytes) => {
                let bytes = Zeroizing::new(bytes);
                serde_json::from_slice(&bytes)
                    .map_err(|e| WalletError::CorruptKey(e.to_string()))?
            }
            None => {
                let key = JWK::generate_ed25519().map_err(|e| WalletError::Key(e.to_string()))?;
                let bytes = Zeroizing::new(
                    serde_json::to_vec(&key).map_err(|e| WalletError::Key(e.to_string()))?,
                );
                store.put_key(AGENT_KEY, &bytes)?;
                key
            }
        };
        let did = DIDKey::generate(&key)
            .map_err(|e| WalletError::Key(e.to_string()))?
            .to_string();
        let verification_method = DIDKey::generate_url(&key)
            .map_err(|e| WalletError::Key(e.to_string()))?
            .to_string();
        Ok(Self {
            store,
            key,
            did,
            verification_method,
            loader: context_loader(),
        })
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

    /// Stores a credential issued to this agent and returns its id (the
    /// SHA-256 of its JSON). Credentials for another subject are refused.
    pub fn store_credential(&self, credential: &Value) -> Result<String, WalletError> {
        let subject = credential
            .get("credentialSubject")
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| WalletError::MalformedCredential("no credentialSubject.id".into()))?;
        if subject != self.did {
            return Err(WalletError::WrongSubject {
                subject: subject.into(),
                agent: self.did.clone(),
            });
        }
        let bytes = serde_json::to_vec(credential)
            .map_err(|e| WalletError::MalformedCredential(e.to_string()))?;
        let id = hex::encode(Sha256::digest(&bytes));
        self.store.put_credential(&id, &bytes)?;
        Ok(id)
    }

    /// Every stored credential with its id.
    pub fn credentials(&self) -> Result<Vec<(String, Value)>, WalletError> {
        self.store
            .credentials()?
            .into_iter()
            .map(|(id, bytes)| {
                serde_json::from_slice(&bytes)
                    .map(|v| (id, v))
                    .map_err(|e| WalletError::MalformedCredential(e.to_string()))
            })
            .collect()
    }
}
