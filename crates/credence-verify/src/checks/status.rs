//! Revocation and suspension: the credential's status entries, as its
//! statements state them, are checked against the issuer's signed lists;
//! an entry is required unless the issuer's policy entry waives it.

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
    if credential.status.is_empty() {
        return if issuer.require_status {
            Err(StatusError::Missing(issuer.did.clone()))
        } else {
            Ok(())
        };
    }
    lists
        .check(&credential.status, &credential.issuer, env)
        .await
}
