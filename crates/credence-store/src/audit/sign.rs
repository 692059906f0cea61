//! Signing checkpoints, checking their signatures, and the log's signer
//! key file (`signer.jwk`: the public key every checkpoint must be signed
//! by, written when the log first gets a key).

use super::Checkpoint;
use crate::StoreError;
use ssi::claims::jws::{self, Header};
use ssi::dids::DIDKey;
use ssi::jwk::Algorithm;
use ssi::JWK;
use std::path::Path;

/// The signer key file's name inside the audit folder.
pub const SIGNER_FILE: &str = "signer.jwk";

/// Signs checkpoints with an Ed25519 key.
pub struct CheckpointKey {
    key: JWK,
    did: String,
}

impl CheckpointKey {
    /// Uses `key` (an Ed25519 JWK with its private part; anything else is
    /// refused here rather than failing at the first checkpoint).
    pub fn new(key: JWK) -> Result<Self, StoreError> {
        let ed25519 = matches!(&key.params, ssi::jwk::Params::OKP(p) if p.curve == "Ed25519");
        if !ed25519 || key.is_public() {
            return Err(StoreError::Audit(
                "checkpoint key: an Ed25519 key with its private part is needed".into(),
            ));
        }
        let did = DIDKey::generate(&key.to_public())
            .map_err(|e| StoreError::Audit(format!("checkpoint key: {e}")))?
            .to_string();
        Ok(Self { key, did })
    }

    /// The did:key checkpoints name as their signer.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// Signs `checkpoint`: its payload (JSON) and the compact JWS.
    pub(crate) fn sign(&self, checkpoint: &Checkpoint) -> Result<(String, String), StoreError> {
        let payload =
            serde_json::to_string(checkpoint).map_err(|e| StoreError::Audit(e.to_string()))?;
        let header = Header {
            algorithm: Algorithm::EdDSA,
            key_id: Some(self.did.clone()),
            jwk: Some(self.key.to_public()),
            ..Default::default()
        };
        let jws = jws::encode_sign_custom_header(&payload, &self.key, &header)
            .map_err(|e| StoreError::Audit(format!("signing a checkpoint: {e}")))?;
        Ok((payload, jws))
    }
}

/// Checks that `jws` is signed by the key in its header, that this key is
/// the did:key `checkpoint` names as signer, and that the signer is
/// `expected` (when given). Says what is wrong otherwise.
pub(crate) fn check_signature(
    checkpoint: &Checkpoint,
    jws: &str,
    expected: Option<&str>,
) -> Result<(), String> {
    let (header, _) = jws::decode_unverified(jws).map_err(|e| format!("not a JWS: {e}"))?;
    let jwk = header
        .jwk
        .ok_or_else(|| "the header carries no public key".to_owned())?;
    let did = DIDKey::generate(&jwk)
        .map_err(|e| format!("unusable key: {e}"))?
        .to_string();
    if did != checkpoint.signer {
        return Err(format!(
            "signed by {did}, names {} as signer",
            checkpoint.signer
        ));
    }
    if let Some(expected) = expected {
        if did != expected {
            return Err(format!("signed by {did}, not by {expected}"));
        }
    }
    jws::decode_verify(jws, &jwk).map_err(|e| format!("bad signature: {e}"))?;
    Ok(())
}

fn signer_err(dir: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::AuditSigner {
        path: dir.join(SIGNER_FILE),
        reason: reason.into(),
    }
}

/// The did:key of the public key in `dir`'s signer key file, if there is one.
pub(crate) fn read_signer(dir: &Path) -> Result<Option<String>, StoreError> {
    let path = dir.join(SIGNER_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(signer_err(dir, e.to_string())),
    };
    let jwk: JWK =
        serde_json::from_str(&text).map_err(|e| signer_err(dir, format!("not a JWK: {e}")))?;
    let did = DIDKey::generate(&jwk.to_public())
        .map_err(|e| signer_err(dir, format!("unusable key: {e}")))?;
    Ok(Some(did.to_string()))
}

/// Writes `key`'s public half as `dir`'s signer key file, whole or not at
/// all (a crash mid-write must not leave a torn file that stops the log
/// from opening): written beside it, synced, then renamed into place.
pub(crate) fn write_signer(dir: &Path, key: &CheckpointKey) -> Result<(), StoreError> {
    let text = serde_json::to_vec_pretty(&key.key.to_public())
        .map_err(|e| signer_err(dir, e.to_string()))?;
    let path = dir.join(SIGNER_FILE);
    let tmp = dir.join(format!("{SIGNER_FILE}.new"));
    std::fs::write(&tmp, &text)
        .and_then(|_| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(StoreError::file(&path))?;
    crate::fsutil::sync_parent(&path)
}

/// The error for a log signed by `recorded` opened with another `key`.
pub(crate) fn mismatch(dir: &Path, recorded: &str, key: &CheckpointKey) -> StoreError {
    signer_err(
        dir,
        format!(
            "this log is signed by {recorded}, not by the key offered ({}); restore that key or move the log aside",
            key.did
        ),
    )
}

/// Makes sure checkpoints appended with `key` will verify: the signer key
/// file (`recorded`: the did:key it holds) must name the same key, or be
/// written now for a log that has no checkpoint yet. A log signed by
/// another key is refused rather than continued under a key that would
/// break it.
pub(crate) fn adopt_signer(
    dir: &Path,
    key: &CheckpointKey,
    recorded: Option<&str>,
    has_checkpoints: bool,
) -> Result<(), StoreError> {
    match recorded {
        Some(did) if did == key.did => Ok(()),
        Some(did) => Err(mismatch(dir, did, key)),
        None if has_checkpoints => Err(signer_err(
            dir,
            "the log holds signed checkpoints but its signer key file is missing",
        )),
        None => write_signer(dir, key),
    }
}
