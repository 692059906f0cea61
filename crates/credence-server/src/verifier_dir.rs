//! A verifier's directory: its token signing key (`token-key.jwk`), its
//! OpenID4VP request signing key (`request-key.jwk`) and the resource
//! servers' introspection secret (`api-token`), all owner-only, created on
//! first use.

use crate::ApiToken;
use credence_store::{fsutil, StoreError};
use ssi::JWK;
use std::path::Path;
use zeroize::Zeroizing;

/// The signing key's file name.
pub const TOKEN_KEY_FILE: &str = "token-key.jwk";

fn key_error(path: &Path, e: impl ToString) -> StoreError {
    StoreError::File {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
    }
}

/// The request signing key's file name.
pub const REQUEST_KEY_FILE: &str = "request-key.jwk";

/// Loads the verifier's Ed25519 token key and introspection secret from
/// `dir`, creating either when missing.
pub fn load_or_create(dir: &Path) -> Result<(JWK, ApiToken), StoreError> {
    std::fs::create_dir_all(dir).map_err(StoreError::file(dir))?;
    let key = key_file(&dir.join(TOKEN_KEY_FILE))?;
    let token = match ApiToken::load(dir) {
        Ok(t) => t,
        Err(_) if !dir.join(crate::API_TOKEN_FILE).exists() => ApiToken::create(dir)?,
        Err(e) => return Err(e),
    };
    Ok((key, token))
}

/// Loads the verifier's Ed25519 OpenID4VP request signing key from `dir`,
/// creating it when missing.
pub fn load_or_create_request_key(dir: &Path) -> Result<JWK, StoreError> {
    std::fs::create_dir_all(dir).map_err(StoreError::file(dir))?;
    key_file(&dir.join(REQUEST_KEY_FILE))
}

pub(crate) fn key_file(path: &Path) -> Result<JWK, StoreError> {
    let path = path.to_owned();
    let key = if path.exists() {
        let text = Zeroizing::new(std::fs::read_to_string(&path).map_err(StoreError::file(&path))?);
        let key: JWK = serde_json::from_str(&text).map_err(|e| key_error(&path, e))?;
        if key.is_public() {
            return Err(key_error(&path, "the key has no private part"));
        }
        key
    } else {
        let key = JWK::generate_ed25519().map_err(|e| key_error(&path, e))?;
        let text = Zeroizing::new(serde_json::to_vec(&key).map_err(|e| key_error(&path, e))?);
        fsutil::write_private_new(&path, &text)?;
        key
    };
    Ok(key)
}
