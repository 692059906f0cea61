//! Unlocking a wallet: the passphrase or key file, the KDF that turns it
//! into a key-encryption key, and the wrapped data key.

use crate::seal::{open_bytes, seal_bytes};
use crate::StoreError;
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hkdf::Hkdf;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Shortest key file accepted, in bytes.
pub const MIN_KEY_FILE_LEN: usize = 32;
const WRAP_AAD: &[u8] = b"credence-wallet-key/v1";
const KEY_FILE_INFO: &[u8] = b"credence-wallet-kek/key-file/v1";

/// The secret that unlocks a wallet.
pub enum Unlock {
    /// A passphrase, stretched with Argon2id.
    Passphrase(Zeroizing<String>),
    /// A file of at least 32 random bytes, expanded with HKDF-SHA-256.
    KeyFile(PathBuf),
}

impl std::fmt::Debug for Unlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Passphrase(_) => f.write_str("Unlock::Passphrase(<redacted>)"),
            Self::KeyFile(p) => write!(f, "Unlock::KeyFile({})", p.display()),
        }
    }
}

impl Unlock {
    /// A passphrase unlock.
    pub fn passphrase(p: impl Into<String>) -> Self {
        Self::Passphrase(Zeroizing::new(p.into()))
    }

    /// Writes a new random key file (mode 0600 on Unix); fails if it exists.
    pub fn create_key_file(path: &Path) -> Result<Self, StoreError> {
        let mut key = Zeroizing::new([0u8; MIN_KEY_FILE_LEN]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        crate::fsutil::write_private_new(path, key.as_ref())?;
        Ok(Self::KeyFile(path.to_owned()))
    }
}

/// Argon2id cost parameters. The default is RFC 9106's second recommended
/// option with one lane: 64 MiB, 3 passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

impl KdfParams {
    /// The cheapest parameters Argon2 accepts — for tests and benchmarks
    /// that open many wallets, never for real wallets.
    pub fn minimal() -> Self {
        Self {
            m_cost_kib: 8 * 1024,
            t_cost: 1,
            p_cost: 1,
        }
    }
}

/// How a wallet's key-encryption key is derived (stored in the header).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "alg", rename_all = "kebab-case")]
pub(crate) enum Kdf {
    /// Argon2id (version 0x13) over the passphrase.
    Argon2id {
        #[serde(flatten)]
        params: KdfParams,
        salt: String,
    },
    /// HKDF-SHA-256 over the key file's bytes.
    KeyFileHkdfSha256 { salt: String },
}

impl Kdf {
    pub(crate) fn new(unlock: &Unlock, params: KdfParams) -> Self {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let salt = B64.encode(salt);
        match unlock {
            Unlock::Passphrase(_) => Self::Argon2id { params, salt },
            Unlock::KeyFile(_) => Self::KeyFileHkdfSha256 { salt },
        }
    }

    /// Derives the key-encryption key.
    pub(crate) fn derive(&self, unlock: &Unlock) -> Result<Zeroizing<[u8; 32]>, StoreError> {
        let mut kek = Zeroizing::new([0u8; 32]);
        match (self, unlock) {
            (Self::Argon2id { params, salt }, Unlock::Passphrase(p)) => {
                if p.is_empty() {
                    return Err(StoreError::Kdf("the passphrase is empty".into()));
                }
                let salt = decode_salt(salt)?;
                let params = Params::new(params.m_cost_kib, params.t_cost, params.p_cost, Some(32))
                    .map_err(|e| StoreError::Kdf(e.to_string()))?;
                Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                    .hash_password_into(p.as_bytes(), &salt, kek.as_mut())
                    .map_err(|e| StoreError::Kdf(e.to_string()))?;
            }
            (Self::KeyFileHkdfSha256 { salt }, Unlock::KeyFile(path)) => {
                let bytes =
                    Zeroizing::new(std::fs::read(path).map_err(|e| StoreError::KeyFile {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?);
                if bytes.len() < MIN_KEY_FILE_LEN {
                    return Err(StoreError::KeyFile {
                        path: path.clone(),
                        reason: format!(
                            "{} bytes; at least {MIN_KEY_FILE_LEN} random bytes are needed",
                            bytes.len()
                        ),
                    });
                }
                let salt = decode_salt(salt)?;
                Hkdf::<Sha256>::new(Some(&salt), &bytes)
                    .expand(KEY_FILE_INFO, kek.as_mut())
                    .map_err(|e| StoreError::Kdf(e.to_string()))?;
            }
            // A passphrase offered to a key-file wallet (or the reverse)
            // cannot unlock it.
            _ => return Err(StoreError::WrongSecret),
        }
        Ok(kek)
    }
}

fn decode_salt(salt: &str) -> Result<Vec<u8>, StoreError> {
    B64.decode(salt)
        .map_err(|_| StoreError::Integrity("the KDF salt is not base64".into()))
}

/// A fresh random 32-byte key.
pub(crate) fn random_key() -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(key.as_mut());
    key
}

/// Encrypts the data key under the key-encryption key.
pub(crate) fn wrap(kek: &[u8; 32], dek: &[u8; 32]) -> Result<String, StoreError> {
    Ok(B64.encode(seal_bytes(kek, dek, WRAP_AAD)?))
}

/// Decrypts the data key; an authentication failure means a wrong secret.
pub(crate) fn unwrap(kek: &[u8; 32], wrapped: &str) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let sealed = B64
        .decode(wrapped)
        .map_err(|_| StoreError::Integrity("the wrapped key is not base64".into()))?;
    let plain = open_bytes(kek, &sealed, WRAP_AAD).map_err(|_| StoreError::WrongSecret)?;
    let mut dek = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return Err(StoreError::Integrity(
            "the wrapped key has the wrong length".into(),
        ));
    }
    dek.copy_from_slice(&plain);
    Ok(dek)
}
