//! SD-JWT VC presentations (RFC 9901 + draft-ietf-oauth-sd-jwt-vc): the
//! second credential format, verified to the same [`VerifiedPresentation`]
//! as a Data Integrity presentation, under the same policy and audit.
//!
//! Order: parse (bounded) → the issuer named by `iss` trusted for SD-JWT →
//! its key (`kid`, authorized for `assertionMethod`) → the request the
//! KB-JWT's nonce names (pending, this verifier's) → every RFC 9901 §7
//! check with key binding required (`credence-sdjwt`: issuer signature,
//! Disclosures, times, KB-JWT signature by `cnf.jwk`, nonce, `aud` = this
//! verifier, `iat` within 300 s, `sd_hash`) → the SD-JWT VC profile →
//! holder (`sub`, whose key is `cnf.jwk`) → `vct` trusted → validity →
//! Token Status List → the request answered → constraints → the nonce used
//! up. Decisions read only the verified claims (the issuer-signed payload
//! with the digests of the presented Disclosures).

mod claims;
mod holder;
mod issuer;
pub(crate) mod status;

use crate::checks::constraints::check_constraints;
use crate::runtime::Runtime;
use crate::signed::credential::StatusEntry;
use crate::verified::{VerifiedCredential, VerifiedPresentation};
use crate::{BindingError, StatusError, ValidityError, Verifier, VerifyError};
use chrono::{DateTime, Utc};
use credence_core::{correlation_id, AuditRecord, PresentationRequest, MAX_CLOCK_SKEW_SECS};
use credence_sdjwt::{check_vc, KeyBindingCheck, SdJwt, SdJwtError, VerifyOptions, SD_JWT_VC_TYP};
use serde_json::Value;

/// The `purpose` of the status entry a token minted from an SD-JWT VC
/// depends on (its issuer's Token Status List; re-checked at
/// introspection).
pub(crate) const TOKEN_STATUS_PURPOSE: &str = "token-status-list";

/// How old a KB-JWT may be, in seconds.
pub const KEY_BINDING_MAX_AGE_SECS: i64 = 300;

impl Verifier {
    /// Verifies and audits an SD-JWT VC presentation (compact, with its
    /// KB-JWT) off the wire, under the exchange's correlation id.
    pub async fn verify_sd_jwt_presentation(
        &self,
        presentation: &str,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let parsed = SdJwt::parse(presentation).map_err(VerifyError::SdJwt);
        let outcome = match &parsed {
            Ok(sd) => self.verify_sd_jwt(sd).await,
            Err(e) => Err(e.clone()),
        };
        // What the audit entry names: the verified holder and nonce, or
        // what the refused presentation claims.
        let claimed = match (&outcome, &parsed) {
            (Ok(v), Ok(sd)) => (v.holder.clone(), key_binding_nonce(sd).unwrap_or_default()),
            (Err(_), Ok(sd)) => claimed_parts(sd),
            (_, Err(_)) => ("unknown".into(), "unknown".into()),
        };
        let mut record = AuditRecord::new(
            &claimed.0,
            "verify_presentation",
            if outcome.is_ok() { "allow" } else { "deny" },
            &correlation_id(&claimed.1),
        );
        record.reason = outcome.as_ref().err().map(|e| format!("{}: {e}", e.code()));
        let logged = self.record(record);
        let verified = outcome?;
        logged.map(|()| verified)
    }

    /// Verifies an SD-JWT VC presentation answering one of this verifier's
    /// requests, in the order the module documentation lists. Not audited:
    /// see [`Verifier::verify_sd_jwt_presentation`].
    pub async fn verify_sd_jwt(&self, sd: &SdJwt) -> Result<VerifiedPresentation, VerifyError> {
        let rt = self.runtime();
        let now = self.clock.now();
        let nonce = key_binding_nonce(sd).map_err(|e| VerifyError::from_sd_jwt(e, &self.id))?;
        let request = self.nonces.pending(&nonce, now.timestamp()).await?;
        let verified = self.verify_sd_jwt_answer(sd, &request, &rt, now).await?;
        // Last: only an accepted presentation uses up the request.
        self.nonces.consume(&nonce, now.timestamp()).await?;
        Ok(verified)
    }

    /// Every check of [`Verifier::verify_sd_jwt`] for a presentation
    /// answering `request` (pending, looked up by the caller), except
    /// using the request up.
    pub(crate) async fn verify_sd_jwt_answer(
        &self,
        sd: &SdJwt,
        request: &PresentationRequest,
        rt: &Runtime,
        now: DateTime<Utc>,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let ts = now.timestamp();
        let sd_err = |e: SdJwtError| VerifyError::from_sd_jwt(e, &request.client_id);
        let hint = sd.issuer_hint(&[SD_JWT_VC_TYP]).map_err(sd_err)?;
        let iss = hint
            .iss
            .ok_or_else(|| sd_err(SdJwtError::MissingClaim("iss".into())))?;
        let trusted = issuer::trusted_for_sd_jwt(&rt.policy, &iss)?;
        let (method, key) =
            issuer::issuer_key(self.resolver.as_ref(), &iss, hint.kid.as_deref()).await?;
        let nonce = request.nonce.clone();
        if !self.is_own_client_id(&request.client_id) {
            return Err(BindingError::DomainMismatch {
                expected: self.id.clone(),
                found: request.client_id.clone(),
            }
            .into());
        }
        let options = VerifyOptions {
            typ: vec![SD_JWT_VC_TYP.into()],
            now: ts,
            max_ahead: MAX_CLOCK_SKEW_SECS,
            key_binding: Some(KeyBindingCheck {
                nonce: nonce.clone(),
                audience: request.client_id.clone(),
                now: ts,
                max_age: KEY_BINDING_MAX_AGE_SECS,
                max_ahead: MAX_CLOCK_SKEW_SECS,
            }),
        };
        let verified = sd.verify(&key, &options).map_err(sd_err)?;
        let vc = check_vc(&verified).map_err(sd_err)?;
        let (holder, holder_jkt) = holder::bound_holder(
            vc.subject.as_deref(),
            verified.holder_key.as_ref(),
            &self.sd_jwt_holders,
        )
        .await?;
        let types = issuer::trusted_vct(trusted, &rt.policy, &vc.vct)?;
        check_validity(&vc, trusted)?;
        let status = match &vc.status {
            None if trusted.require_status => return Err(StatusError::Missing(iss).into()),
            None => Vec::new(),
            Some(reference) => {
                self.token_status
                    .check(reference, &iss, self.resolver.as_ref(), ts)
                    .await?;
                vec![StatusEntry {
                    purpose: TOKEN_STATUS_PURPOSE.into(),
                    list: reference.uri.clone(),
                    index: usize::try_from(reference.index).unwrap_or(usize::MAX),
                }]
            }
        };
        let query = claims::answered_query(request, &vc.vct, &vc.claims)?;
        let names = rt.policy.claim_names(&types);
        let credential = VerifiedCredential {
            query,
            issuer: iss,
            policy_types: types,
            types: vec![vc.vct.clone()],
            subject: holder.clone(),
            valid_until: vc.exp.and_then(|t| DateTime::<Utc>::from_timestamp(t, 0)),
            status,
            claims: claims::named_claims(&vc.claims, &names),
            disclosed: subject_claims(&vc.claims),
            method,
        };
        check_constraints(&rt.policy, credential.facts())?;
        Ok(VerifiedPresentation {
            credentials: vec![credential],
            holder,
            holder_jkt,
            verifier: self.id.clone(),
            chain: None,
            correlation: correlation_id(&nonce),
            policy: rt.policy.clone(),
        })
    }
}

/// The nonce of the presentation's KB-JWT, unverified: which request it
/// claims to answer (verified with everything else after).
fn key_binding_nonce(sd: &SdJwt) -> Result<String, SdJwtError> {
    let kb = sd
        .key_binding
        .as_deref()
        .ok_or(SdJwtError::KeyBindingMissing)?;
    let (_, payload) = ssi::claims::jws::decode_unverified(kb)
        .map_err(|e| SdJwtError::Malformed(format!("KB-JWT: {e}")))?;
    let payload: Value = serde_json::from_slice(&payload)
        .map_err(|e| SdJwtError::Malformed(format!("KB-JWT claims: {e}")))?;
    payload
        .get("nonce")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| SdJwtError::MissingClaim("nonce".into()))
}

/// The claimed holder (`sub`) and nonce, unverified, for the audit entry.
fn claimed_parts(sd: &SdJwt) -> (String, String) {
    let sub = ssi::claims::jws::decode_unverified(&sd.issuer_jwt)
        .ok()
        .and_then(|(_, p)| serde_json::from_slice::<Value>(&p).ok())
        .and_then(|p| p.get("sub").and_then(Value::as_str).map(str::to_owned));
    (
        sub.unwrap_or_else(|| "unknown".into()),
        key_binding_nonce(sd).unwrap_or_else(|_| "unknown".into()),
    )
}

/// `exp` required when the policy requires a validity end, and the
/// validity no longer than the policy allows.
fn check_validity(
    vc: &credence_sdjwt::SdJwtVc,
    trusted: &crate::TrustedIssuer,
) -> Result<(), ValidityError> {
    let Some(exp) = vc.exp else {
        if trusted.require_valid_until {
            return Err(ValidityError::ValidUntilMissing(trusted.did.clone()));
        }
        return Ok(());
    };
    if let (Some(max), Some(from)) = (trusted.max_validity_days, vc.nbf.or(vc.iat)) {
        let days = (exp - from + 86_399) / 86_400;
        if days > i64::from(max) {
            return Err(ValidityError::TooLong { days, max });
        }
    }
    Ok(())
}

/// The disclosed claims without the SD-JWT VC's own (for display).
fn subject_claims(claims: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    claims
        .iter()
        .filter(|(k, _)| !credence_sdjwt::vc::kept_plain(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
