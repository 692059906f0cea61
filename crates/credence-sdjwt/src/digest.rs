//! Disclosure digests: base64url (no padding) of SHA-256 over the
//! Disclosure's ASCII text exactly as presented (RFC 9901 §4.2.3).

use crate::SdJwtError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The one `_sd_alg` supported (also the default when absent).
pub const SHA_256: &str = "sha-256";

/// The digest of `text` (a Disclosure, or an SD-JWT for `sd_hash`).
pub fn digest(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

/// Checks the payload's `_sd_alg` (absent means SHA-256).
pub fn check_sd_alg(sd_alg: Option<&serde_json::Value>) -> Result<(), SdJwtError> {
    match sd_alg {
        None => Ok(()),
        Some(serde_json::Value::String(alg)) if alg == SHA_256 => Ok(()),
        Some(other) => Err(SdJwtError::UnsupportedSdAlg(match other {
            serde_json::Value::String(s) => s.clone(),
            v => v.to_string(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_the_rfc_example_disclosure() {
        // RFC 9901 §5.1: the given_name Disclosure and its digest.
        assert_eq!(
            digest("WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd"),
            "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4"
        );
    }

    #[test]
    fn only_sha_256_is_accepted() {
        assert!(check_sd_alg(None).is_ok());
        assert!(check_sd_alg(Some(&serde_json::json!("sha-256"))).is_ok());
        assert_eq!(
            check_sd_alg(Some(&serde_json::json!("sha-512"))),
            Err(SdJwtError::UnsupportedSdAlg("sha-512".into()))
        );
        assert!(check_sd_alg(Some(&serde_json::json!(1))).is_err());
    }
}
