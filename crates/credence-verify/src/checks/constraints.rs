//! Policy constraints on the verified claims: every claim a constraint or
//! rule names is read from the statements (by the IRI its name has in the
//! credential's own contexts), and every constraint must hold.

use super::request::Terms;
use crate::policy::{CredentialFacts, NamedClaims};
use crate::signed::credential::CredentialStatements;
use crate::{ConstraintError, TrustPolicy};

/// The verified values of the subject claims `names`.
pub(crate) async fn named_claims(
    credential: &CredentialStatements,
    names: &[&str],
    terms: &Terms<'_>,
) -> NamedClaims {
    let mut claims = NamedClaims::new();
    for name in names {
        let path = vec!["credentialSubject".to_owned(), (*name).to_owned()];
        let Some(iris) = terms
            .paths
            .resolve(terms.context, terms.types, &path, terms.loader)
            .await
        else {
            continue;
        };
        if let Ok(values) = credential.statements.values_at(&credential.node, &iris) {
            if !values.is_empty() {
                claims.insert((*name).to_owned(), values);
            }
        }
    }
    claims
}

/// Checks every constraint of `policy` that names one of the credential's
/// types holds for it.
pub(crate) fn check_constraints(
    policy: &TrustPolicy,
    credential: CredentialFacts<'_>,
) -> Result<(), ConstraintError> {
    match policy.violated(credential) {
        Some(c) => Err(ConstraintError::Failed {
            claim: c.claim.clone(),
            condition: c.condition.to_string(),
        }),
        None => Ok(()),
    }
}
