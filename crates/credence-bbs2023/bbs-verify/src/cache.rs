//! Process-wide caches of decoded, prepared G2 points: issuer public keys
//! (by their bytes, bounded) and `-BP2`.

use crate::VerifyError;
use blstrs::{G2Affine, G2Prepared};
use group::prime::PrimeCurveAffine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Public key length: a compressed G2 point.
pub(crate) const PUBLIC_KEY_LEN: usize = 96;

/// The most issuer keys kept prepared; when full, the cache is cleared and
/// refilled (keys come from DID resolution, so a flood of new keys costs
/// its sender decoding time, not the verifier memory).
pub const MAX_CACHED_KEYS: usize = 256;

/// A public key checked (on the curve, in the G2 subgroup, not the
/// identity) and prepared for the Miller loop.
pub(crate) struct PreparedKey {
    /// The canonical compressed encoding (the `PK` octets of the domain).
    pub compressed: [u8; PUBLIC_KEY_LEN],
    /// `W` prepared for the pairing.
    pub prepared: G2Prepared,
}

type KeyMap = Mutex<HashMap<[u8; PUBLIC_KEY_LEN], Arc<PreparedKey>>>;

fn keys() -> &'static KeyMap {
    static KEYS: OnceLock<KeyMap> = OnceLock::new();
    KEYS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// `octets_to_pubkey` (subgroup-checked, identity refused), cached.
pub(crate) fn prepared_key(bytes: &[u8]) -> Result<Arc<PreparedKey>, VerifyError> {
    let key: [u8; PUBLIC_KEY_LEN] = bytes
        .try_into()
        .map_err(|_| VerifyError::PublicKeyLength { len: bytes.len() })?;
    // The map only ever holds complete entries: poisoning leaves it valid.
    if let Some(hit) = keys()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Ok(Arc::clone(hit));
    }
    let point = Option::<G2Affine>::from(G2Affine::from_compressed(&key))
        .ok_or(VerifyError::InvalidPublicKey)?;
    if bool::from(point.is_identity()) {
        return Err(VerifyError::InvalidPublicKey);
    }
    let entry = Arc::new(PreparedKey {
        compressed: point.to_compressed(),
        prepared: G2Prepared::from(point),
    });
    let mut map = keys().lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= MAX_CACHED_KEYS {
        map.clear();
    }
    map.insert(key, Arc::clone(&entry));
    Ok(entry)
}

/// `-BP2`, the negated G2 base point, prepared once.
pub(crate) fn neg_bp2() -> &'static G2Prepared {
    static NEG_BP2: OnceLock<G2Prepared> = OnceLock::new();
    NEG_BP2.get_or_init(|| G2Prepared::from(-G2Affine::generator()))
}

/// Number of keys currently cached (for tests of the bound).
#[cfg(test)]
pub(crate) fn cached_keys() -> usize {
    keys().lock().unwrap_or_else(PoisonError::into_inner).len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use blstrs::{G2Projective, Scalar};
    use group::Group;

    #[test]
    fn the_key_cache_stays_bounded_and_refuses_bad_keys() {
        for k in 1..=(MAX_CACHED_KEYS as u64 + 20) {
            let point = G2Affine::from(G2Projective::generator() * Scalar::from(k));
            assert!(prepared_key(&point.to_compressed()).is_ok());
            assert!(cached_keys() <= MAX_CACHED_KEYS);
        }
        let identity = G2Affine::identity().to_compressed();
        assert_eq!(
            prepared_key(&identity).err(),
            Some(VerifyError::InvalidPublicKey)
        );
        assert_eq!(
            prepared_key(&[0u8; 96]).err(),
            Some(VerifyError::InvalidPublicKey)
        );
        assert_eq!(
            prepared_key(&[0u8; 95]).err(),
            Some(VerifyError::PublicKeyLength { len: 95 })
        );
    }
}
