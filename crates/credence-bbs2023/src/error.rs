//! Errors of the bbs-2023 cryptosuite.

/// Everything that can go wrong while signing, deriving or verifying a
/// `bbs-2023` proof.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Bbs2023Error {
    /// The document is not a JSON object or lacks a required member.
    #[error("invalid document: {0}")]
    InvalidDocument(String),
    /// JSON-LD expansion, context loading or RDF conversion failed.
    #[error("JSON-LD processing failed: {0}")]
    JsonLd(String),
    /// A JSON pointer is malformed or points at nothing in the document.
    #[error("invalid JSON pointer `{0}`")]
    InvalidPointer(String),
    /// The document carries no `proof`.
    #[error("the document has no proof")]
    MissingProof,
    /// The proof is not a `DataIntegrityProof` with cryptosuite `bbs-2023`.
    #[error("not a bbs-2023 proof: {0}")]
    WrongCryptosuite(String),
    /// The `proofValue` is not well-formed multibase/CBOR of the expected shape.
    #[error("malformed proofValue: {0}")]
    MalformedProofValue(String),
    /// The proof value uses a bbs-2023 feature this crate does not implement.
    #[error("unsupported bbs-2023 feature (CBOR header byte 0x{0:02x})")]
    UnsupportedFeature(u8),
    /// A key has the wrong length or is not a valid curve point / scalar.
    #[error("invalid BBS key: {0}")]
    InvalidKey(String),
    /// An index in a derived proof does not match the revealed document.
    #[error("derived proof indexes do not match the document: {0}")]
    IndexMismatch(String),
    /// The BBS library refused to sign or to create a proof.
    #[error("BBS operation failed: {0}")]
    Bbs(String),
    /// The BBS proof does not verify: the document, the header or the
    /// presentation header differ from what was signed.
    #[error("the BBS proof does not verify")]
    ProofInvalid,
}
