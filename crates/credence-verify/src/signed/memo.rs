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
//! The memory kept is bounded by an estimate from the text ([`weight`]).
//!
//! [`SafeMode`]: super::SafeMode

use ssi::json_ld::ExpandedDocument;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// At most this many expansions are kept; the memo is cleared when full.
const MAX_ENTRIES: usize = 256;
/// At most this much memory, as [`weight`] estimates it, is kept (keys and
/// expansions together); the memo is cleared when it would hold more.
const MAX_WEIGHT: usize = 32 << 20;
/// What one JSON value of a document is taken to cost in its expansion: an
/// expanded object is 112 bytes in its property's list (a node 344), plus
/// its map entry and heap text; measured, an array of short strings costs
/// 35–70 bytes of expansion per byte of text (210–420 bytes per value).
const VALUE_WEIGHT: usize = 512;
/// A document longer than this is never kept.
const MAX_DOCUMENT_BYTES: usize = 256 << 10;

/// Expansions by document text, bounded in count and bytes.
#[derive(Default)]
pub(crate) struct ExpansionMemo(Mutex<Entries>);

#[derive(Default)]
struct Entries {
    map: HashMap<String, Arc<ExpandedDocument>>,
    weight: usize,
}

/// The estimated memory of keeping the expansion of the document whose
/// JSON text is `key`: the text, and [`VALUE_WEIGHT`] for each value it can
/// hold (every value follows the start, a `[`, a `,` or a `:`; counting
/// them inside strings too only overestimates).
fn weight(key: &str) -> usize {
    let values = 1 + key
        .bytes()
        .filter(|b| matches!(b, b'[' | b',' | b':' | b'{'))
        .count();
    key.len() + values * VALUE_WEIGHT
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
        let weight = weight(&key);
        if entries.map.len() >= MAX_ENTRIES || entries.weight + weight > MAX_WEIGHT {
            entries.map.clear();
            entries.weight = 0;
        }
        entries.weight += weight;
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
        // Documents of many small values weigh by their values, not their
        // bytes: the memo keeps far fewer of them.
        let many = format!("[{}]", vec!["\"a\""; 20_000].join(","));
        assert!(weight(&many) > 20_000 * VALUE_WEIGHT);
        for i in 0..(MAX_WEIGHT / weight(&many) + 3) {
            memo.put(format!("{many}{i}"), doc.clone());
            let weight = memo.lock().weight;
            assert!(weight <= MAX_WEIGHT, "{weight}");
        }
        assert!(memo.len() <= MAX_WEIGHT / (20_000 * VALUE_WEIGHT));
    }
}
