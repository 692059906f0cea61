//! Finding the vectors, reading them, and tallying outcomes per kind.

use credence::model::context_loader_with;
use serde_json::Value;
use ssi::json_ld::ContextLoader;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// `$CREDENCE_VECTORS`, else `../shared/vectors` beside the workspace;
/// `None` with a printed SKIP line when absent.
pub fn vectors() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENCE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"));
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP conformance: published test vectors not found at {} (set CREDENCE_VECTORS)",
            dir.display()
        );
        None
    }
}

pub fn read_json(path: impl AsRef<Path>) -> Value {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn read_text(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Sorted files of a folder.
pub fn files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let mut f: Vec<_> = std::fs::read_dir(dir.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.as_ref().display()))
        .map(|e| e.unwrap().path())
        .collect();
    f.sort();
    f
}

/// Credence's loader (its own contexts) plus exactly the contexts in
/// `jsonld-contexts/`; anything else is refused.
pub fn loader(root: &Path) -> ContextLoader {
    let dir = root.join("jsonld-contexts");
    let urls = read_json(dir.join("urls.json"));
    let extra: HashMap<String, String> = urls
        .as_object()
        .unwrap()
        .iter()
        .map(|(url, file)| (url.clone(), read_text(dir.join(file.as_str().unwrap()))))
        .collect();
    context_loader_with(extra)
}

#[derive(Default)]
struct Kind {
    passed: usize,
    failed: Vec<(String, String)>,
    not_run: Vec<(String, String)>,
}

/// Outcomes per kind of vector.
#[derive(Default)]
pub struct Report(BTreeMap<&'static str, Kind>);

impl Report {
    /// Records one vector's outcome.
    pub fn check(
        &mut self,
        kind: &'static str,
        vector: impl Into<String>,
        outcome: Result<(), String>,
    ) {
        let k = self.0.entry(kind).or_default();
        match outcome {
            Ok(()) => k.passed += 1,
            Err(why) => k.failed.push((vector.into(), why)),
        }
    }

    /// Lists a vector Credence does not run, with the reason.
    pub fn not_run(&mut self, kind: &'static str, vector: impl Into<String>, why: &str) {
        self.0
            .entry(kind)
            .or_default()
            .not_run
            .push((vector.into(), why.to_owned()));
    }

    /// How many vectors of `kind` passed.
    pub fn passed(&self, kind: &str) -> usize {
        self.0.get(kind).map_or(0, |k| k.passed)
    }

    /// The summary table, then every vector not run and every failure.
    pub fn render(&self) -> String {
        let mut out = String::from("conformance with published vectors\n");
        out += &format!(
            "{:<44} {:>6} {:>6} {:>7}\n",
            "kind", "passed", "failed", "not run"
        );
        for (name, k) in &self.0 {
            out += &format!(
                "{name:<44} {:>6} {:>6} {:>7}\n",
                k.passed,
                k.failed.len(),
                k.not_run.len()
            );
        }
        for (name, k) in &self.0 {
            for (v, why) in &k.not_run {
                out += &format!("not run  {name} / {v}: {why}\n");
            }
        }
        for (name, k) in &self.0 {
            for (v, why) in &k.failed {
                out += &format!("FAILED   {name} / {v}: {why}\n");
            }
        }
        out
    }

    /// Whether every vector that was run passed.
    pub fn all_passed(&self) -> bool {
        self.0.values().all(|k| k.failed.is_empty())
    }
}

/// `Err(what)` unless `ok`.
pub fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

/// Verifies `signed` as a Data Integrity document of `$suite`, resolving
/// methods only among `known`.
macro_rules! verify_with {
    ($suite:ty, $signed:expr, $known:expr, $loader:expr) => {
        async {
            let secured: ssi::claims::data_integrity::DataIntegrity<
                ssi::claims::data_integrity::DataIntegrityDocument,
                $suite,
            > = serde_json::from_value($signed.clone()).map_err(|e| e.to_string())?;
            use ssi::dids::DIDResolver;
            let params =
                ssi::claims::VerificationParameters::from_resolver($known.into_vm_resolver())
                    .with_json_ld_loader($loader.clone());
            match secured.verify(params).await {
                Ok(Ok(())) => Ok::<(), String>(()),
                Ok(Err(invalid)) => Err(invalid.to_string()),
                Err(e) => Err(e.to_string()),
            }
        }
    };
}
pub(crate) use verify_with;
