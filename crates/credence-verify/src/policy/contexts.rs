//! Trusted JSON-LD contexts declared in the policy (`[[context]]`): each
//! read from a file beside the policy and checked against its SHA-256
//! digest when the policy loads, never fetched. With the W3C VC 2.0 and
//! Data Integrity contexts and Credence's own, they are every context a
//! credential or presentation may use.

use credence_core::{CREDENCE_CONTEXT, CREDENCE_CONTEXT_URL, VC_V2_CONTEXT_URL};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use ssi::json_ld::ContextLoader;
use std::collections::HashMap;
use std::path::Path;

/// URL of the W3C Data Integrity v2 context.
pub const DATA_INTEGRITY_V2_CONTEXT_URL: &str = "https://w3id.org/security/data-integrity/v2";

/// The contexts every policy accepts.
pub const BUILT_IN_CONTEXTS: &[&str] = &[
    VC_V2_CONTEXT_URL,
    DATA_INTEGRITY_V2_CONTEXT_URL,
    CREDENCE_CONTEXT_URL,
];

/// A JSON-LD context the policy's reviewers accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedContext {
    /// The URL documents name it by.
    pub url: String,
    /// The context document (its file's text, digest-checked).
    pub document: String,
    /// The hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// A `[[context]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawContext {
    url: String,
    file: String,
    sha256: String,
}

impl RawContext {
    /// Reads the file (relative to `base`), checks its digest and that it
    /// is a JSON-LD context document; `Err` is the message for the line.
    pub(super) fn load(self, base: &Path) -> Result<TrustedContext, String> {
        if !self.url.contains(':') || self.url.contains(char::is_whitespace) {
            return Err(format!("context url `{}` is not an absolute URL", self.url));
        }
        if BUILT_IN_CONTEXTS.contains(&self.url.as_str()) {
            return Err(format!(
                "context {} is built in and cannot be redeclared",
                self.url
            ));
        }
        let path = base.join(&self.file);
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("context {}: cannot read {}: {e}", self.url, path.display()))?;
        let digest = hex::encode(Sha256::digest(&bytes));
        if !digest.eq_ignore_ascii_case(self.sha256.trim()) {
            return Err(format!(
                "context {}: {} has SHA-256 {digest}, the policy says {}",
                self.url,
                path.display(),
                self.sha256
            ));
        }
        let document = String::from_utf8(bytes)
            .map_err(|_| format!("context {}: {} is not UTF-8", self.url, path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&document)
            .map_err(|e| format!("context {}: {} is not JSON: {e}", self.url, path.display()))?;
        if !json
            .get("@context")
            .is_some_and(serde_json::Value::is_object)
        {
            return Err(format!(
                "context {}: {} has no @context object",
                self.url,
                path.display()
            ));
        }
        if let Some(built_in) = bundled(&self.url) {
            // ssi serves its own copy of this URL first: it must be the
            // reviewed one, or the digest above would vouch for nothing.
            if built_in != json {
                return Err(format!(
                    "context {}: the built-in copy of this URL differs from {}",
                    self.url,
                    path.display()
                ));
            }
        }
        Ok(TrustedContext {
            url: self.url,
            document,
            sha256: digest,
        })
    }
}

/// The copy of `url` ssi bundles, if it bundles one.
fn bundled(url: &str) -> Option<serde_json::Value> {
    use ssi::json_ld::Loader;
    let iri = ssi::json_ld::iref::Iri::new(url).ok()?;
    // The static loader is in memory: its future is ready at once.
    let doc = futures::executor::block_on(ssi::json_ld::StaticLoader.load(iri)).ok()?;
    serde_json::from_str(&doc.document().to_string()).ok()
}

/// A loader serving the built-in contexts and `contexts`, and nothing else.
pub fn policy_loader(contexts: &[TrustedContext]) -> ContextLoader {
    let mut map: HashMap<String, String> = contexts
        .iter()
        .map(|c| (c.url.clone(), c.document.clone()))
        .collect();
    map.insert(CREDENCE_CONTEXT_URL.to_owned(), CREDENCE_CONTEXT.to_owned());
    // Every URL was checked to be an IRI at load; a failure here would
    // mean a context the policy never accepted, so serve none of them.
    ContextLoader::default()
        .with_context_map_from(map)
        .unwrap_or_else(|_| credence_core::context_loader())
}
