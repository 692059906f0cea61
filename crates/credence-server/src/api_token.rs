//! The wallet API's bearer secret: created once, kept in an owner-only file,
//! compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use credence_store::{fsutil, StoreError};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The secret's file name inside a wallet directory.
pub const API_TOKEN_FILE: &str = "api-token";

/// A bearer secret.
pub struct ApiToken {
    secret: Zeroizing<String>,
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl ApiToken {
    /// Creates a fresh 256-bit secret in `dir/api-token` (mode 0600); fails
    /// if the file exists.
    pub fn create(dir: &Path) -> Result<Self, StoreError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        let secret = Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_ref()));
        fsutil::write_private_new(&dir.join(API_TOKEN_FILE), secret.as_bytes())?;
        Ok(Self { secret })
    }

    /// Reads `dir/api-token`, refusing a file others can read (Unix).
    pub fn load(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join(API_TOKEN_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map_err(StoreError::file(&path))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(StoreError::File {
                    path,
                    source: std::io::Error::new(
                        std::io::ErrorKind::PermissionDenied,
                        format!(
                            "mode {:o} lets others read the API secret; chmod 600 it",
                            mode & 0o777
                        ),
                    ),
                });
            }
        }
        let text = Zeroizing::new(std::fs::read_to_string(&path).map_err(StoreError::file(&path))?);
        let secret = Zeroizing::new(text.trim().to_owned());
        if secret.len() < 16 {
            // An empty secret would match an empty bearer token.
            return Err(StoreError::File {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the API secret is shorter than 16 characters",
                ),
            });
        }
        Ok(Self { secret })
    }

    /// The secret, for the agent's client.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Constant-time check of a presented secret (both sides are hashed
    /// first, so not even the length is compared in variable time).
    pub fn matches(&self, presented: &str) -> bool {
        let a = Sha256::digest(self.secret.as_bytes());
        let b = Sha256::digest(presented.as_bytes());
        a.ct_eq(&b).into()
    }
}

/// The secret of an `Authorization: Bearer <secret>` header, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_owner_only_and_matched_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let token = ApiToken::create(dir.path()).unwrap();
        assert!(ApiToken::create(dir.path()).is_err(), "must not overwrite");
        let loaded = ApiToken::load(dir.path()).unwrap();
        assert!(loaded.matches(token.secret()));
        assert!(!loaded.matches(""));
        assert!(!loaded.matches(&token.secret()[1..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(API_TOKEN_FILE);
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(
                ApiToken::load(dir.path()).is_err(),
                "a world-readable secret is refused"
            );
        }
    }
}
