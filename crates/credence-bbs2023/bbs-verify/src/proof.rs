//! `octets_to_proof` (draft §4.2.4.5): the proof encoding, decoded with
//! every check the draft asks for.

use crate::{ProofPart, VerifyError};
use blstrs::{G1Affine, Scalar};
use group::ff::Field;
use group::prime::PrimeCurveAffine;

/// A compressed G1 point.
pub const POINT_LEN: usize = 48;
/// A big-endian scalar.
pub const SCALAR_LEN: usize = 32;
/// `Abar, Bbar, D` and `ê, r̂1, r̂3, c`: a proof disclosing every message.
pub const PROOF_FIXED_LEN: usize = 3 * POINT_LEN + 4 * SCALAR_LEN;

/// A decoded proof.
pub(crate) struct Proof {
    pub abar: G1Affine,
    pub bbar: G1Affine,
    pub d: G1Affine,
    pub e_hat: Scalar,
    pub r1_hat: Scalar,
    pub r3_hat: Scalar,
    /// One response per undisclosed message, in index order.
    pub m_hat: Vec<Scalar>,
    pub challenge: Scalar,
}

/// The number of undisclosed messages `U` a proof of `len` bytes carries,
/// or why no proof has that length.
pub fn undisclosed_count(len: usize) -> Result<usize, VerifyError> {
    match len.checked_sub(PROOF_FIXED_LEN) {
        Some(rest) if rest % SCALAR_LEN == 0 => Ok(rest / SCALAR_LEN),
        _ => Err(VerifyError::ProofLength { len }),
    }
}

impl Proof {
    /// Decodes a proof. The caller has bounded its length.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, VerifyError> {
        let u = undisclosed_count(bytes.len())?;
        let (points, scalars) = bytes.split_at(3 * POINT_LEN);
        let mut points = points.chunks_exact(POINT_LEN);
        let mut scalars = scalars.chunks_exact(SCALAR_LEN);
        let mut next_point = |part| point(points.next(), part);
        let (abar, bbar, d) = (
            next_point(ProofPart::Abar)?,
            next_point(ProofPart::Bbar)?,
            next_point(ProofPart::D)?,
        );
        let mut next_scalar = |part| scalar(scalars.next(), part);
        let e_hat = next_scalar(ProofPart::EHat)?;
        let r1_hat = next_scalar(ProofPart::R1Hat)?;
        let r3_hat = next_scalar(ProofPart::R3Hat)?;
        let m_hat = (0..u)
            .map(|n| next_scalar(ProofPart::MessageResponse(n)))
            .collect::<Result<Vec<_>, _>>()?;
        let challenge = next_scalar(ProofPart::Challenge)?;
        Ok(Self {
            abar,
            bbar,
            d,
            e_hat,
            r1_hat,
            r3_hat,
            m_hat,
            challenge,
        })
    }
}

/// `octets_to_point_E1` with the subgroup check; the identity is refused.
fn point(chunk: Option<&[u8]>, part: ProofPart) -> Result<G1Affine, VerifyError> {
    let bytes: &[u8; POINT_LEN] = chunk
        .and_then(|c| c.try_into().ok())
        .ok_or(VerifyError::InvalidPoint(part))?;
    let p = Option::<G1Affine>::from(G1Affine::from_compressed(bytes))
        .ok_or(VerifyError::InvalidPoint(part))?;
    if bool::from(p.is_identity()) {
        return Err(VerifyError::IdentityPoint(part));
    }
    Ok(p)
}

/// `OS2IP`, refusing 0 and values `>= r`.
fn scalar(chunk: Option<&[u8]>, part: ProofPart) -> Result<Scalar, VerifyError> {
    let bytes: &[u8; SCALAR_LEN] = chunk
        .and_then(|c| c.try_into().ok())
        .ok_or(VerifyError::InvalidScalar(part))?;
    let s = Option::<Scalar>::from(Scalar::from_bytes_be(bytes))
        .ok_or(VerifyError::InvalidScalar(part))?;
    if bool::from(s.is_zero()) {
        return Err(VerifyError::InvalidScalar(part));
    }
    Ok(s)
}
