//! One policy snapshot with what it takes to apply it: the policy, the
//! JSON-LD contexts it accepts (built in and declared), a loader and safe
//! mode serving exactly those, and the claim-path cache for them. A
//! decision runs under one snapshot from start to end; a new policy makes
//! a new snapshot, so a cached resolution never outlives the contexts it
//! was made with.

use crate::policy::{policy_loader, BUILT_IN_CONTEXTS};
use crate::signed::paths::PathResolver;
use crate::signed::SafeMode;
use crate::TrustPolicy;
use ssi::json_ld::ContextLoader;
use std::sync::Arc;

/// A policy snapshot, ready to apply.
pub(crate) struct Runtime {
    /// The policy.
    pub policy: Arc<TrustPolicy>,
    /// Every context URL a document may name.
    pub contexts: Vec<String>,
    /// Serves those contexts and nothing else.
    pub loader: ContextLoader,
    /// Safe mode with that loader.
    pub safe: SafeMode,
    /// Claim names → IRIs under those contexts.
    pub paths: PathResolver,
}

impl Runtime {
    /// The snapshot of `policy`.
    pub fn new(policy: TrustPolicy) -> Self {
        let loader = policy_loader(&policy.contexts);
        let contexts = BUILT_IN_CONTEXTS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(policy.contexts.iter().map(|c| c.url.clone()))
            .collect();
        Self {
            safe: SafeMode::new(loader.clone()),
            loader,
            contexts,
            paths: PathResolver::default(),
            policy: Arc::new(policy),
        }
    }

    /// The accepted context URLs, borrowed.
    pub fn context_urls(&self) -> Vec<&str> {
        self.contexts.iter().map(String::as_str).collect()
    }
}
