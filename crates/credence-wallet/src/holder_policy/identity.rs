//! Who is asking: the verifier as the wallet knows it, and what the holder
//! policy lets each kind of identity receive.

use super::{Allowance, HolderPolicy};
use std::fmt;

/// The verifier a request comes from, as far as the wallet can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifierIdentity {
    /// The `client_id` of a Credence-profile request, taken as written:
    /// that request is unsigned, so this is a claim, not a proof (`did`
    /// and `domain` rules match it as the module doc says).
    ClientId(String),
    /// A DID whose key signed the request (an OpenID4VP request object
    /// with the `decentralized_identifier:` prefix, verified): matched by
    /// `did` rules naming exactly this DID, never by `domain` rules.
    VerifiedDid(String),
    /// An unsigned OpenID4VP request (`redirect_uri:` prefix): matched only
    /// by `anonymous = true` rules.
    Anonymous,
}

impl fmt::Display for VerifierIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClientId(id) => write!(f, "{id}"),
            Self::VerifiedDid(did) => write!(f, "{did} (verified)"),
            Self::Anonymous => write!(f, "anonymous"),
        }
    }
}

impl VerifierIdentity {
    /// For audit lines: the identity, and the client id it answered as
    /// when that is not the identity itself.
    pub(crate) fn as_client(&self, client_id: &str) -> String {
        match self {
            Self::ClientId(id) => id.clone(),
            other => format!("{other} as {client_id}"),
        }
    }
}

impl HolderPolicy {
    /// What `identity` may receive: for a client id, [`HolderPolicy::allowance`];
    /// for a verified DID, the rules whose `did` is exactly that DID; for an
    /// anonymous verifier, the `anonymous = true` rules.
    pub fn allowance_for(&self, identity: &VerifierIdentity) -> Allowance {
        let did = match identity {
            VerifierIdentity::ClientId(client_id) => return self.allowance(client_id),
            VerifierIdentity::VerifiedDid(did) => Some(did.as_str()),
            VerifierIdentity::Anonymous => None,
        };
        let mut allowance = Allowance::default();
        for rule in &self.verifiers {
            let matched = match did {
                Some(did) => rule.did.as_deref() == Some(did),
                None => rule.anonymous,
            };
            if matched {
                allowance.add(rule);
            }
        }
        allowance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOBEX: &str = "did:web:globex.example";

    fn policy() -> HolderPolicy {
        HolderPolicy::default()
            .allow_did(GLOBEX, &["organization", "capabilities"])
            .allow_domain("globex.example", &["name"])
            .allow_anonymous(&["organization"])
    }

    fn claims(identity: VerifierIdentity) -> Vec<String> {
        let allowance = policy().allowance_for(&identity);
        ["organization", "capabilities", "name"]
            .into_iter()
            .map(|c| format!("credentialSubject.{c}"))
            .filter(|c| allowance.allows_claim(c))
            .collect()
    }

    #[test]
    fn a_verified_did_gets_its_did_rules_only() {
        assert_eq!(
            claims(VerifierIdentity::VerifiedDid(GLOBEX.into())),
            [
                "credentialSubject.organization",
                "credentialSubject.capabilities"
            ]
        );
        // Neither the host a did:web names nor case folding matches.
        assert!(claims(VerifierIdentity::VerifiedDid(
            "did:web:GLOBEX.example".into()
        ))
        .is_empty());
        assert!(claims(VerifierIdentity::VerifiedDid("did:web:evil.example".into())).is_empty());
    }

    #[test]
    fn anonymous_gets_anonymous_rules_only_and_nothing_by_default() {
        assert_eq!(
            claims(VerifierIdentity::Anonymous),
            ["credentialSubject.organization"]
        );
        let none = HolderPolicy::default().allow_did(GLOBEX, &["organization"]);
        assert!(!none
            .allowance_for(&VerifierIdentity::Anonymous)
            .allows_claim("credentialSubject.organization"));
    }

    #[test]
    fn anonymous_rules_never_match_a_named_verifier() {
        let only_anonymous = HolderPolicy::default().allow_anonymous(&["organization"]);
        for id in ["https://globex.example", GLOBEX, ""] {
            assert!(!only_anonymous
                .allowance(id)
                .allows_claim("credentialSubject.organization"));
            assert!(!only_anonymous
                .allowance_for(&VerifierIdentity::VerifiedDid(id.into()))
                .allows_claim("credentialSubject.organization"));
        }
    }

    #[test]
    fn anonymous_rules_parse_alone_only() {
        let ok = "[[verifier]]\nanonymous = true\nclaims = [\"organization\"]\n";
        let p = HolderPolicy::from_toml(ok).unwrap();
        assert_eq!(
            p,
            HolderPolicy::default().allow_anonymous(&["organization"])
        );
        assert_eq!(HolderPolicy::from_toml(&p.to_toml().unwrap()).unwrap(), p);
        let named = "[[verifier]]\nanonymous = true\ndid = \"d\"\nclaims = []\n";
        match HolderPolicy::from_toml(named) {
            Err(crate::PolicyError::Invalid { index: 1, reason }) => {
                assert!(reason.contains("names no verifier"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
