//! Why a proof was refused.

use std::fmt;

/// One field of an encoded proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofPart {
    /// The randomised signature point `Abar`.
    Abar,
    /// `Bbar`.
    Bbar,
    /// `D`.
    D,
    /// The response `ê`.
    EHat,
    /// The response `r̂1`.
    R1Hat,
    /// The response `r̂3`.
    R3Hat,
    /// The response for the n-th undisclosed message (0-based).
    MessageResponse(usize),
    /// The challenge `c`.
    Challenge,
}

impl fmt::Display for ProofPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Abar => f.write_str("Abar"),
            Self::Bbar => f.write_str("Bbar"),
            Self::D => f.write_str("D"),
            Self::EHat => f.write_str("e^"),
            Self::R1Hat => f.write_str("r1^"),
            Self::R3Hat => f.write_str("r3^"),
            Self::MessageResponse(n) => write!(f, "m^ #{n}"),
            Self::Challenge => f.write_str("challenge"),
        }
    }
}

/// Every reason ProofVerify refuses. Each variant but the last two means
/// the input is malformed; [`VerifyError::ChallengeMismatch`] and
/// [`VerifyError::PairingCheckFailed`] mean a well-formed proof is false.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The proof is shorter than the fixed part or its tail is not a whole
    /// number of scalars.
    #[error("a BBS proof of {len} bytes has no valid encoding")]
    ProofLength {
        /// The length given.
        len: usize,
    },
    /// More signed messages than this verifier creates generators for.
    #[error("{count} messages exceed the limit of {max}")]
    TooManyMessages {
        /// Disclosed plus undisclosed messages the input implies.
        count: usize,
        /// [`crate::MAX_MESSAGES`].
        max: usize,
    },
    /// A point is not a valid compressed G1 point of the prime-order
    /// subgroup.
    #[error("{0} is not a point of the G1 subgroup")]
    InvalidPoint(ProofPart),
    /// A point is the identity, which the draft forbids.
    #[error("{0} is the identity point")]
    IdentityPoint(ProofPart),
    /// A scalar is zero or not below the group order.
    #[error("{0} is not a canonical non-zero scalar")]
    InvalidScalar(ProofPart),
    /// The public key is not 96 bytes.
    #[error("a public key of {len} bytes, expected 96")]
    PublicKeyLength {
        /// The length given.
        len: usize,
    },
    /// The public key is not a point of the G2 subgroup, or is the identity.
    #[error("the public key is not a non-identity point of the G2 subgroup")]
    InvalidPublicKey,
    /// Disclosed messages and disclosed indexes differ in number.
    #[error("{messages} disclosed messages for {indexes} disclosed indexes")]
    MessageCountMismatch {
        /// Messages given.
        messages: usize,
        /// Indexes given.
        indexes: usize,
    },
    /// Disclosed indexes are not strictly ascending (unsorted or repeated).
    #[error("disclosed indexes are not strictly ascending at position {position}")]
    IndexesNotAscending {
        /// Position in the index list of the first offending entry.
        position: usize,
    },
    /// A disclosed index is not below the number of signed messages.
    #[error("disclosed index {index} is out of range for {count} messages")]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The number of signed messages the proof implies.
        count: usize,
    },
    /// `expand_message` refused its input (a domain separation tag too long
    /// for the expander).
    #[error("expand_message failed")]
    ExpandMessage,
    /// A hash-to-curve output could not be carried over to blst's point
    /// type (not expected: both libraries output subgroup points).
    #[error("hash_to_curve failed")]
    HashToCurve,
    /// The recomputed challenge differs from the proof's.
    #[error("the proof's challenge does not match")]
    ChallengeMismatch,
    /// The pairing equation `e(Abar, W) · e(Bbar, -BP2) = 1` does not hold.
    #[error("the pairing check failed")]
    PairingCheckFailed,
}
