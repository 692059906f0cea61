//! Record sealing (XChaCha20-Poly1305) and keyed hashes (HMAC-SHA-256).

use crate::StoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

/// Format byte in front of every sealed value.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;

/// `SEALED_V1 ‖ nonce ‖ ciphertext+tag`, with `aad` authenticated.
pub(crate) fn seal_bytes(key: &[u8; 32], plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = XChaCha20Poly1305::new(key.into())
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
        .map_err(|_| StoreError::Integrity("encryption failed".into()))?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens what [`seal_bytes`] made; `Err(())` on any mismatch.
pub(crate) fn open_bytes(
    key: &[u8; 32],
    sealed: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ()> {
    if sealed.len() < 1 + NONCE_LEN || sealed[0] != SEALED_V1 {
        return Err(());
    }
    let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| ())?;
    XChaCha20Poly1305::new(key.into())
        .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| ())
}

/// The keys a wallet's data key expands into.
pub(crate) struct Keys {
    /// Encrypts records.
    pub record: Zeroizing<[u8; 32]>,
    /// Keys the blind indexes and record ids.
    pub index: Zeroizing<[u8; 32]>,
}

impl Keys {
    pub(crate) fn from_data_key(dek: &[u8; 32]) -> Result<Self, StoreError> {
        let hk = Hkdf::<Sha256>::from_prk(dek)
            .map_err(|_| StoreError::Kdf("data key too short".into()))?;
        let mut record = Zeroizing::new([0u8; 32]);
        let mut index = Zeroizing::new([0u8; 32]);
        hk.expand(b"credence-store/records/v1", record.as_mut())
            .and_then(|_| hk.expand(b"credence-store/index/v1", index.as_mut()))
            .map_err(|_| StoreError::Kdf("HKDF expand".into()))?;
        Ok(Self { record, index })
    }

    /// HMAC-SHA-256 of `data` under the index key.
    pub(crate) fn keyed_hash(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.index.as_ref())
            .expect("invariant: HMAC accepts keys of any length, so this cannot fail");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}
