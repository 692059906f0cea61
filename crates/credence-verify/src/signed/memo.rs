//! Expansions already computed, by the exact JSON text of the document.
//!
//! Strict expansion from the verifier's trusted contexts is a function of
//! the document's text alone (the contexts are fixed for a [`SafeMode`]'s
//! life), so a document seen again — the same credential presented again,
//! the same delegation link, a credential's proof configuration — is not
//! expanded again. Entries are also added for a document's unsecured form
//! when it is derived from the expansion of the whole document
//! ([`super::without`]). Nothing decided is kept here: only expansions,
//! which every check then reads as if it had expanded the document itself.
//!
//! [`SafeMode`]: super::SafeMode

use ssi::json_ld::ExpandedDocument;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// At most this many expansions are kept; the memo is cleared when full.
const MAX_ENTRIES: usize = 256;
/// At most this many bytes of document text are kept as keys.
const MAX_KEY_BYTES: usize = 4 << 20;
/// A document longer than this is never kept.
const MAX_DOCUMENT_BYTES: usize = 256 << 10;

/// Expansions by document text, bounded in count and bytes.
#[derive(Default)]
pub(crate) struct ExpansionMemo(Mutex<Entries>);

#[derive(Default)]
struct Entries {
    map: HashMap<String, Arc<ExpandedDocument>>,
    key_bytes: usize,
}

impl ExpansionMemo {
    /// The kept expansion of the document whose JSON text is `key`.
    pub fn get(&self, key: &str) -> Option<Arc<ExpandedDocument>> {
        self.lock().map.get(key).cloned()
    }

    /// Keeps `expanded` as the expansion of the document whose text is `key`.
    pub fn put(&self, key: String, expanded: Arc<ExpandedDocument>) {
        if key.len() > MAX_DOCUMENT_BYTES {
            return;
        }
        let mut entries = self.lock();
        if entries.map.contains_key(&key) {
            return;
        }
        if entries.map.len() >= MAX_ENTRIES || entries.key_bytes + key.len() > MAX_KEY_BYTES {
            entries.map.clear();
            entries.key_bytes = 0;
        }
        entries.key_bytes += key.len();
        entries.map.insert(key, expanded);
    }

    /// How many expansions are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_stays_within_its_bounds() {
        let memo = ExpansionMemo::default();
        let doc = Arc::new(ExpandedDocument::new());
        for i in 0..(MAX_ENTRIES * 3) {
            memo.put(format!("{{\"n\":{i}}}"), doc.clone());
            assert!(memo.len() <= MAX_ENTRIES);
        }
        assert!(memo
            .get(&format!("{{\"n\":{}}}", MAX_ENTRIES * 3 - 1))
            .is_some());
        memo.put("x".repeat(MAX_DOCUMENT_BYTES + 1), doc.clone());
        assert!(memo.get(&"x".repeat(MAX_DOCUMENT_BYTES + 1)).is_none());
        let big = "y".repeat(MAX_DOCUMENT_BYTES);
        for i in 0..(MAX_KEY_BYTES / MAX_DOCUMENT_BYTES + 2) {
            memo.put(format!("{big}{i}"), doc.clone());
            let bytes = memo.lock().key_bytes;
            assert!(bytes <= MAX_KEY_BYTES, "{bytes}");
        }
    }
}
