//! Shared helpers: locating ../shared/vectors and ../shared/interop.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};

/// `$var`, else `../shared/<name>` beside the workspace; `None` (with a
/// printed SKIP line) when absent.
fn shared(var: &str, name: &str, test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared")
            .join(name)
    });
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP {test}: {name} not found at {} (set {var})",
            dir.display()
        );
        None
    }
}

/// The vectors folder (`CREDENCE_VECTORS`).
pub fn vectors(test: &str) -> Option<PathBuf> {
    shared("CREDENCE_VECTORS", "vectors", test)
}

/// The interop folder (`CREDENCE_INTEROP`).
pub fn interop(test: &str) -> Option<PathBuf> {
    shared("CREDENCE_INTEROP", "interop", test)
}

/// A JSON file.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A text file.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
