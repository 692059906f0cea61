//! What one verifier may receive: the claims of every rule that matches it
//! and, for a claim whose rules name `elements`, which of its values.

use super::{normalize_claim, VerifierRule};
use std::collections::{BTreeMap, BTreeSet};

/// What one verifier may receive under a holder policy: the union of the
/// claims of every rule matching it. A claim some matching rule names
/// without `elements` may be disclosed whole; otherwise only the elements
/// (list elements, or the value of a single-valued claim) the matching
/// rules list, by lexical form (`invoices.read`, `2`, `true`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowance {
    /// Claim (dotted path) → its allowed elements; `None`: every element.
    claims: BTreeMap<String, Option<BTreeSet<String>>>,
}

impl Allowance {
    /// Adds what `rule` allows.
    pub(super) fn add(&mut self, rule: &VerifierRule) {
        let restrictions: BTreeMap<String, &Vec<String>> = rule
            .elements
            .iter()
            .map(|(claim, elements)| (normalize_claim(claim), elements))
            .collect();
        for claim in rule.claims.iter().map(|c| normalize_claim(c)) {
            let these: Option<BTreeSet<String>> = restrictions
                .get(&claim)
                .map(|e| e.iter().cloned().collect());
            match (self.claims.get_mut(&claim), these) {
                (None, these) => {
                    self.claims.insert(claim, these);
                }
                (Some(Some(allowed)), Some(these)) => allowed.extend(these),
                (Some(slot), None) => *slot = None,
                (Some(None), Some(_)) => {}
            }
        }
    }

    /// Whether the claim (dotted path) may be disclosed at all.
    pub fn allows_claim(&self, claim: &str) -> bool {
        self.claims.contains_key(claim)
    }

    /// Whether an element with lexical form `lexical` of the claim may be
    /// disclosed.
    pub fn allows_element(&self, claim: &str, lexical: &str) -> bool {
        match self.claims.get(claim) {
            None => false,
            Some(None) => true,
            Some(Some(allowed)) => allowed.contains(lexical),
        }
    }

    /// The only elements of the claim that may be disclosed, when the
    /// policy restricts them (`None`: every element, or the claim is not
    /// allowed at all — see [`Allowance::allows_claim`]).
    pub fn restricted_elements(&self, claim: &str) -> Option<&BTreeSet<String>> {
        self.claims.get(claim).and_then(Option::as_ref)
    }

    /// The claims (dotted paths) that may be disclosed.
    pub fn claims(&self) -> impl Iterator<Item = &str> {
        self.claims.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use crate::HolderPolicy;

    const CAPS: &str = "credentialSubject.capabilities";

    #[test]
    fn rules_add_up_and_a_rule_without_elements_allows_every_element() {
        let p = HolderPolicy::from_toml(
            r#"
            [[verifier]]
            domain = "globex.example"
            claims = ["organization", "capabilities"]
            elements = { capabilities = ["invoices.read"] }
            [[verifier]]
            domain = "globex.example"
            claims = ["credentialSubject.capabilities"]
            elements = { "credentialSubject.capabilities" = ["invoices.pay"] }
            [[verifier]]
            did = "did:web:initech.example"
            claims = ["capabilities"]
            "#,
        )
        .unwrap();
        let g = p.allowance("https://globex.example");
        assert!(g.allows_element(CAPS, "invoices.read"));
        assert!(g.allows_element(CAPS, "invoices.pay"));
        assert!(!g.allows_element(CAPS, "orders.create"));
        assert!(g.allows_element("credentialSubject.organization", "anything"));
        assert_eq!(g.restricted_elements(CAPS).map(|s| s.len()), Some(2));
        assert!(!g.allows_claim("credentialSubject.owner"));
        let initech = p.allowance("did:web:initech.example");
        assert!(initech.allows_element(CAPS, "orders.create"));
        assert_eq!(initech.restricted_elements(CAPS), None);
        let both = p
            .clone()
            .allow_domain("globex.example", &["capabilities"])
            .allowance("https://globex.example");
        assert!(both.allows_element(CAPS, "orders.create"), "widened");
        assert!(p
            .allowance("https://evil.example")
            .claims()
            .next()
            .is_none());
    }
}
