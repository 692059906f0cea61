//! Presentations off the wire (unverified) and presentations this crate has
//! verified. Only [`crate::Verifier`] can produce a [`VerifiedPresentation`],
//! and only a verified one can be minted into a token.

use crate::VerifyError;
use credence_core::{CREDENCE_CONTEXT_URL, VC_V2_CONTEXT_URL};
use serde_json::{Map, Value};

/// A presentation parsed from JSON, nothing checked but its shape.
#[derive(Debug, Clone)]
pub struct UnverifiedPresentation {
    pub(crate) json: Value,
    pub(crate) holder: String,
    pub(crate) credential: Value,
    pub(crate) proof: Map<String, Value>,
}

fn malformed(msg: &str) -> VerifyError {
    VerifyError::Malformed(msg.to_owned())
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks `@context` is a list of accepted URLs starting with VC 2.0; no
/// inline contexts, which could re-map the terms a verifier reads.
pub(crate) fn check_context(doc: &Value, accepted: &[&str]) -> Result<(), VerifyError> {
    let ctx = doc
        .get("@context")
        .ok_or_else(|| malformed("no @context"))?;
    let list = ctx
        .as_array()
        .ok_or_else(|| VerifyError::UnsupportedContext(ctx.to_string()))?;
    if list.first().and_then(Value::as_str) != Some(VC_V2_CONTEXT_URL) {
        return Err(VerifyError::UnsupportedContext(format!(
            "the first context must be {VC_V2_CONTEXT_URL}"
        )));
    }
    for entry in list {
        match entry.as_str() {
            Some(url) if accepted.contains(&url) => {}
            _ => return Err(VerifyError::UnsupportedContext(entry.to_string())),
        }
    }
    Ok(())
}

impl UnverifiedPresentation {
    /// Parses a VC 2.0 Verifiable Presentation holding exactly one
    /// credential and one proof.
    pub fn parse(json: &Value) -> Result<Self, VerifyError> {
        let obj = json
            .as_object()
            .ok_or_else(|| malformed("not a JSON object"))?;
        check_context(json, &[VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_URL])?;
        if !string_list(obj.get("type"))
            .iter()
            .any(|t| t == "VerifiablePresentation")
        {
            return Err(malformed("type must include VerifiablePresentation"));
        }
        let holder = obj
            .get("holder")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("holder must be a DID string"))?
            .to_owned();
        let credential = match obj.get("verifiableCredential") {
            Some(Value::Array(items)) if items.len() == 1 => items[0].clone(),
            Some(Value::Object(_)) => obj["verifiableCredential"].clone(),
            _ => return Err(malformed("exactly one verifiableCredential is expected")),
        };
        if !credential.is_object() {
            return Err(malformed("the credential must be an embedded JSON object"));
        }
        let proof = match obj.get("proof") {
            Some(Value::Object(p)) => p.clone(),
            _ => return Err(malformed("exactly one presentation proof is expected")),
        };
        Ok(Self {
            json: json.clone(),
            holder,
            credential,
            proof,
        })
    }

    /// The claimed holder DID (not yet verified).
    pub fn holder(&self) -> &str {
        &self.holder
    }

    pub(crate) fn proof_str(&self, key: &str) -> Result<&str, VerifyError> {
        self.proof
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| VerifyError::Malformed(format!("presentation proof has no {key}")))
    }

    pub(crate) fn domain(&self) -> Result<String, VerifyError> {
        match self.proof.get("domain") {
            Some(Value::String(d)) => Ok(d.clone()),
            Some(Value::Array(ds)) if ds.len() == 1 => ds[0]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| malformed("domain must be a string")),
            _ => Err(malformed("presentation proof needs exactly one domain")),
        }
    }
}

/// A presentation whose every proof, binding and policy check passed.
#[derive(Debug, Clone)]
pub struct VerifiedPresentation {
    pub(crate) holder: String,
    pub(crate) holder_jkt: String,
    pub(crate) issuer: String,
    pub(crate) credential_type: String,
    pub(crate) claims: Map<String, Value>,
    pub(crate) verifier: String,
}

impl VerifiedPresentation {
    /// The agent's DID (holder = VP signer = credential subject).
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// RFC 7638 thumbprint of the agent's key.
    pub fn holder_jkt(&self) -> &str {
        &self.holder_jkt
    }

    /// The trusted issuer's DID.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The credential type the policy trusted the issuer for.
    pub fn credential_type(&self) -> &str {
        &self.credential_type
    }

    /// The disclosed subject claims (without `id`).
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}
