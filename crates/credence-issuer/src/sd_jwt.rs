//! `AgentCredential`s as SD-JWT VCs (`typ` `dc+sd-jwt`, `vct`
//! [`AGENT_CREDENTIAL_VCT`]), and the issuer's IETF Token Status List.
//!
//! The SD-JWT is signed EdDSA by the organization's Ed25519 assertion key
//! (`#status` in its did:web document, also the key of its status lists;
//! `kid` is that DID URL). Every profile claim is selectively disclosable,
//! each capability on its own; `iss`, `vct`, `sub`, `iat`, `nbf`, `exp`,
//! `cnf` (the agent's key, from its did:key or did:jwk) and `status` are
//! plain. The Token Status List is computed from the same
//! [`StatusRegistry`] as the Bitstring lists (2 bits: 0 valid, 1 revoked,
//! 2 suspended), so revoking or suspending an index updates both.

use crate::issuer::Issuer;
use crate::{IssueError, StatusAssignment, StatusRegistry};
use chrono::{DateTime, Utc};
use credence_core::{AgentProfile, AGENT_CREDENTIAL_VCT};
use credence_did::{absolute, authorized_in, resolve_local, LocalResolver};
use credence_sdjwt::status_list::{status_list_token, StatusList, StatusReference};
use credence_sdjwt::{issue, Signer, SD_JWT_VC_TYP};
use serde_json::{json, Map, Value};
use ssi::jwk::Algorithm;
use ssi::JWK;

/// Where a did:web issuer serves its status list token, under its origin.
pub const TOKEN_STATUS_PATH: &str = "/status/token";
/// How many decoy digests each SD-JWT VC carries at its top level.
const DECOYS: usize = 2;

impl StatusAssignment {
    /// The URI of the issuer's status list token.
    pub fn token_status_uri(&self) -> String {
        format!("{}{TOKEN_STATUS_PATH}", self.origin)
    }

    /// The SD-JWT VC `status` claim for this assignment.
    pub fn token_status(&self) -> Value {
        StatusReference {
            index: self.index as u64,
            uri: self.token_status_uri(),
        }
        .to_claim()
    }
}

impl Issuer {
    /// Issues an `AgentCredential` about `agent_did` (a did:key or did:jwk,
    /// whose key becomes `cnf.jwk`) as an SD-JWT VC with every Disclosure,
    /// valid from `valid_from` until `valid_until`, with a Token Status
    /// List entry for `status` when given.
    pub async fn issue_agent_sd_jwt(
        &self,
        agent_did: &str,
        profile: &AgentProfile,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
        status: Option<&StatusAssignment>,
    ) -> Result<String, IssueError> {
        let validity = (valid_from, valid_until);
        self.issue_agent_sd_jwt_with(Algorithm::EdDSA, agent_did, profile, validity, status)
            .await
    }

    /// As [`Issuer::issue_agent_sd_jwt`], signed with `alg`: EdDSA (the
    /// Ed25519 assertion key `#status`) or ES256 (the P-256 key `#es256`,
    /// [`Issuer::with_es256_key`]).
    pub async fn issue_agent_sd_jwt_with(
        &self,
        alg: Algorithm,
        agent_did: &str,
        profile: &AgentProfile,
        (valid_from, valid_until): (DateTime<Utc>, DateTime<Utc>),
        status: Option<&StatusAssignment>,
    ) -> Result<String, IssueError> {
        if valid_until <= valid_from {
            return Err(IssueError::InvalidValidity {
                from: crate::issuer::timestamp(valid_from),
                until: crate::issuer::timestamp(valid_until),
            });
        }
        let holder = holder_key(agent_did).await?;
        let mut claims = Map::new();
        claims.insert("iss".into(), self.did().into());
        claims.insert("vct".into(), AGENT_CREDENTIAL_VCT.into());
        claims.insert("sub".into(), agent_did.into());
        claims.insert("iat".into(), self.now().timestamp().into());
        claims.insert("nbf".into(), valid_from.timestamp().into());
        claims.insert("exp".into(), valid_until.timestamp().into());
        claims.insert("cnf".into(), json!({"jwk": holder}));
        if let Some(status) = status {
            claims.insert("status".into(), status.token_status());
        }
        if let Value::Object(subject) =
            serde_json::to_value(profile).map_err(|e| IssueError::SdJwt(e.to_string()))?
        {
            claims.extend(subject);
        }
        let (key, kid) = match alg {
            Algorithm::EdDSA => self.assertion_key()?,
            Algorithm::ES256 => self.es256_key()?,
            other => return Err(IssueError::SdJwt(format!("{other:?}: EdDSA or ES256"))),
        };
        let signer = Signer {
            key,
            kid: Some(&kid),
            typ: SD_JWT_VC_TYP,
        };
        let issued = issue(&claims, &credence_sdjwt::vc::disclosable, DECOYS, &signer)
            .map_err(|e| IssueError::SdJwt(e.to_string()))?;
        Ok(issued.to_compact())
    }

    /// The status list token of `registry` (served at
    /// [`TOKEN_STATUS_PATH`]), signed now, valid `ttl_secs`.
    pub fn status_list_token(
        &self,
        registry: &StatusRegistry,
        ttl_secs: i64,
    ) -> Result<String, IssueError> {
        let origin = self.origin().ok_or(IssueError::NoStatusKey)?;
        let mut list = StatusList::new(2, crate::STATUS_LIST_LENGTH)
            .map_err(|e| IssueError::SdJwt(e.to_string()))?;
        for (index, value) in registry.token_statuses() {
            list.set(index as u64, value)
                .map_err(|e| IssueError::SdJwt(e.to_string()))?;
        }
        let (key, kid) = self.assertion_key()?;
        let uri = format!("{origin}{TOKEN_STATUS_PATH}");
        status_list_token(
            &list,
            &uri,
            self.now().timestamp(),
            ttl_secs,
            key,
            Some(&kid),
        )
        .map_err(|e| IssueError::SdJwt(e.to_string()))
    }
}

/// The public key of a did:key or did:jwk agent (its first
/// `authentication` method).
async fn holder_key(agent_did: &str) -> Result<JWK, IssueError> {
    let invalid = || IssueError::InvalidSubject(agent_did.to_owned());
    if !LocalResolver::supports(agent_did) {
        return Err(invalid());
    }
    let document = resolve_local(agent_did).await.map_err(|_| invalid())?;
    let method = document
        .get("authentication")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|m| m.as_str().or_else(|| m.get("id").and_then(Value::as_str)))
        .ok_or_else(invalid)?;
    let method = absolute(method, agent_did).ok_or_else(invalid)?;
    let jwk = authorized_in(&document, &method, "authentication")
        .and_then(|m| m.jwk())
        .map_err(|_| invalid())?;
    if credence_sdjwt::jws::algorithm_for(&jwk).is_none() {
        return Err(invalid());
    }
    Ok(jwk.to_public())
}
