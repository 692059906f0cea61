//! The wallet's error types.

use crate::holder_policy::PolicyError;
use credence_bbs2023::Bbs2023Error;
use credence_core::DcqlError;
use credence_did::DidError;
use credence_store::StoreError;

/// Errors of the wallet's own operations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// The store could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record could not be decoded (after it authenticated).
    #[error("stored record `{0}` is unreadable")]
    CorruptRecord(String),
    /// A key or DID could not be created or read.
    #[error("key error: {0}")]
    Key(String),
    /// The holder policy file is invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A sub-agent name is not `[a-z0-9_-]{1,64}`.
    #[error("invalid sub-agent name `{0}`: use 1–64 of a–z, 0–9, `-`, `_`")]
    InvalidName(String),
    /// A sub-agent with this name exists.
    #[error("a sub-agent named `{0}` already exists")]
    ChildExists(String),
    /// No credential has this id.
    #[error("no credential with id {0}")]
    NoSuchCredential(String),
    /// A file beside the store could not be written.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// Why a credential was refused on import.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Not a JSON credential with the members a credential needs.
    #[error("malformed credential: {0}")]
    Malformed(String),
    /// The credential is about another subject than this agent.
    #[error("the credential is for {subject}, not for this agent ({agent})")]
    WrongSubject {
        /// The credential's subject id.
        subject: String,
        /// This wallet's DID.
        agent: String,
    },
    /// The credential's validity ended.
    #[error("the credential expired at {0}")]
    Expired(String),
    /// The proof is not one this wallet can check (only `bbs-2023` base
    /// proofs for `assertionMethod` are accepted).
    #[error("unsupported proof: {0}")]
    UnsupportedProof(String),
    /// The issuer's key could not be resolved or is not authorized to issue.
    #[error("issuer key: {0}")]
    IssuerKey(#[from] DidError),
    /// The proof does not verify: the credential was altered or forged.
    #[error("forged or altered credential: {0}")]
    Forged(String),
    /// Storing it failed.
    #[error(transparent)]
    Wallet(#[from] WalletError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        Self::Wallet(e.into())
    }
}

/// Why the wallet could not answer a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PresentError {
    /// Reading the wallet failed.
    #[error(transparent)]
    Wallet(#[from] WalletError),
    /// No stored, unexpired credential has the requested type.
    #[error("no unexpired credential of the requested type")]
    NoMatchingCredential,
    /// The matching credential lacks a requested claim.
    #[error("the credential has no claim `{0}`")]
    MissingClaim(String),
    /// The request's DCQL query is not well formed.
    #[error("malformed DCQL query: {0}")]
    InvalidQuery(#[from] DcqlError),
    /// A claim the query restricts to some values has none of them (among
    /// the elements the holder policy allows) in any matching credential.
    #[error("no credential has an accepted value of `{0}`")]
    ValueNotAccepted(String),
    /// Every credential that could answer this credential query (by id)
    /// already answers another one: a credential answers one query only.
    #[error("credential query `{0}`: every matching credential already answers another query")]
    NoDistinctCredential(String),
    /// The holder policy does not allow these claims, or these elements of
    /// a claim (`credentialSubject.capabilities[orders.create]`), for this
    /// verifier.
    #[error("holder policy: {verifier} may not receive {}", claims.join(", "))]
    PolicyDenied {
        /// The requesting verifier (`client_id`).
        verifier: String,
        /// The requested claims (or claim elements) the policy withholds
        /// from it.
        claims: Vec<String>,
    },
    /// The request has expired.
    #[error("the request expired at {0}")]
    RequestExpired(i64),
    /// Deriving the selective-disclosure proof failed.
    #[error("deriving the disclosure failed: {0}")]
    Derive(#[from] Bbs2023Error),
    /// Signing the presentation failed.
    #[error("signing the presentation failed: {0}")]
    Sign(String),
    /// A delegation would not narrow the wallet's own, or the chain given
    /// does not end at this wallet.
    #[error("delegation refused: {0}")]
    Delegation(String),
    /// The audit log could not record the signature, so it was not made.
    #[error("audit log: {0}")]
    Audit(String),
}

impl From<StoreError> for PresentError {
    fn from(e: StoreError) -> Self {
        Self::Wallet(e.into())
    }
}

impl From<PolicyError> for PresentError {
    fn from(e: PolicyError) -> Self {
        Self::Wallet(WalletError::Policy(e))
    }
}
