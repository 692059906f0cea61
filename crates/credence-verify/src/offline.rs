//! Offline verification inputs: the DID documents and status list
//! credentials a verifier is given instead of fetching them (the format
//! of `vectors/cases/*/documents.json`).

use credence_did::KnownDocuments;
use serde_json::Value;
use std::collections::HashMap;

/// A documents file that does not have the expected shape.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// A top-level section is not an object of the expected values.
    #[error("{section}: {reason}")]
    Section {
        /// `dids` or `status_lists`.
        section: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A DID document is filed under another DID than its `id`.
    #[error("dids: the document filed under {key} has id {id:?}")]
    IdMismatch {
        /// The DID it is filed under.
        key: String,
        /// Its `id` (`None` when absent).
        id: Option<String>,
    },
}

/// DID documents and signed status lists supplied up front:
/// `{"dids": {DID: document}, "status_lists": {URL: list credential},
/// "status_list_tokens": {URL: status list token JWT}}`, every section
/// optional. Everything is still verified; only fetching
/// is replaced.
#[derive(Debug, Clone, Default)]
pub struct OfflineDocuments {
    /// The DID documents (did:key and did:jwk need none: they are computed).
    pub dids: KnownDocuments,
    /// Status list credentials by URL; a URL not here is unavailable.
    pub status_lists: HashMap<String, Value>,
    /// IETF status list tokens (compact JWTs) by URI, for SD-JWT VCs.
    pub status_list_tokens: HashMap<String, String>,
}

fn section(
    documents: &Value,
    name: &'static str,
) -> Result<serde_json::Map<String, Value>, OfflineError> {
    match documents.get(name) {
        None => Ok(Default::default()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(other) => Err(OfflineError::Section {
            section: name,
            reason: format!("expected an object keyed by {name} entries, found {other}"),
        }),
    }
}

impl OfflineDocuments {
    /// Reads the documents-file format, refusing sections of the wrong
    /// shape and DID documents filed under another DID than their `id`.
    pub fn from_json(documents: &Value) -> Result<Self, OfflineError> {
        let mut dids = KnownDocuments::default();
        for (key, document) in section(documents, "dids")? {
            let id = document.get("id").and_then(Value::as_str);
            if id != Some(key.as_str()) {
                return Err(OfflineError::IdMismatch {
                    id: id.map(str::to_owned),
                    key,
                });
            }
            dids.add(document);
        }
        let status_lists = section(documents, "status_lists")?.into_iter().collect();
        let mut status_list_tokens = HashMap::new();
        for (uri, token) in section(documents, "status_list_tokens")? {
            let Value::String(token) = token else {
                return Err(OfflineError::Section {
                    section: "status_list_tokens",
                    reason: format!("the token for {uri} is not a string"),
                });
            };
            status_list_tokens.insert(uri, token);
        }
        Ok(Self {
            dids,
            status_lists,
            status_list_tokens,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sections_of_the_wrong_shape_and_misfiled_documents_are_refused() {
        let ok = OfflineDocuments::from_json(&json!({
            "dids": {"did:web:acme.example": {"id": "did:web:acme.example"}},
            "status_lists": {"https://acme.example/status/revocation": {}},
        }))
        .expect("well-formed");
        assert_eq!(ok.status_lists.len(), 1);
        assert!(
            OfflineDocuments::from_json(&json!({})).is_ok(),
            "both optional"
        );
        assert!(matches!(
            OfflineDocuments::from_json(&json!({"dids": ["did:web:acme.example"]})),
            Err(OfflineError::Section {
                section: "dids",
                ..
            })
        ));
        assert!(matches!(
            OfflineDocuments::from_json(&json!({"status_lists": 7})),
            Err(OfflineError::Section {
                section: "status_lists",
                ..
            })
        ));
        assert!(matches!(
            OfflineDocuments::from_json(&json!({
                "dids": {"did:web:acme.example": {"id": "did:web:evil.example"}}
            })),
            Err(OfflineError::IdMismatch { .. })
        ));
    }
}
