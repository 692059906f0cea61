//! `create_generators` (draft §4.1.1) and the process-wide, grow-only
//! generator cache, one per ciphersuite.

use crate::ciphersuite::EXPAND_LEN;
use crate::proof::POINT_LEN;
use crate::{Ciphersuite, VerifyError};
use blstrs::{G1Affine, G1Projective};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// The most signed messages (disclosed + undisclosed) a proof may imply.
/// Creating a generator is a hash-to-curve, and the count comes from
/// untrusted input (the proof length), so it is bounded; it equals
/// `credence-bbs2023`'s `MAX_UNDISCLOSED`.
pub const MAX_MESSAGES: usize = 1024;

/// Generators created so far for one suite: `Q_1, H_1, …` in creation order.
pub(crate) struct GeneratorSet {
    /// The `v` that the next generator is derived from.
    next_v: [u8; EXPAND_LEN],
    /// `Q_1, H_1, H_2, …`.
    pub points: Vec<G1Projective>,
    /// The same points, compressed and concatenated (domain input).
    pub compressed: Vec<u8>,
}

impl GeneratorSet {
    fn empty(suite: Ciphersuite) -> Result<Self, VerifyError> {
        let tags = suite.tags();
        Ok(Self {
            next_v: suite.expand(&[tags.generator_seed], tags.seed_dst)?,
            points: Vec::new(),
            compressed: Vec::new(),
        })
    }

    /// Number of generators held.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// A copy extended to `count` generators.
    fn grown(&self, suite: Ciphersuite, count: usize) -> Result<Self, VerifyError> {
        let tags = suite.tags();
        let mut set = Self {
            next_v: self.next_v,
            points: self.points.clone(),
            compressed: self.compressed.clone(),
        };
        set.points.reserve(count.saturating_sub(set.len()));
        set.compressed
            .reserve(count.saturating_sub(set.len()) * POINT_LEN);
        for i in set.len() + 1..=count {
            let counter = (i as u64).to_be_bytes();
            set.next_v = suite.expand(&[&set.next_v, &counter], tags.seed_dst)?;
            let point = suite.hash_to_g1(&set.next_v, tags.generator_dst)?;
            set.compressed
                .extend_from_slice(&G1Affine::from(point).to_compressed());
            set.points.push(point);
        }
        Ok(set)
    }
}

type Slot = RwLock<Option<Arc<GeneratorSet>>>;
static CACHE: [Slot; 2] = [RwLock::new(None), RwLock::new(None)];

/// At least `count` generators of `suite`, from the cache, creating (and
/// caching) what is missing. Refuses counts above `MAX_MESSAGES + 1`.
pub(crate) fn generators(
    suite: Ciphersuite,
    count: usize,
) -> Result<Arc<GeneratorSet>, VerifyError> {
    if count > MAX_MESSAGES + 1 {
        return Err(VerifyError::TooManyMessages {
            count: count.saturating_sub(1),
            max: MAX_MESSAGES,
        });
    }
    let slot = &CACHE[suite.slot()];
    // A poisoned lock still holds a consistent value: it is only ever
    // replaced whole, after the new set is complete.
    if let Some(set) = slot.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
        if set.len() >= count {
            return Ok(Arc::clone(set));
        }
    }
    let mut guard = slot.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(set) = guard.as_ref() {
        if set.len() >= count {
            return Ok(Arc::clone(set));
        }
    }
    // Grow in powers of two so that rising counts do not copy every time.
    let target = count
        .next_power_of_two()
        .clamp(16, MAX_MESSAGES + 1)
        .max(count);
    let grown = match guard.as_ref() {
        Some(set) => set.grown(suite, target)?,
        None => GeneratorSet::empty(suite)?.grown(suite, target)?,
    };
    let grown = Arc::new(grown);
    *guard = Some(Arc::clone(&grown));
    Ok(grown)
}

/// The first `count` generators `Q_1, H_1, …, H_{count-1}` of `suite`,
/// compressed (`create_generators(count, api_id)`), from the cache.
pub fn create_generators(
    suite: Ciphersuite,
    count: usize,
) -> Result<Vec<[u8; POINT_LEN]>, VerifyError> {
    let set = generators(suite, count)?;
    Ok(set.compressed[..count * POINT_LEN]
        .chunks_exact(POINT_LEN)
        .map(|c| {
            let mut point = [0u8; POINT_LEN];
            point.copy_from_slice(c);
            point
        })
        .collect())
}

/// The suite's fixed base point `P1`, compressed.
pub fn p1(suite: Ciphersuite) -> [u8; POINT_LEN] {
    G1Affine::from(p1_point(suite)).to_compressed()
}

/// The suite's fixed base point `P1`.
pub(crate) fn p1_point(suite: Ciphersuite) -> G1Projective {
    static P1: [OnceLock<G1Projective>; 2] = [OnceLock::new(), OnceLock::new()];
    *P1[suite.slot()].get_or_init(|| {
        let mut bytes = [0u8; POINT_LEN];
        let decoded = hex::decode_to_slice(suite.tags().p1_hex, &mut bytes).is_ok();
        let point = Option::<G1Affine>::from(G1Affine::from_compressed(&bytes));
        // The constants are the draft's P1 values, a valid subgroup point
        // each (the fixture tests compare them with generators.json).
        match (decoded, point) {
            (true, Some(p)) => G1Projective::from(p),
            _ => unreachable!("the ciphersuite's P1 constant is a valid point"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_beyond_the_cap_are_refused_and_the_cache_only_grows() {
        for suite in Ciphersuite::ALL {
            assert_eq!(
                generators(suite, MAX_MESSAGES + 2).err(),
                Some(VerifyError::TooManyMessages {
                    count: MAX_MESSAGES + 1,
                    max: MAX_MESSAGES
                })
            );
            let small = generators(suite, 3).unwrap();
            assert!(small.len() >= 16);
            let larger = generators(suite, 40).unwrap();
            assert!(larger.len() >= 40);
            assert_eq!(larger.points[..3], small.points[..3]);
            assert_eq!(larger.compressed.len(), larger.len() * POINT_LEN);
        }
    }
}
