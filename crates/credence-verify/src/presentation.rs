//! Presentations off the wire (unverified) and presentations this crate has
//! verified. Only [`crate::Verifier`] can produce a [`VerifiedPresentation`],
//! and only a verified one can be minted into a token.

use crate::VerifyError;
use credence_core::{CREDENCE_CONTEXT_URL, DELEGATION_CREDENTIAL_TYPE, VC_V2_CONTEXT_URL};
use serde_json::{Map, Value};

/// A presentation parsed from JSON, nothing checked but its shape.
#[derive(Debug, Clone)]
pub struct UnverifiedPresentation {
    pub(crate) json: Value,
    pub(crate) holder: String,
    pub(crate) credential: Value,
    pub(crate) delegations: Vec<Value>,
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
    /// credential (plus, optionally, the holder's delegation links) and
    /// one proof.
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
        let items = match obj.get("verifiableCredential") {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Object(_)) => vec![obj["verifiableCredential"].clone()],
            _ => return Err(malformed("verifiableCredential must hold credentials")),
        };
        if items.iter().any(|c| !c.is_object()) {
            return Err(malformed("credentials must be embedded JSON objects"));
        }
        // One credential about the agent, then its delegation links, root
        // first.
        let (delegations, others): (Vec<Value>, Vec<Value>) = items.into_iter().partition(|c| {
            string_list(c.get("type"))
                .iter()
                .any(|t| t == DELEGATION_CREDENTIAL_TYPE)
        });
        let credential = match <[Value; 1]>::try_from(others) {
            Ok([credential]) => credential,
            Err(_) => {
                return Err(malformed(
                    "exactly one credential besides delegation links is expected",
                ))
            }
        };
        let proof = match obj.get("proof") {
            Some(Value::Object(p)) => p.clone(),
            _ => return Err(malformed("exactly one presentation proof is expected")),
        };
        Ok(Self {
            json: json.clone(),
            holder,
            credential,
            delegations,
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
    pub(crate) chain: Option<crate::VerifiedChain>,
    /// Documents whose `credentialStatus` a token minted from this
    /// presentation depends on (credential and delegation links).
    pub(crate) status_refs: Vec<Value>,
    pub(crate) correlation: String,
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

    /// The disclosed subject claims (without `id`); with a delegation
    /// chain, `capabilities` is narrowed to what the chain allows.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The verified delegation chain, when one was presented.
    pub fn chain(&self) -> Option<&crate::VerifiedChain> {
        self.chain.as_ref()
    }

    /// The correlation id of this exchange in the audit log.
    pub fn correlation(&self) -> &str {
        &self.correlation
    }
}
