//! `hash_to_scalar` and `map_message_to_scalar_as_hash` (draft §4.1).

use crate::ciphersuite::EXPAND_LEN;
use crate::{Ciphersuite, VerifyError};
use blstrs::Scalar;
use group::ff::Field;

/// `hash_to_scalar(msg, dst)`: `OS2IP(expand_message(msg, dst, 48)) mod r`,
/// as 32 big-endian bytes. The message is given in parts that are hashed
/// as their concatenation.
pub fn hash_to_scalar(
    suite: Ciphersuite,
    msg_parts: &[&[u8]],
    dst: &[u8],
) -> Result<[u8; 32], VerifyError> {
    h2s(suite, msg_parts, dst).map(|s| s.to_bytes_be())
}

/// `map_message_to_scalar_as_hash(msg, api_id)`: hash_to_scalar with the
/// suite's `MAP_MSG_TO_SCALAR_AS_HASH_` tag, as 32 big-endian bytes.
pub fn map_message_to_scalar(suite: Ciphersuite, msg: &[u8]) -> Result<[u8; 32], VerifyError> {
    message_scalar(suite, msg).map(|s| s.to_bytes_be())
}

/// [`hash_to_scalar`] as a field element.
pub(crate) fn h2s(
    suite: Ciphersuite,
    msg_parts: &[&[u8]],
    dst: &[u8],
) -> Result<Scalar, VerifyError> {
    let okm = suite.expand(msg_parts, dst)?;
    Ok(reduce(&okm))
}

/// [`map_message_to_scalar`] as a field element.
pub(crate) fn message_scalar(suite: Ciphersuite, msg: &[u8]) -> Result<Scalar, VerifyError> {
    h2s(suite, &[msg], suite.tags().map_msg)
}

/// `OS2IP(okm) mod r` for 48 big-endian bytes, as `hi · 2^192 + lo` with
/// `hi` and `lo` the two 24-byte halves: each is below `2^192 < r`, so each
/// is a canonical scalar, and the sum is computed in the field.
fn reduce(okm: &[u8; EXPAND_LEN]) -> Scalar {
    let half = EXPAND_LEN / 2;
    let two_64 = Scalar::from(u64::MAX) + Scalar::ONE;
    let two_192 = two_64 * two_64 * two_64;
    canonical_24(&okm[..half]) * two_192 + canonical_24(&okm[half..])
}

/// A scalar from at most 24 big-endian bytes.
fn canonical_24(bytes: &[u8]) -> Scalar {
    let mut be = [0u8; 32];
    be[32 - bytes.len()..].copy_from_slice(bytes);
    // A value below 2^192 is below r (> 2^254): always canonical.
    Option::from(Scalar::from_bytes_be(&be)).unwrap_or(Scalar::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_matches_the_definition_on_edges() {
        // 2^384 - 1 mod r, computed as ((2^192 - 1) * 2^192 + 2^192 - 1).
        let max = [0xffu8; 48];
        let all_ones_192 = canonical_24(&[0xff; 24]);
        let two_192 = all_ones_192 + Scalar::ONE;
        assert_eq!(reduce(&max), all_ones_192 * two_192 + all_ones_192);
        assert_eq!(reduce(&[0u8; 48]), Scalar::ZERO);
        let mut one = [0u8; 48];
        one[47] = 1;
        assert_eq!(reduce(&one), Scalar::ONE);
        let mut high = [0u8; 48];
        high[23] = 1;
        assert_eq!(reduce(&high), two_192);
    }
}
