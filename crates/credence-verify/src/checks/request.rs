//! The request: the credential has every type of one of the requested
//! type sets (expanded IRIs), and every requested claim is among its
//! verified statements.

use crate::signed::credential::CredentialStatements;
use crate::signed::paths::PathResolver;
use crate::ConstraintError;
use credence_core::PresentationRequest;
use serde_json::Value;
use ssi::json_ld::ContextLoader;

/// Where a credential's claim names are resolved: its own `@context` and
/// `type` as received (safe mode made them the signed ones).
pub(crate) struct Terms<'a> {
    /// The credential's `@context`.
    pub context: &'a Value,
    /// The credential's `type`.
    pub types: &'a Value,
    /// The resolver and its cache.
    pub paths: &'a PathResolver,
    /// The trusted contexts.
    pub loader: &'a ContextLoader,
}

/// Checks `credential` answers `request`.
pub(crate) async fn check_request(
    credential: &CredentialStatements,
    request: &PresentationRequest,
    terms: &Terms<'_>,
) -> Result<(), ConstraintError> {
    let query = request.dcql_query.credentials.first();
    let type_ok = query.is_some_and(|q| {
        q.meta
            .type_values
            .iter()
            .any(|set| set.iter().all(|t| credential.has_type(t)))
    });
    if !type_ok {
        return Err(ConstraintError::WrongCredentialType(format!(
            "{:?}",
            credential.types
        )));
    }
    for path in request.requested_claims() {
        let iris = terms
            .paths
            .resolve(terms.context, terms.types, &path.0, terms.loader)
            .await
            .ok_or_else(|| ConstraintError::MissingClaim(path.to_string()))?;
        let values = credential
            .statements
            .values_at(&credential.node, &iris)
            .map_err(|_| ConstraintError::MissingClaim(path.to_string()))?;
        if values.is_empty() {
            return Err(ConstraintError::MissingClaim(path.to_string()));
        }
    }
    Ok(())
}
