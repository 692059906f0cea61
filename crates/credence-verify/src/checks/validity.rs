//! Validity: inside `validFrom`/`validUntil` as the statements say, with
//! `validUntil` required unless the issuer's policy entry waives it, and
//! no longer than the policy's `max_validity_days`.

use crate::signed::credential::CredentialStatements;
use crate::{TrustedIssuer, ValidityError};
use chrono::{DateTime, Utc};

/// Checks `credential`'s validity window at `now` under `issuer`'s entry.
pub(crate) fn check_validity(
    credential: &CredentialStatements,
    issuer: &TrustedIssuer,
    now: DateTime<Utc>,
) -> Result<(), ValidityError> {
    if let Some(from) = credential.valid_from {
        if now < from {
            return Err(ValidityError::NotYetValid(from.to_rfc3339()));
        }
    }
    match credential.valid_until {
        Some(until) if now >= until => return Err(ValidityError::Expired(until.to_rfc3339())),
        None if issuer.require_valid_until => {
            return Err(ValidityError::ValidUntilMissing(issuer.did.clone()))
        }
        _ => {}
    }
    if let Some(max) = issuer.max_validity_days {
        let span = match (credential.valid_from, credential.valid_until) {
            (Some(from), Some(until)) => until - from,
            // Without both ends the span is unbounded.
            _ => chrono::Duration::MAX,
        };
        let days = (span.num_seconds() + 86_399).div_euclid(86_400);
        if days > i64::from(max) {
            return Err(ValidityError::TooLong { days, max });
        }
    }
    Ok(())
}
