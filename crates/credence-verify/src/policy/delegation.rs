//! `[delegation]`: which claim a delegation chain narrows. A chain's links
//! delegate named capabilities; the policy says which credential claim
//! those names restrict. Nothing else in the verifier knows the claim.

use super::{NamedClaims, PolicyTypes};
use serde::Deserialize;

/// The claim a delegation chain narrows.
///
/// With a chain, the token speaks for the principal and may carry only
/// what every link delegated: this claim keeps only the values the chain
/// allows, and no other claim (of any credential) feeds a scope rule — a
/// rule on, say, the agent's model would grant what no link delegated.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegatedClaim {
    /// The credential type whose claim the chain narrows.
    pub credential_type: String,
    /// The subject claim name (the same name rules use).
    pub claim: String,
}

impl DelegatedClaim {
    /// The claims of a credential trusted as `types`, as a chain that
    /// delegated `capabilities` leaves them.
    pub fn narrow(&self, types: &PolicyTypes, claims: &mut NamedClaims, capabilities: &[String]) {
        if !types.contains(&self.credential_type) {
            claims.clear();
            return;
        }
        claims.retain(|name, _| *name == self.claim);
        if let Some(values) = claims.get_mut(&self.claim) {
            values.retain(|v| {
                v.as_text()
                    .is_some_and(|c| capabilities.iter().any(|x| x == c))
            });
        }
    }
}

/// What a chain leaves of a credential's claims under `delegation` (none
/// when the policy names no delegated claim: fail closed).
pub fn narrow_claims(
    delegation: Option<&DelegatedClaim>,
    types: &PolicyTypes,
    claims: &mut NamedClaims,
    capabilities: &[String],
) {
    match delegation {
        Some(d) => d.narrow(types, claims, capabilities),
        None => claims.clear(),
    }
}
