//! did:key identifiers (W3C CCG did:key v0.7): which key types Credence
//! resolves, how their identifiers are checked, and which verification
//! relationships each key type is granted.
//!
//! ssi 0.16 (did-method-key 0.5) accepts any multibase, any multicodec
//! and any key length for its default `Multikey` documents, and lists the
//! key under `authentication` and `assertionMethod` whatever its type —
//! an X25519 key-agreement key included. Here the identifier is checked
//! first, as the spec's Document Creation, Signature Method Creation and
//! Decode Public Key algorithms require (§3.1), and the relationships are
//! then set from the key type.

use crate::relationship::{AGREEMENT, SIGNING};
use crate::DidError;
use ssi::multicodec::MultiEncodedBuf;
use ssi::JWK;

/// A did:key key type Credence resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyType {
    /// `ed25519-pub` (0xed), 32 bytes: a signing key.
    Ed25519,
    /// `x25519-pub` (0xec), 32 bytes: a key-agreement key.
    X25519,
    /// `p256-pub` (0x1200), 33 bytes (SEC1 compressed): a signing key.
    P256,
    /// `bls12_381-g2-pub` (0xeb), 96 bytes (compressed G2): a BBS signing key.
    Bls12381G2,
}

impl KeyType {
    const ALL: [Self; 4] = [Self::Ed25519, Self::X25519, Self::P256, Self::Bls12381G2];

    /// The multicodec code as its (minimal) unsigned-varint bytes.
    fn prefix(self) -> [u8; 2] {
        match self {
            Self::Ed25519 => [0xed, 0x01],
            Self::X25519 => [0xec, 0x01],
            Self::P256 => [0x80, 0x24],
            Self::Bls12381G2 => [0xeb, 0x01],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "Ed25519",
            Self::X25519 => "X25519",
            Self::P256 => "P-256",
            Self::Bls12381G2 => "BLS12-381 G2",
        }
    }

    /// The public key length the spec's table gives (§3.1.2 step 3).
    fn key_len(self) -> usize {
        match self {
            Self::Ed25519 | Self::X25519 => 32,
            Self::P256 => 33,
            Self::Bls12381G2 => 96,
        }
    }

    /// The relationships the spec grants: a signing key is listed under
    /// authentication, assertionMethod, capabilityInvocation and
    /// capabilityDelegation (§3.1.1 step 6; keyAgreement would need the
    /// optional derived X25519 key, which is not generated); an X25519 key
    /// is only a key-agreement key (§3.1.3, and the spec's x25519 vectors).
    pub(crate) fn relationships(self) -> &'static [&'static str] {
        match self {
            Self::X25519 => AGREEMENT,
            Self::Ed25519 | Self::P256 | Self::Bls12381G2 => SIGNING,
        }
    }

    /// Checks that `key` encodes a public key of this type (§3.1.2 step 4).
    fn check_key(self, encoded: &[u8], key: &[u8]) -> Result<(), String> {
        match self {
            // Every 32-byte string is an X25519 public value (RFC 7748 §5).
            Self::X25519 => Ok(()),
            Self::Ed25519 | Self::P256 => {
                let encoded = MultiEncodedBuf::new(encoded.to_vec()).map_err(|e| e.to_string())?;
                JWK::from_multicodec(&encoded)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            Self::Bls12381G2 => {
                // The compressed identity (flag bit 0x40) is no public key.
                if key.first().is_some_and(|b| b & 0x40 != 0) {
                    return Err("the point at infinity".into());
                }
                zkryptium::bbsplus::keys::BBSplusPublicKey::from_bytes(key)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Checks a did:key identifier and returns its key type.
///
/// The method-specific id must be base58btc multibase (`z…`), decode to
/// one of the [`KeyType`]s' multicodec prefixes followed by exactly a key
/// of that type's length, and the key must be valid for its type.
pub(crate) fn parse(did: &str) -> Result<KeyType, DidError> {
    let fail = |reason: String| DidError::failed(did, reason);
    let id = did
        .strip_prefix("did:key:")
        .ok_or_else(|| fail("not a did:key DID".into()))?;
    let base58 = id
        .strip_prefix('z')
        .ok_or_else(|| fail("a did:key must be base58btc multibase (z…)".into()))?;
    let encoded = multibase::Base::Base58Btc
        .decode(base58)
        .map_err(|e| fail(format!("not base58btc: {e}")))?;
    let (key_type, key) = KeyType::ALL
        .into_iter()
        .find_map(|t| Some((t, encoded.strip_prefix(&t.prefix()[..])?)))
        .ok_or_else(|| fail(format!("unsupported multicodec {}", codec_of(&encoded))))?;
    if key.len() != key_type.key_len() {
        return Err(fail(format!(
            "{} keys are {} bytes, this one has {}",
            key_type.name(),
            key_type.key_len(),
            key.len()
        )));
    }
    key_type
        .check_key(&encoded, key)
        .map_err(|e| fail(format!("not a valid {} public key: {e}", key_type.name())))?;
    Ok(key_type)
}

/// The multicodec code of `encoded`, for messages.
fn codec_of(encoded: &[u8]) -> String {
    match MultiEncodedBuf::new(encoded.to_vec()) {
        Ok(m) => format!("0x{:x}", m.codec()),
        Err(_) => "(not a multicodec varint)".into(),
    }
}
