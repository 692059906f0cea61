//! Credence's JSON-LD vocabulary and the static context loader.
//!
//! The Credence context is bundled in the binary (and published as
//! `docs/contexts/credence-v1.jsonld`); contexts are never fetched.

use ssi::json_ld::ContextLoader;
use std::collections::HashMap;

/// URL of the Credence v1 JSON-LD context.
pub const CREDENCE_CONTEXT_URL: &str = "https://ns.credence.dev/v1";

/// Namespace of Credence terms (`AgentCredential` is `{CREDENCE_VOCAB}AgentCredential`).
pub const CREDENCE_VOCAB: &str = "https://ns.credence.dev/v1#";

/// URL of the W3C Verifiable Credentials 2.0 context.
pub const VC_V2_CONTEXT_URL: &str = "https://www.w3.org/ns/credentials/v2";

/// The Credence v1 context document.
pub const CREDENCE_CONTEXT: &str = include_str!("../contexts/credence-v1.jsonld");

/// A loader serving ssi's built-in W3C contexts and the Credence context,
/// and refusing everything else.
pub fn context_loader() -> ContextLoader {
    context_loader_with(HashMap::new())
}

/// [`context_loader`] plus extra `URL → JSON text` contexts (for documents
/// from other vocabularies, e.g. test vectors). An extra context that is
/// not valid JSON is skipped, so the loader then refuses that URL.
pub fn context_loader_with(extra: HashMap<String, String>) -> ContextLoader {
    let mut map: HashMap<String, String> = extra
        .into_iter()
        .filter(|(url, json)| {
            serde_json::from_str::<serde_json::Value>(json).is_ok() && url != CREDENCE_CONTEXT_URL
        })
        .collect();
    map.insert(CREDENCE_CONTEXT_URL.to_owned(), CREDENCE_CONTEXT.to_owned());
    match ContextLoader::default().with_context_map_from(map.clone()) {
        Ok(loader) => loader,
        // An extra URL that is not an IRI: fall back to the bundled context alone.
        Err(_) => ContextLoader::default()
            .with_context_map_from(HashMap::from([(
                CREDENCE_CONTEXT_URL.to_owned(),
                CREDENCE_CONTEXT.to_owned(),
            )]))
            .unwrap_or_default(),
    }
}

/// Expands a credential type name as the VC 2.0 and Credence contexts define
/// it (`AgentCredential` → `https://ns.credence.dev/v1#AgentCredential`);
/// absolute IRIs pass through. Only sound for documents whose `@context` is
/// exactly VC 2.0 + Credence, which the verifier enforces.
pub fn expand_credential_type(compact: &str) -> String {
    match compact {
        "VerifiableCredential" => "https://www.w3.org/2018/credentials#VerifiableCredential".into(),
        other if other.contains(':') => other.to_owned(),
        other => format!("{CREDENCE_VOCAB}{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_json_and_defines_every_term() {
        let v: serde_json::Value = serde_json::from_str(CREDENCE_CONTEXT).unwrap();
        let ctx = &v["@context"];
        let terms = std::iter::once(&"AgentCredential").chain(crate::PROFILE_CLAIMS);
        for term in terms {
            assert!(ctx.get(term).is_some(), "{term} undefined");
        }
        assert!(ctx.get("@vocab").is_none(), "no @vocab fallback");
    }

    #[test]
    fn published_copy_matches_bundled() {
        let published = include_str!("../../../docs/contexts/credence-v1.jsonld");
        assert_eq!(published, CREDENCE_CONTEXT);
    }
}
