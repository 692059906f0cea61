//! ProofVerify (draft §3.5.4, with CoreProofVerify, ProofVerifyInit and
//! ProofChallengeCalculate of §4.2.4).

use crate::cache::{self, PreparedKey};
use crate::generators::{self, GeneratorSet, MAX_MESSAGES};
use crate::hash_to_scalar::{h2s, message_scalar};
use crate::proof::{self, Proof, POINT_LEN};
use crate::{Ciphersuite, VerifyError};
use blstrs::{Bls12, G1Affine, G1Projective, Scalar};
use group::Group;
use pairing::{MillerLoopResult, MultiMillerLoop};

/// Verifies an IETF BBS proof: `Ok(())` when it is valid for the public key
/// (96-byte compressed G2 point), the header, the presentation header and
/// the disclosed messages at `disclosed_indexes` (strictly ascending,
/// 0-based, among all signed messages). Any refusal says why.
pub fn proof_verify<M: AsRef<[u8]>>(
    suite: Ciphersuite,
    public_key: &[u8],
    proof: &[u8],
    header: &[u8],
    presentation_header: &[u8],
    disclosed_messages: &[M],
    disclosed_indexes: &[usize],
) -> Result<(), VerifyError> {
    let undisclosed = proof::undisclosed_count(proof.len())?;
    let count = undisclosed.saturating_add(disclosed_indexes.len());
    if count > MAX_MESSAGES {
        return Err(VerifyError::TooManyMessages {
            count,
            max: MAX_MESSAGES,
        });
    }
    if disclosed_messages.len() != disclosed_indexes.len() {
        return Err(VerifyError::MessageCountMismatch {
            messages: disclosed_messages.len(),
            indexes: disclosed_indexes.len(),
        });
    }
    check_indexes(disclosed_indexes, count)?;
    let proof = Proof::decode(proof)?;
    let key = cache::prepared_key(public_key)?;
    let gens = generators::generators(suite, count + 1)?;
    let scalars = disclosed_messages
        .iter()
        .map(|m| message_scalar(suite, m.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let domain = domain(suite, &key, &gens, count, header)?;
    let (t1, t2) = commitments(suite, &proof, &gens, domain, &scalars, disclosed_indexes);
    let input = ChallengeInput {
        indexes: disclosed_indexes,
        scalars: &scalars,
        proof: &proof,
        t1,
        t2,
        domain,
    };
    if challenge(suite, &input, presentation_header)? != proof.challenge {
        return Err(VerifyError::ChallengeMismatch);
    }
    pairing_check(&proof, &key)
}

/// Strictly ascending (so neither unsorted nor repeated) and below `count`.
fn check_indexes(indexes: &[usize], count: usize) -> Result<(), VerifyError> {
    for (position, pair) in indexes.windows(2).enumerate() {
        if pair[0] >= pair[1] {
            return Err(VerifyError::IndexesNotAscending {
                position: position + 1,
            });
        }
    }
    match indexes.last() {
        Some(&index) if index >= count => Err(VerifyError::IndexOutOfRange { index, count }),
        _ => Ok(()),
    }
}

/// `calculate_domain(PK, Q_1, (H_1..H_L), header, api_id)`: hash_to_scalar of
/// `PK || I2OSP(L, 8) || Q_1 || H_1 || … || H_L || api_id ||
/// I2OSP(len(header), 8) || header`, from the cached compressed generators.
fn domain(
    suite: Ciphersuite,
    key: &PreparedKey,
    gens: &GeneratorSet,
    count: usize,
    header: &[u8],
) -> Result<Scalar, VerifyError> {
    let tags = suite.tags();
    h2s(
        suite,
        &[
            &key.compressed,
            &(count as u64).to_be_bytes(),
            &gens.compressed[..(count + 1) * POINT_LEN],
            tags.api_id,
            &(header.len() as u64).to_be_bytes(),
            header,
        ],
        tags.h2s,
    )
}

/// `T1 = Bbar·c + Abar·ê + D·r̂1` and
/// `T2 = Bv·c + D·r̂3 + Σ H_j·m̂_j` with `Bv = P1 + Q_1·domain + Σ H_i·msg_i`,
/// the latter as one multi-scalar multiplication
/// `P1·c + Q_1·(domain·c) + Σ H_i·(msg_i·c) + D·r̂3 + Σ H_j·m̂_j`.
fn commitments(
    suite: Ciphersuite,
    proof: &Proof,
    gens: &GeneratorSet,
    domain: Scalar,
    scalars: &[Scalar],
    indexes: &[usize],
) -> (G1Projective, G1Projective) {
    let c = proof.challenge;
    let t1 = G1Projective::multi_exp(
        &[proof.bbar.into(), proof.abar.into(), proof.d.into()],
        &[c, proof.e_hat, proof.r1_hat],
    );
    let count = scalars.len() + proof.m_hat.len();
    let mut points = Vec::with_capacity(count + 3);
    let mut coefficients = Vec::with_capacity(count + 3);
    points.extend([generators::p1_point(suite), gens.points[0], proof.d.into()]);
    coefficients.extend([c, domain * c, proof.r3_hat]);
    let (mut disclosed, mut hidden) = (scalars.iter(), proof.m_hat.iter());
    let mut next_index = indexes.iter().peekable();
    for (i, h) in gens.points[1..=count].iter().enumerate() {
        let coefficient = if next_index.next_if_eq(&&i).is_some() {
            disclosed.next().map(|m| *m * c)
        } else {
            hidden.next().copied()
        };
        // Both iterators hold exactly as many items as they are asked for:
        // `count` = disclosed + undisclosed, indexes ascending and < count.
        if let Some(s) = coefficient {
            points.push(*h);
            coefficients.push(s);
        }
    }
    (t1, G1Projective::multi_exp(&points, &coefficients))
}

/// What the challenge hashes besides the presentation header.
struct ChallengeInput<'a> {
    indexes: &'a [usize],
    scalars: &'a [Scalar],
    proof: &'a Proof,
    t1: G1Projective,
    t2: G1Projective,
    domain: Scalar,
}

/// `ProofChallengeCalculate`: hash_to_scalar of `I2OSP(R, 8) || (I2OSP(i, 8)
/// || msg_i)… || Abar || Bbar || D || T1 || T2 || domain ||
/// I2OSP(len(ph), 8) || ph`.
fn challenge(suite: Ciphersuite, x: &ChallengeInput, ph: &[u8]) -> Result<Scalar, VerifyError> {
    let mut octets = Vec::with_capacity(8 + x.indexes.len() * 40 + 5 * POINT_LEN + 40 + ph.len());
    octets.extend_from_slice(&(x.indexes.len() as u64).to_be_bytes());
    for (i, m) in x.indexes.iter().zip(x.scalars) {
        octets.extend_from_slice(&(*i as u64).to_be_bytes());
        octets.extend_from_slice(&m.to_bytes_be());
    }
    for p in [x.proof.abar, x.proof.bbar, x.proof.d] {
        octets.extend_from_slice(&p.to_compressed());
    }
    for p in [x.t1, x.t2] {
        octets.extend_from_slice(&G1Affine::from(p).to_compressed());
    }
    octets.extend_from_slice(&x.domain.to_bytes_be());
    octets.extend_from_slice(&(ph.len() as u64).to_be_bytes());
    octets.extend_from_slice(ph);
    h2s(suite, &[&octets], suite.tags().h2s)
}

/// `e(Abar, W) · e(Bbar, -BP2) = 1`, one two-pair Miller loop.
fn pairing_check(proof: &Proof, key: &PreparedKey) -> Result<(), VerifyError> {
    let gt = Bls12::multi_miller_loop(&[
        (&proof.abar, &key.prepared),
        (&proof.bbar, cache::neg_bp2()),
    ])
    .final_exponentiation();
    if bool::from(gt.is_identity()) {
        Ok(())
    } else {
        Err(VerifyError::PairingCheckFailed)
    }
}
