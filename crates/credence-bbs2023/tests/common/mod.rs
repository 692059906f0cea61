//! Shared helpers: locating ../shared/vectors and an offline context loader.
#![allow(dead_code)]

use ssi::json_ld::ContextLoader;
use std::collections::HashMap;
use std::path::PathBuf;

/// The vectors folder: `$CREDENCE_VECTORS`, else `../shared/vectors` beside
/// the workspace. `None` (with a printed SKIP line) when absent.
pub fn vectors(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENCE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
        });
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP {test}: test vectors not found at {} (set CREDENCE_VECTORS)",
            dir.display()
        );
        None
    }
}

pub fn read_json(path: PathBuf) -> serde_json::Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Serves exactly the contexts in `jsonld-contexts/` and refuses the rest.
pub fn vector_loader(vectors: &std::path::Path) -> ContextLoader {
    let dir = vectors.join("jsonld-contexts");
    let urls = read_json(dir.join("urls.json"));
    let map: HashMap<String, String> = urls
        .as_object()
        .unwrap()
        .iter()
        .map(|(url, file)| {
            let text = std::fs::read_to_string(dir.join(file.as_str().unwrap())).unwrap();
            (url.clone(), text)
        })
        .collect();
    ContextLoader::empty().with_context_map_from(map).unwrap()
}
