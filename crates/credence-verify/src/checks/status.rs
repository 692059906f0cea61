//! Revocation and suspension: the credential's status entries, as its
//! statements state them, are checked against the issuer's signed lists;
//! a revocation entry is required unless the issuer's policy entry waives
//! it (a holder could otherwise disclose only a suspension entry).

use super::proofs::ProofEnv;
use crate::signed::credential::CredentialStatements;
use crate::status_list::StatusLists;
use crate::{StatusError, TrustedIssuer};

/// Checks `credential`'s status under `issuer`'s entry.
pub(crate) async fn check_status(
    credential: &CredentialStatements,
    issuer: &TrustedIssuer,
    lists: &StatusLists,
    env: ProofEnv<'_>,
) -> Result<(), StatusError> {
    // Disclosing only a suspension entry must not hide a revocation.
    let revocable = credential.status.iter().any(|e| e.purpose == "revocation");
    if issuer.require_status && !revocable {
        return Err(StatusError::Missing(issuer.did.clone()));
    }
    lists
        .check(&credential.status, &credential.issuer, env)
        .await
}
