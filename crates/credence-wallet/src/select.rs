//! Which parts of one credential answer one credential query: the
//! selective pointers, the claims they disclose and the list elements that
//! stay hidden — never an element the query does not accept or the holder
//! policy does not allow.

use crate::holder_policy::Allowance;
use crate::{DisclosedClaim, PresentError};
use credence_core::{ClaimsQuery, CredentialQuery};
use serde_json::Value;

/// What one credential discloses for one query.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// bbs-2023 selective pointers, each once.
    pub pointers: Vec<String>,
    /// The requested claims as disclosed (lists: only the chosen elements).
    pub disclosed: Vec<DisclosedClaim>,
    /// What was disclosed, for the audit log: a claim, or its elements
    /// (`credentialSubject.capabilities[invoices.read]`).
    pub audit: Vec<String>,
    /// Elements of disclosed lists that stay hidden
    /// (`credentialSubject.capabilities[1]`).
    pub withheld_elements: Vec<String>,
}

impl Selection {
    fn disclose_whole(&mut self, claim: String, pointer: String, value: &Value) {
        self.pointers.push(pointer);
        self.audit.push(claim.clone());
        self.disclosed.push(DisclosedClaim {
            claim,
            value: value.clone(),
        });
    }
}

/// Why a credential cannot answer a query, from the least to the most
/// specific.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Miss {
    /// It lacks the claim.
    Claim(String),
    /// It has the claim, with no value the query accepts.
    Value(String),
    /// Its only accepted values are elements the policy forbids.
    Denied(Vec<String>),
}

impl Miss {
    /// The refusal this miss explains.
    pub fn into_error(self, verifier: &str) -> PresentError {
        match self {
            Self::Claim(c) => PresentError::MissingClaim(c),
            Self::Value(c) => PresentError::ValueNotAccepted(c),
            Self::Denied(claims) => PresentError::PolicyDenied {
                verifier: verifier.to_owned(),
                claims,
            },
        }
    }
}

/// The lexical form of a JSON literal (`invoices.read`, `2`, `true`);
/// objects, lists and null have none.
pub(crate) fn lexical(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn element(claim: &str, element: &str) -> String {
    format!("{claim}[{element}]")
}

/// What `query` asks for that the policy refuses, whatever the credential:
/// claims it does not allow, and for a claim with `values`, those values
/// when the policy forbids every one of them.
pub(crate) fn denied(query: &CredentialQuery, allowance: &Allowance) -> Vec<String> {
    let mut denied = Vec::new();
    for c in &query.claims {
        let claim = c.path.to_string();
        if !allowance.allows_claim(&claim) {
            denied.push(claim);
            continue;
        }
        let Some(values) = &c.values else { continue };
        let lexicals: Vec<String> = values.iter().map(|v| v.lexical()).collect();
        if !lexicals.is_empty()
            && lexicals
                .iter()
                .all(|l| !allowance.allows_element(&claim, l))
        {
            denied.extend(lexicals.iter().map(|l| element(&claim, l)));
        }
    }
    denied
}

/// What `credential` discloses to answer `query` under `allowance`.
pub(crate) fn select(
    credential: &Value,
    query: &CredentialQuery,
    allowance: &Allowance,
) -> Result<Selection, Miss> {
    let mut out = Selection::default();
    for claim in &query.claims {
        select_claim(credential, claim, allowance, &mut out)?;
    }
    let mut seen = std::collections::BTreeSet::new();
    out.pointers.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn select_claim(
    credential: &Value,
    query: &ClaimsQuery,
    allowance: &Allowance,
    out: &mut Selection,
) -> Result<(), Miss> {
    let claim = query.path.to_string();
    let pointer = query.path.to_pointer();
    let value = credential
        .pointer(&pointer)
        .ok_or_else(|| Miss::Claim(claim.clone()))?;
    let narrowed = query.values.is_some() || allowance.restricted_elements(&claim).is_some();
    let accepted = |l: &str| query.accepts(l);
    let allowed = |l: &str| allowance.allows_element(&claim, l);
    // The values of `items` the query accepts and the policy forbids.
    let forbidden = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .filter_map(lexical)
            .filter(|l| accepted(l) && !allowed(l))
            .map(|l| element(&claim, &l))
            .collect()
    };
    let miss = |items: &[Value]| match forbidden(items) {
        f if f.is_empty() => Miss::Value(claim.clone()),
        f => Miss::Denied(f),
    };
    let items = match value {
        Value::Array(items) if narrowed && !items.is_empty() => items,
        scalar => {
            let ok = lexical(scalar).is_some_and(|l| accepted(&l) && allowed(&l));
            if narrowed && !ok {
                return Err(miss(std::slice::from_ref(scalar)));
            }
            out.disclose_whole(claim, pointer, scalar);
            return Ok(());
        }
    };
    let mut shown = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match lexical(item).filter(|l| accepted(l) && allowed(l)) {
            Some(l) => {
                out.pointers.push(format!("{pointer}/{i}"));
                out.audit.push(element(&claim, &l));
                shown.push(item.clone());
            }
            None => out.withheld_elements.push(element(&claim, &i.to_string())),
        }
    }
    if shown.is_empty() {
        return Err(miss(items));
    }
    out.disclosed.push(DisclosedClaim {
        claim,
        value: Value::Array(shown),
    });
    Ok(())
}
