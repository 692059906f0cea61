//! Hostile proof bytes: never a panic, always a refusal, with the reason.

mod common;

use blstrs::G1Affine;
use common::Signer;
use credence_bbs_verify::*;
use proptest::prelude::*;
use std::sync::OnceLock;

/// The BLS12-381 group order r, big-endian.
const R: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];
const SUITE: Ciphersuite = Ciphersuite::Bls12381Sha256;

/// A valid proof over 10 messages disclosing 0, 3 and 7 (U = 7).
struct Valid {
    pk: Vec<u8>,
    proof: Vec<u8>,
    messages: Vec<Vec<u8>>,
    indexes: Vec<usize>,
}

fn valid() -> &'static Valid {
    static VALID: OnceLock<Valid> = OnceLock::new();
    VALID.get_or_init(|| {
        let signer = Signer::new(SUITE, &[7u8; 32]);
        let all: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; 1 + i as usize]).collect();
        let indexes = vec![0, 3, 7];
        let proof = signer.prove(&all, b"header", b"ph", &indexes);
        let messages = indexes.iter().map(|i| all[*i].clone()).collect();
        Valid {
            pk: signer.public_key(),
            proof,
            messages,
            indexes,
        }
    })
}

fn verify(proof: &[u8], messages: &[Vec<u8>], indexes: &[usize]) -> Result<(), VerifyError> {
    proof_verify(
        SUITE,
        &valid().pk,
        proof,
        b"header",
        b"ph",
        messages,
        indexes,
    )
}

/// 48 bytes that decode (unchecked) to a point on the curve outside the
/// prime-order subgroup, found from `seed`.
fn off_subgroup(seed: [u8; 48]) -> Option<[u8; 48]> {
    let mut bytes = seed;
    bytes[0] = 0x80 | (bytes[0] & 0x20) | (bytes[0] & 0x0f); // compressed, x < 2^380
    let p = Option::<G1Affine>::from(G1Affine::from_compressed_unchecked(&bytes))?;
    (!bool::from(p.is_torsion_free())).then_some(bytes)
}

#[test]
fn the_valid_base_proof_verifies() {
    let v = valid();
    assert_eq!(verify(&v.proof, &v.messages, &v.indexes), Ok(()));
}

#[test]
fn named_refusals() {
    let v = valid();
    let mut identity = v.proof.clone();
    identity[..48].copy_from_slice(&G1Affine::default().to_compressed());
    assert_eq!(
        verify(&identity, &v.messages, &v.indexes),
        Err(VerifyError::IdentityPoint(ProofPart::Abar))
    );
    // A point on the curve but outside the subgroup, in each point slot.
    let outside = (0u8..=255)
        .find_map(|i| off_subgroup([i; 48]))
        .expect("some x gives an on-curve point outside G1");
    for (slot, part) in [ProofPart::Abar, ProofPart::Bbar, ProofPart::D]
        .into_iter()
        .enumerate()
    {
        let mut p = v.proof.clone();
        p[slot * 48..(slot + 1) * 48].copy_from_slice(&outside);
        assert_eq!(
            verify(&p, &v.messages, &v.indexes),
            Err(VerifyError::InvalidPoint(part))
        );
    }
    let huge = vec![0u8; PROOF_FIXED_LEN + SCALAR_LEN * (MAX_MESSAGES + 1)];
    assert!(matches!(
        verify(&huge, &v.messages, &v.indexes),
        Err(VerifyError::TooManyMessages { .. })
    ));
    let many: Vec<usize> = (0..MAX_MESSAGES).collect();
    let msgs = vec![vec![]; MAX_MESSAGES];
    assert!(matches!(
        verify(&v.proof, &msgs, &many),
        Err(VerifyError::TooManyMessages { .. })
    ));
    for bad in [vec![3, 0, 7], vec![0, 3, 3]] {
        assert!(matches!(
            verify(&v.proof, &v.messages, &bad),
            Err(VerifyError::IndexesNotAscending { .. })
        ));
    }
    assert!(matches!(
        verify(&v.proof, &v.messages, &[0, 3, usize::MAX]),
        Err(VerifyError::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        verify(&v.proof, &v.messages[..2], &v.indexes),
        Err(VerifyError::MessageCountMismatch { .. })
    ));
    let short = &v.proof[..v.proof.len() - 1];
    assert_eq!(
        verify(short, &v.messages, &v.indexes),
        Err(VerifyError::ProofLength { len: short.len() })
    );
    assert!(matches!(
        proof_verify(
            SUITE,
            &v.pk[..95],
            &v.proof,
            b"header",
            b"ph",
            &v.messages,
            &v.indexes
        ),
        Err(VerifyError::PublicKeyLength { len: 95 })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn arbitrary_bytes_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..1200)) {
        let v = valid();
        prop_assert!(verify(&bytes, &v.messages, &v.indexes).is_err());
    }

    #[test]
    fn bad_points_are_refused(which in 0usize..3, seed in any::<[u8; 48]>(), kind in 0u8..3) {
        let v = valid();
        let mut proof = v.proof.clone();
        let replacement = match kind {
            0 => G1Affine::default().to_compressed(),
            1 => seed,
            _ => match off_subgroup(seed) {
                Some(p) => p,
                None => seed,
            },
        };
        proof[which * 48..(which + 1) * 48].copy_from_slice(&replacement);
        let r = verify(&proof, &v.messages, &v.indexes);
        prop_assert!(r.is_err());
        if kind == 0 {
            prop_assert!(matches!(r, Err(VerifyError::IdentityPoint(_))), "{:?}", r);
        }
        if kind == 2 && off_subgroup(seed).is_some() {
            prop_assert!(matches!(r, Err(VerifyError::InvalidPoint(_))), "{:?}", r);
        }
    }

    #[test]
    fn non_canonical_or_zero_scalars_are_refused(which in 0usize..11, add in any::<u32>(), zero in any::<bool>()) {
        let v = valid();
        let mut proof = v.proof.clone();
        let scalar = if zero {
            [0u8; 32]
        } else {
            // r + add (< 2^256 since r < 2^255), big-endian.
            let mut s = R;
            let mut carry = add as u64;
            for b in s.iter_mut().rev() {
                let t = *b as u64 + (carry & 0xff);
                *b = t as u8;
                carry = (carry >> 8) + (t >> 8);
            }
            s
        };
        let at = 144 + which * 32;
        proof[at..at + 32].copy_from_slice(&scalar);
        let r = verify(&proof, &v.messages, &v.indexes);
        prop_assert!(matches!(r, Err(VerifyError::InvalidScalar(_))), "{:?}", r);
    }

    #[test]
    fn wrong_lengths_and_huge_counts_are_refused(extra in 1usize..32, cut in any::<bool>(), units in 0usize..4096) {
        let v = valid();
        let mut proof = v.proof.clone();
        if cut {
            proof.truncate(proof.len() - extra);
        } else {
            proof.extend(std::iter::repeat_n(1u8, extra));
        }
        let r = verify(&proof, &v.messages, &v.indexes);
        prop_assert!(matches!(r, Err(VerifyError::ProofLength { .. })), "{:?}", r);
        // A well-formed length with `units` more responses: never accepted,
        // refused before any work when above the cap.
        let mut longer = v.proof.clone();
        longer.extend(std::iter::repeat_n(1u8, units * 32));
        let r = verify(&longer, &v.messages, &v.indexes);
        prop_assert!(r.is_err());
        if units + 10 > MAX_MESSAGES {
            prop_assert!(matches!(r, Err(VerifyError::TooManyMessages { .. })), "{:?}", r);
        }
    }
}
