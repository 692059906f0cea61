//! Sub-agent identities: child wallets an orchestrator creates and tracks.

use crate::{Wallet, WalletError};
use chrono::{DateTime, Utc};
use credence_store::{KdfParams, Space, Unlock};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The folder, inside the parent wallet, holding child wallets.
const CHILDREN_DIR: &str = "children";

/// A sub-agent created by this wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildAgent {
    /// Its name, unique within the parent.
    pub name: String,
    /// Its own DID.
    pub did: String,
    /// Its wallet directory.
    pub dir: PathBuf,
    /// When it was created.
    pub created: DateTime<Utc>,
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl Wallet {
    /// Creates a sub-agent: a new wallet with its own key and DID in
    /// `children/<name>/` of this wallet's directory, locked with `unlock`
    /// (the CLI passes the parent's own secret), recorded in this wallet.
    pub fn create_child(
        &self,
        name: &str,
        unlock: &Unlock,
        params: KdfParams,
    ) -> Result<ChildAgent, WalletError> {
        if !valid_name(name) {
            return Err(WalletError::InvalidName(name.into()));
        }
        if self.store.get(Space::Children, name)?.is_some() {
            return Err(WalletError::ChildExists(name.into()));
        }
        let dir = self.dir().join(CHILDREN_DIR).join(name);
        if dir.exists() {
            return Err(WalletError::ChildExists(name.into()));
        }
        let child = Wallet::create(&dir, unlock, params)?;
        let record = ChildAgent {
            name: name.into(),
            did: child.did().into(),
            dir,
            created: self.clock.now(),
        };
        let bytes = serde_json::to_vec(&record).map_err(|e| WalletError::Key(e.to_string()))?;
        self.store.put(Space::Children, name, &bytes)?;
        Ok(record)
    }

    /// The sub-agents this wallet created, by name.
    pub fn children(&self) -> Result<Vec<ChildAgent>, WalletError> {
        self.store
            .list(Space::Children)?
            .into_iter()
            .map(|(name, bytes)| {
                serde_json::from_slice(&bytes)
                    .map_err(|_| WalletError::CorruptRecord(format!("child {name}")))
            })
            .collect()
    }
}
