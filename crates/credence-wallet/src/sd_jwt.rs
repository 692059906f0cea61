//! SD-JWT VCs in the wallet: verified import (the issuer's signature by a
//! key its DID authorizes for `assertionMethod`, every Disclosure, `typ`
//! `dc+sd-jwt`, not expired, `cnf.jwk` this agent's key and `sub` this
//! agent), stored sealed like the W3C credentials; and answers to
//! `dc+sd-jwt` credential queries with only the Disclosures the request
//! asks for and the holder policy allows (per claim and per element),
//! bound to the request by a KB-JWT signed by the agent key.

use crate::credentials::{CredentialSummary, Imported};
use crate::select::lexical;
use crate::{ImportError, PresentError, VerifierIdentity, Wallet, WalletError};
use chrono::{DateTime, Utc};
use credence_core::{correlation_id, ClaimsQuery, CredentialQuery, PresentationRequest, DC_SD_JWT};
use credence_did::{absolute, authorized_method, did_of};
use credence_sdjwt::disclosure::Disclosure;
use credence_sdjwt::present::{bind, select};
use credence_sdjwt::unpack::unpack;
use credence_sdjwt::{check_vc, SdJwt, SdJwtError, Step, VerifyOptions, SD_JWT_VC_TYP};
use credence_store::AuditRecord;
use serde_json::{Map, Value};
use std::collections::HashSet;

fn forged(e: SdJwtError) -> ImportError {
    match e {
        SdJwtError::Expired(t) => ImportError::Expired(t.to_string()),
        SdJwtError::Malformed(m) | SdJwtError::TooLarge(m) => ImportError::Malformed(m),
        other => ImportError::Forged(other.to_string()),
    }
}

/// What an SD-JWT VC presentation would disclose (a dry run).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SdJwtDisclosure {
    /// The credential query (DCQL `id`) it answers.
    pub query_id: String,
    /// The credential's type.
    pub vct: String,
    /// The requested claims, all allowed by the holder policy (of a list,
    /// only allowed and accepted elements go).
    pub claims: Vec<String>,
}

/// The query's claim names, when the holder policy allows every one to
/// `to`.
fn allowed_names(
    query: &CredentialQuery,
    allowance: &crate::Allowance,
    to: &str,
) -> Result<Vec<String>, PresentError> {
    let names: Vec<String> = query.claims.iter().map(claim_name).collect();
    let denied: Vec<String> = names
        .iter()
        .map(|n| policy_name(n))
        .filter(|n| !allowance.allows_claim(n))
        .collect();
    if !denied.is_empty() {
        return Err(PresentError::PolicyDenied {
            verifier: to.to_owned(),
            claims: denied,
        });
    }
    Ok(names)
}

impl Wallet {
    /// Verifies and stores an SD-JWT VC (compact, with its Disclosures)
    /// issued to this agent. Refused, with the reason, when it is
    /// malformed, is not an SD-JWT VC, is signed by a key its issuer does
    /// not authorize, has a forged or misplaced Disclosure, has expired, or
    /// is bound to another key or subject.
    pub async fn import_sd_jwt(&self, text: &str) -> Result<Imported, ImportError> {
        let sd = SdJwt::parse(text).map_err(forged)?;
        let hint = sd.issuer_hint(&[SD_JWT_VC_TYP]).map_err(forged)?;
        let issuer = hint
            .iss
            .ok_or_else(|| ImportError::Malformed("no iss".into()))?;
        let kid = hint
            .kid
            .ok_or_else(|| ImportError::Malformed("no kid".into()))?;
        let method = absolute(&kid, &issuer)
            .ok_or_else(|| ImportError::Forged(format!("kid {kid} names no method of {issuer}")))?;
        if did_of(&method) != issuer {
            return Err(ImportError::Forged(format!(
                "signed by {method}, but the issuer is {issuer}"
            )));
        }
        let key = authorized_method(self.resolver.as_ref(), &method, "assertionMethod")
            .await?
            .jwk()?;
        let now = self.clock.now();
        let options = VerifyOptions {
            typ: vec![SD_JWT_VC_TYP.into()],
            now: now.timestamp(),
            max_ahead: credence_core::MAX_CLOCK_SKEW_SECS,
            key_binding: None,
        };
        let verified = sd.verify(&key, &options).map_err(forged)?;
        let vc = check_vc(&verified).map_err(forged)?;
        let bound = verified
            .holder_key
            .as_ref()
            .is_some_and(|k| k.equals_public(&self.key));
        if !bound || vc.subject.as_deref() != Some(self.did.as_str()) {
            return Err(ImportError::WrongSubject {
                subject: vc.subject.unwrap_or_else(|| "(no sub)".into()),
                agent: self.did.clone(),
            });
        }
        let stored = Value::String(sd.to_compact());
        let bytes =
            serde_json::to_vec(&stored).map_err(|e| ImportError::Malformed(e.to_string()))?;
        let time = |t: Option<i64>| t.and_then(|t| DateTime::<Utc>::from_timestamp(t, 0));
        self.store_verified(
            &bytes,
            CredentialSummary {
                id: String::new(),
                types: vec![vc.vct],
                issuer,
                valid_from: time(vc.nbf.or(vc.iat)),
                valid_until: time(vc.exp),
                imported_at: now,
                format: DC_SD_JWT.into(),
            },
        )
    }

    /// Answers `request`'s `dc+sd-jwt` credential query with an SD-JWT VC
    /// presentation: the stored credential of an accepted `vct`, only the
    /// Disclosures of the requested claims (and of the objects containing
    /// them) that the holder policy allows for `request.client_id`, list
    /// elements filtered by the policy and the query's `values`, and a
    /// KB-JWT (`nonce`, `aud` = the client id, `iat`, `sd_hash`). Audited.
    pub async fn present_sd_jwt(
        &self,
        request: &PresentationRequest,
    ) -> Result<String, PresentError> {
        let query = request
            .dcql_query
            .credentials
            .iter()
            .find(|q| q.format == DC_SD_JWT)
            .ok_or(PresentError::NoMatchingCredential)?;
        let verifier = VerifierIdentity::ClientId(request.client_id.clone());
        self.present_sd_jwt_for(request, &query.id, &verifier).await
    }

    /// As [`Wallet::present_sd_jwt`], answering the `dc+sd-jwt` query
    /// `query_id` with the holder policy applied to `verifier` (a verified
    /// DID, or anonymous); the KB-JWT `aud` is still the request's client
    /// id.
    pub async fn present_sd_jwt_for(
        &self,
        request: &PresentationRequest,
        query_id: &str,
        verifier: &VerifierIdentity,
    ) -> Result<String, PresentError> {
        request.dcql_query.validate()?;
        let now = self.clock.now();
        if now.timestamp() >= request.expires_at {
            return Err(PresentError::RequestExpired(request.expires_at));
        }
        let query = request
            .dcql_query
            .credentials
            .iter()
            .find(|q| q.format == DC_SD_JWT && q.id == query_id)
            .ok_or(PresentError::NoMatchingCredential)?;
        let allowance = self.holder_policy()?.allowance_for(verifier);
        let to = verifier.to_string();
        let names = allowed_names(query, &allowance, &to)?;
        let (sd, payload) = self.stored_sd_jwt(query)?;
        let disclosures = sd
            .disclosures
            .iter()
            .map(|d| Disclosure::decode(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PresentError::Sign(e.to_string()))?;
        let unpacked =
            unpack(&payload, &disclosures).map_err(|e| PresentError::Sign(e.to_string()))?;
        let mut shown = HashSet::new();
        for (claim, name) in query.claims.iter().zip(&names) {
            let held = Held {
                claims: &unpacked.claims,
                placed: &unpacked.placed,
            };
            shown.extend(held.to_show(claim, name, &allowance, &to)?);
        }
        let wanted = |path: &[Step]| shown.contains(path);
        let selected =
            select(&sd, &payload, &wanted).map_err(|e| PresentError::Sign(e.to_string()))?;
        let presentation = bind(
            selected,
            &self.key,
            &request.nonce,
            &request.client_id,
            now.timestamp(),
        )
        .map_err(|e| PresentError::Sign(e.to_string()))?;
        let record = AuditRecord::new(
            &self.did,
            "present",
            "done",
            &correlation_id(&request.nonce),
        )
        .reason(format!(
            "to {}: SD-JWT VC, disclosed {} ({} Disclosures)",
            verifier.as_client(&request.client_id),
            names.join(", "),
            presentation.disclosures.len()
        ));
        self.record(record)?;
        Ok(presentation.to_compact())
    }

    /// What answering the `dc+sd-jwt` `query` would disclose to
    /// `verifier`, without signing: the requested claims, after the holder
    /// policy allowed them and a stored credential was found.
    pub fn plan_sd_jwt(
        &self,
        query: &CredentialQuery,
        verifier: &VerifierIdentity,
    ) -> Result<SdJwtDisclosure, PresentError> {
        let allowance = self.holder_policy()?.allowance_for(verifier);
        let claims = allowed_names(query, &allowance, &verifier.to_string())?;
        let (_, payload) = self.stored_sd_jwt(query)?;
        Ok(SdJwtDisclosure {
            query_id: query.id.clone(),
            vct: payload
                .get("vct")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            claims,
        })
    }

    /// The stored, unexpired SD-JWT VC of one of `query`'s `vct`s, and its
    /// issuer-signed claims.
    fn stored_sd_jwt(
        &self,
        query: &CredentialQuery,
    ) -> Result<(SdJwt, Map<String, Value>), PresentError> {
        let now = self.clock.now();
        for vct in query.meta.vct_values.iter().flatten() {
            let filter = crate::CredentialFilter {
                credential_type: Some(vct.clone()),
                ..Default::default()
            };
            for summary in self.list(&filter)? {
                if summary.format != DC_SD_JWT || summary.expired_at(now) {
                    continue;
                }
                let Value::String(text) = self.show(&summary.id)? else {
                    return Err(WalletError::CorruptRecord(format!("SD-JWT {}", summary.id)).into());
                };
                let corrupt = |_| WalletError::CorruptRecord(format!("SD-JWT {}", summary.id));
                let sd = SdJwt::parse(&text).map_err(corrupt)?;
                let (_, payload) = ssi::claims::jws::decode_unverified(&sd.issuer_jwt)
                    .map_err(|_| WalletError::CorruptRecord(format!("SD-JWT {}", summary.id)))?;
                let payload = serde_json::from_slice(&payload)
                    .map_err(|_| WalletError::CorruptRecord(format!("SD-JWT {}", summary.id)))?;
                return Ok((sd, payload));
            }
        }
        Err(PresentError::NoMatchingCredential)
    }
}

/// The holder-policy name of a requested claim (its path, dotted, without
/// a leading `credentialSubject`).
fn claim_name(claim: &ClaimsQuery) -> String {
    let path = &claim.path.0;
    let path = match path.first().map(String::as_str) {
        Some("credentialSubject") => &path[1..],
        _ => &path[..],
    };
    path.join(".")
}

/// The holder policy's name of an SD-JWT VC claim: its claims are the
/// subject's, so `capabilities` is `credentialSubject.capabilities`.
fn policy_name(name: &str) -> String {
    format!("credentialSubject.{name}")
}

/// A held SD-JWT VC, all its Disclosures applied: its claims, and where
/// each Disclosure landed.
struct Held<'a> {
    claims: &'a Map<String, Value>,
    placed: &'a [credence_sdjwt::unpack::Placed],
}

impl Held<'_> {
    /// The Disclosure paths to present for the requested `claim` (named
    /// `name`), or why it cannot be answered within the holder policy for
    /// `verifier`. A claim the query and the policy do not narrow is shown
    /// whole. A narrowed one (the query's `values`, or elements the
    /// policy allows): a single value must be accepted and allowed; a list
    /// shows only its accepted and allowed elements — at least one — and
    /// every other element must be a Disclosure of its own, or the wallet
    /// could not withhold it; nothing below a withheld element is shown.
    fn to_show(
        &self,
        claim: &ClaimsQuery,
        name: &str,
        allowance: &crate::Allowance,
        verifier: &str,
    ) -> Result<Vec<Vec<Step>>, PresentError> {
        let path: Vec<Step> = name.split('.').map(|k| Step::Key(k.to_owned())).collect();
        let value = value_at(self.claims, &path)
            .ok_or_else(|| PresentError::MissingClaim(claim.path.to_string()))?;
        let policy = policy_name(name);
        let narrowed = claim.values.is_some() || allowance.restricted_elements(&policy).is_some();
        let under = |prefix: &[Step]| -> Vec<Vec<Step>> {
            self.placed
                .iter()
                .filter(|p| p.path.starts_with(prefix))
                .map(|p| p.path.clone())
                .collect()
        };
        if !narrowed {
            return Ok(under(&path));
        }
        let denied = || PresentError::PolicyDenied {
            verifier: verifier.to_owned(),
            claims: vec![policy.clone()],
        };
        let fits = |l: &str| claim.accepts(l) && allowance.allows_element(&policy, l);
        match value {
            Value::Array(items) => {
                let mut out: Vec<Vec<Step>> = under(&path)
                    .into_iter()
                    .filter(|p| p.len() == path.len())
                    .collect();
                let mut any = false;
                for (i, item) in items.iter().enumerate() {
                    let mut element = path.clone();
                    element.push(Step::Index(i));
                    if lexical(item).is_some_and(|l| fits(&l)) {
                        any = true;
                        out.extend(under(&element));
                    } else if !self.placed.iter().any(|p| p.path == element) {
                        return Err(denied());
                    }
                }
                if !any {
                    return Err(PresentError::ValueNotAccepted(claim.path.to_string()));
                }
                Ok(out)
            }
            Value::Object(_) => Err(PresentError::ValueNotAccepted(claim.path.to_string())),
            scalar => {
                let l = lexical(scalar).unwrap_or_default();
                if !claim.accepts(&l) {
                    return Err(PresentError::ValueNotAccepted(claim.path.to_string()));
                }
                if !allowance.allows_element(&policy, &l) {
                    return Err(denied());
                }
                Ok(under(&path))
            }
        }
    }
}

fn value_at<'a>(claims: &'a Map<String, Value>, path: &[Step]) -> Option<&'a Value> {
    let (Step::Key(first), rest) = path.split_first()? else {
        return None;
    };
    let mut at = claims.get(first)?;
    for step in rest {
        at = match step {
            Step::Key(k) => at.get(k)?,
            Step::Index(i) => at.get(*i)?,
        };
    }
    Some(at)
}
