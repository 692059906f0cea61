//! Why an SD-JWT, a key binding or a status list was refused.

/// A refused SD-JWT, SD-JWT VC, KB-JWT or status list token, by reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdJwtError {
    /// Not an SD-JWT (or a JWT, a Disclosure, a JSON value) at all.
    #[error("malformed SD-JWT: {0}")]
    Malformed(String),
    /// Over a size limit (length, Disclosures, nesting).
    #[error("SD-JWT over a limit: {0}")]
    TooLarge(String),
    /// `_sd_alg` names a hash this verifier does not support.
    #[error("unsupported _sd_alg {0:?} (sha-256 only)")]
    UnsupportedSdAlg(String),
    /// The JWS `alg` is not one Credence accepts (EdDSA, ES256), or does
    /// not fit the key.
    #[error("unsupported or mismatched JWS alg {0:?}")]
    UnsupportedAlgorithm(String),
    /// The header `typ` is not the one expected.
    #[error("wrong typ: expected {expected:?}, found {found:?}")]
    WrongType {
        /// What was expected.
        expected: String,
        /// What the header says (empty when absent).
        found: String,
    },
    /// The issuer-signed JWT's signature does not verify with the key.
    #[error("the issuer signature does not verify")]
    BadIssuerSignature,
    /// A Disclosure no digest of the issuer-signed JWT references.
    #[error("a Disclosure is referenced by no digest (forged or unrelated): {0}")]
    UnreferencedDisclosure(String),
    /// The same digest appears more than once in the payload and the
    /// disclosed values.
    #[error("digest {0} appears more than once")]
    DuplicateDigest(String),
    /// The same Disclosure was presented twice.
    #[error("Disclosure presented twice: {0}")]
    DuplicateDisclosure(String),
    /// A Disclosure names a claim `_sd` or `...`.
    #[error("reserved claim name {0:?} in a Disclosure")]
    ReservedClaimName(String),
    /// A disclosed claim name already exists in its object.
    #[error("disclosed claim {0:?} already exists in its object")]
    ClaimCollision(String),
    /// An object-property Disclosure where an array element is referenced,
    /// or the reverse.
    #[error("Disclosure of the wrong kind for where its digest is: {0}")]
    WrongDisclosureKind(String),
    /// An SD-JWT VC claim that must be plain (`iss`, `nbf`, `exp`, `cnf`,
    /// `vct`, `vct#integrity`, `status`) was selectively disclosable.
    #[error("claim {0:?} must not be selectively disclosable")]
    NotDisclosable(String),
    /// A claim the format requires is absent or of the wrong type.
    #[error("claim {0:?} missing or not of its type")]
    MissingClaim(String),
    /// `exp` is past.
    #[error("expired (exp {0})")]
    Expired(i64),
    /// `nbf` (or `iat`) is ahead of now.
    #[error("not yet valid (nbf/iat {0})")]
    NotYetValid(i64),
    /// Key binding was required and no KB-JWT was presented.
    #[error("a KB-JWT is required and none was presented")]
    KeyBindingMissing,
    /// Key binding was required but the SD-JWT has no `cnf.jwk`.
    #[error("key binding required but the SD-JWT has no usable cnf.jwk: {0}")]
    NoHolderKey(String),
    /// The KB-JWT's signature does not verify with `cnf.jwk`.
    #[error("the KB-JWT is not signed by the credential's cnf key")]
    KeyBindingSignature,
    /// The KB-JWT's `nonce` is not the verifier's.
    #[error("KB-JWT nonce mismatch")]
    NonceMismatch,
    /// The KB-JWT's `aud` is not the verifier.
    #[error("KB-JWT aud mismatch: {0:?}")]
    AudienceMismatch(String),
    /// The KB-JWT's `iat` is outside the accepted window.
    #[error("KB-JWT iat {iat} outside the window around {now}")]
    StaleKeyBinding {
        /// The KB-JWT's `iat`.
        iat: i64,
        /// The verifier's time.
        now: i64,
    },
    /// The KB-JWT's `sd_hash` is not the hash of the presented SD-JWT.
    #[error("KB-JWT sd_hash does not match the presented SD-JWT")]
    SdHashMismatch,
    /// A status list token or its reference is malformed.
    #[error("status list: {0}")]
    StatusList(String),
    /// A status list token's signature does not verify.
    #[error("the status list token's signature does not verify")]
    StatusListSignature,
    /// A status list decompresses beyond the limit.
    #[error("status list decompresses beyond {0} bytes")]
    DecompressionLimit(usize),
    /// The status index is outside the list.
    #[error("status index {0} outside the list")]
    StatusIndexOutOfRange(u64),
    /// Signing failed (issuer or holder side).
    #[error("signing failed: {0}")]
    Signing(String),
}
