//! The disclosure plan (a dry run): which credential answers which query of
//! a DCQL request, and exactly what each would reveal.

use crate::assign::assign;
use crate::credentials::{CredentialFilter, CredentialSummary};
use crate::holder_policy::{Allowance, VerifierIdentity};
use crate::select::{self, Miss, Selection};
use crate::{PresentError, Wallet};
use chrono::{DateTime, Utc};
use credence_bbs2023::{BaseProofValue, ProofConfig};
use credence_core::{CredentialQuery, CredentialSetQuery, DcqlQuery, PresentationRequest};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One claim and its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosedClaim {
    /// Dotted path (`credentialSubject.organization`).
    pub claim: String,
    /// Its value; for a list disclosed element by element, only the
    /// disclosed elements.
    pub value: Value,
}

/// Exactly what answering a request would reveal, and to whom.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosurePlan {
    /// The verifier (`client_id`) that would receive it.
    pub verifier: String,
    /// The nonce the presentation would be bound to.
    pub nonce: String,
    /// Every credential presented, one per answered credential query, in
    /// the order of the request's queries.
    pub credentials: Vec<CredentialDisclosure>,
}

/// What one presented credential reveals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialDisclosure {
    /// The credential query (DCQL `id`) it answers.
    pub query_id: String,
    /// The wallet's id of the credential.
    pub credential_id: String,
    /// Its types.
    pub credential_types: Vec<String>,
    /// Its issuer.
    pub issuer: String,
    /// The requested claims, revealed.
    pub disclosed: Vec<DisclosedClaim>,
    /// Statements every presentation of this credential reveals (its
    /// mandatory pointers: issuer, validity, subject id, status).
    pub always_disclosed: Vec<DisclosedClaim>,
    /// The subject's other claims, and the elements of disclosed lists
    /// (`credentialSubject.capabilities[1]`), which stay hidden.
    pub withheld: Vec<String>,
    /// JSON pointers to derive with (internal).
    #[serde(skip)]
    pub(crate) pointers: Vec<String>,
    /// What is disclosed, for the audit log (internal).
    #[serde(skip)]
    pub(crate) audit: Vec<String>,
    #[serde(skip)]
    pub(crate) credential: Value,
}

/// A stored credential that can answer a query, and how.
#[derive(Debug, Clone)]
struct Candidate {
    summary: CredentialSummary,
    credential: Value,
    selection: Selection,
}

fn pointer_to_claim(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether `e` only says the wallet cannot answer (as opposed to failing).
fn unanswerable(e: &PresentError) -> bool {
    matches!(
        e,
        PresentError::NoMatchingCredential
            | PresentError::MissingClaim(_)
            | PresentError::ValueNotAccepted(_)
            | PresentError::PolicyDenied { .. }
            | PresentError::NoDistinctCredential(_)
    )
}

/// Longest validity first (none: forever), then by id.
fn by_preference(a: &CredentialSummary, b: &CredentialSummary) -> std::cmp::Ordering {
    let until = |s: &CredentialSummary| s.valid_until.map_or(DateTime::<Utc>::MAX_UTC, |u| u);
    until(b).cmp(&until(a)).then_with(|| a.id.cmp(&b.id))
}

/// Works out which queries to answer with which credentials.
struct Chooser<'a> {
    wallet: &'a Wallet,
    dcql: &'a DcqlQuery,
    allowance: Allowance,
    verifier: &'a str,
    now: DateTime<Utc>,
    /// Candidates found so far, by query position.
    found: BTreeMap<usize, Vec<Candidate>>,
}

impl Chooser<'_> {
    fn query(&self, i: usize) -> &CredentialQuery {
        &self.dcql.credentials[i]
    }

    fn check_policy(&self, i: usize) -> Result<(), PresentError> {
        let claims = select::denied(self.query(i), &self.allowance);
        if claims.is_empty() {
            return Ok(());
        }
        Err(PresentError::PolicyDenied {
            verifier: self.verifier.to_owned(),
            claims,
        })
    }

    /// The unexpired stored credentials with every type of one of the
    /// query's type sets, best first.
    fn typed(&self, query: &CredentialQuery) -> Result<Vec<CredentialSummary>, PresentError> {
        let mut out: BTreeMap<String, CredentialSummary> = BTreeMap::new();
        for set in &query.meta.type_values {
            let Some(first) = set.first() else { continue };
            let filter = CredentialFilter {
                credential_type: Some(first.clone()),
                ..Default::default()
            };
            for s in self.wallet.list(&filter)? {
                if s.format == credence_core::LDP_VC
                    && !s.expired_at(self.now)
                    && set.iter().all(|t| s.has_type(t))
                {
                    out.insert(s.id.clone(), s);
                }
            }
        }
        let mut out: Vec<CredentialSummary> = out.into_values().collect();
        out.sort_by(by_preference);
        Ok(out)
    }

    /// Finds (once) the query's candidates: as many as there are queries,
    /// which is enough for every query to get its own whenever that is
    /// possible at all.
    fn candidates(&mut self, i: usize) -> Result<(), PresentError> {
        if self.found.contains_key(&i) {
            return Ok(());
        }
        let query = self.query(i);
        let mut miss: Option<Miss> = None;
        let mut out = Vec::new();
        for summary in self.typed(query)? {
            if out.len() == self.dcql.credentials.len() {
                break;
            }
            let credential = self.wallet.show(&summary.id)?;
            match select::select(&credential, query, &self.allowance) {
                Ok(selection) => out.push(Candidate {
                    summary,
                    credential,
                    selection,
                }),
                Err(m) => miss = miss.max(Some(m)),
            }
        }
        if out.is_empty() {
            return Err(miss.map_or(PresentError::NoMatchingCredential, |m| {
                m.into_error(self.verifier)
            }));
        }
        self.found.insert(i, out);
        Ok(())
    }

    /// Gives each of `queries` its own credential (a candidate index each).
    fn assign(&self, queries: &BTreeSet<usize>) -> Result<Vec<(usize, usize)>, PresentError> {
        let ids: Vec<Vec<&str>> = queries
            .iter()
            .map(|i| {
                self.found.get(i).map_or_else(Vec::new, |c| {
                    c.iter().map(|c| c.summary.id.as_str()).collect()
                })
            })
            .collect();
        let order: Vec<usize> = queries.iter().copied().collect();
        match assign(&ids) {
            Ok(choice) => Ok(order.into_iter().zip(choice).collect()),
            Err(p) => Err(PresentError::NoDistinctCredential(
                self.query(order[p]).id.clone(),
            )),
        }
    }

    /// Whether `option` can be answered alongside `chosen`: policy first,
    /// then credentials, then one credential each.
    fn try_option(
        &mut self,
        chosen: &BTreeSet<usize>,
        option: &[usize],
    ) -> Result<(), PresentError> {
        for i in option {
            self.check_policy(*i)?;
        }
        for i in option {
            self.candidates(*i)?;
        }
        let all: BTreeSet<usize> = chosen.iter().chain(option).copied().collect();
        self.assign(&all).map(|_| ())
    }

    /// Without credential sets: every query.
    fn every_query(&mut self) -> Result<BTreeSet<usize>, PresentError> {
        let all: Vec<usize> = (0..self.dcql.credentials.len()).collect();
        self.try_option(&BTreeSet::new(), &all)?;
        Ok(all.into_iter().collect())
    }

    /// With credential sets: for each set, its first option that can be
    /// answered; a required set without one refuses the request with the
    /// reason its first option could not be answered.
    fn by_sets(&mut self, sets: &[CredentialSetQuery]) -> Result<BTreeSet<usize>, PresentError> {
        let mut chosen = BTreeSet::new();
        for set in sets {
            let mut first_reason = None;
            for option in &set.options {
                let option: Vec<usize> = option
                    .iter()
                    .filter_map(|id| self.dcql.credentials.iter().position(|q| &q.id == id))
                    .collect();
                match self.try_option(&chosen, &option) {
                    Ok(()) => {
                        chosen.extend(option);
                        first_reason = None;
                        break;
                    }
                    Err(e) if unanswerable(&e) => {
                        first_reason.get_or_insert(e);
                    }
                    Err(e) => return Err(e),
                }
            }
            match first_reason {
                Some(reason) if set.required => return Err(reason),
                _ => {}
            }
        }
        Ok(chosen)
    }
}

/// The statements the credential's base proof always discloses.
fn always_disclosed(credential: &Value) -> Result<Vec<DisclosedClaim>, PresentError> {
    let config = ProofConfig::from_document(credential)?;
    let base = BaseProofValue::decode(&config.proof_value)?;
    Ok(base
        .mandatory_pointers
        .iter()
        .filter_map(|p| {
            credential.pointer(p).map(|v| DisclosedClaim {
                claim: pointer_to_claim(p),
                value: v.clone(),
            })
        })
        .collect())
}

fn disclosure(query_id: &str, c: Candidate) -> Result<CredentialDisclosure, PresentError> {
    let always_disclosed = always_disclosed(&c.credential)?;
    let Selection {
        pointers,
        disclosed,
        audit,
        withheld_elements,
    } = c.selection;
    let shown: BTreeSet<&str> = disclosed
        .iter()
        .chain(&always_disclosed)
        .map(|d| d.claim.as_str())
        .collect();
    let mut withheld: Vec<String> = c
        .credential
        .get("credentialSubject")
        .and_then(Value::as_object)
        .map(|subject| {
            subject
                .keys()
                .map(|k| format!("credentialSubject.{k}"))
                .filter(|claim| !shown.contains(claim.as_str()))
                .collect()
        })
        .unwrap_or_default();
    withheld.extend(withheld_elements);
    Ok(CredentialDisclosure {
        query_id: query_id.to_owned(),
        credential_id: c.summary.id,
        credential_types: c.summary.types,
        issuer: c.summary.issuer,
        disclosed,
        always_disclosed,
        withheld,
        pointers,
        audit,
        credential: c.credential,
    })
}

impl Wallet {
    /// Works out what answering `request` would disclose, without deriving
    /// or signing anything. It checks the request's expiry and its DCQL
    /// query; picks the queries to answer (every one, or per credential
    /// set the first option the wallet can answer — an optional set only
    /// when the holder policy allows it); refuses what the holder policy
    /// forbids before looking at any credential; and gives each answered
    /// query its own unexpired credential of the requested types holding
    /// every requested claim (with an accepted value when the query lists
    /// `values`; of a list, only the accepted and allowed elements are
    /// disclosed).
    pub fn plan(&self, request: &PresentationRequest) -> Result<DisclosurePlan, PresentError> {
        self.plan_for(
            request,
            &VerifierIdentity::ClientId(request.client_id.clone()),
        )
    }

    /// As [`Wallet::plan`], with the holder policy applied to `verifier`
    /// (a verified DID, or anonymous) instead of the request's client id.
    pub fn plan_for(
        &self,
        request: &PresentationRequest,
        verifier: &VerifierIdentity,
    ) -> Result<DisclosurePlan, PresentError> {
        let now = self.clock.now();
        if request.expires_at < now.timestamp() {
            return Err(PresentError::RequestExpired(request.expires_at));
        }
        let dcql = &request.dcql_query;
        dcql.validate()?;
        let mut chooser = Chooser {
            wallet: self,
            dcql,
            allowance: self.holder_policy()?.allowance_for(verifier),
            verifier: &verifier.to_string(),
            now,
            found: BTreeMap::new(),
        };
        let chosen = match &dcql.credential_sets {
            None => chooser.every_query()?,
            Some(sets) => chooser.by_sets(sets)?,
        };
        let answered: BTreeSet<&str> = chosen
            .iter()
            .map(|i| dcql.credentials[*i].id.as_str())
            .collect();
        if !dcql.satisfied_by(&answered) {
            return Err(PresentError::NoMatchingCredential);
        }
        let mut credentials = Vec::with_capacity(chosen.len());
        for (i, pick) in chooser.assign(&chosen)? {
            let candidate = chooser
                .found
                .get_mut(&i)
                .filter(|c| pick < c.len())
                .map(|c| c.swap_remove(pick))
                .ok_or(PresentError::NoMatchingCredential)?;
            credentials.push(disclosure(&dcql.credentials[i].id, candidate)?);
        }
        Ok(DisclosurePlan {
            verifier: verifier.as_client(&request.client_id),
            nonce: request.nonce.clone(),
            credentials,
        })
    }
}
