//! Another replica of the world's token service, on a state the test
//! chooses (a shared Redis, a sled directory to reopen).

use super::World;
use credence_core::VerifierState;
use credence_did::{CacheConfig, FetchLimits};
use credence_server::{verifier_dir, Openid4vpService, ServeOptions, VerifierService};
use credence_verify::{TokenIssuer, TrustPolicy, Verifier};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Status lists cached for a second, so a revocation shows quickly.
pub fn short_cache(v: Verifier) -> Verifier {
    v.with_status_fetching(
        FetchLimits::default(),
        CacheConfig {
            ttl: Duration::from_secs(1),
            capacity: 16,
        },
    )
}

/// A replica of the world's token service: same identity, keys and
/// policy, its own process state (caches, metrics), the shared `state`.
pub fn replica(
    w: &World,
    state: Arc<dyn VerifierState>,
    listener: tokio::net::TcpListener,
    options: ServeOptions,
) -> Running {
    let globex = w.dir.path().join("globex");
    let (_, introspection) = verifier_dir::load_or_create(&globex).unwrap();
    let ring = credence_server::load_key_ring(&globex).unwrap();
    let request_key = verifier_dir::load_or_create_request_key(&globex).unwrap();
    let openid4vp =
        Openid4vpService::for_origin(&w.verifier_url, request_key, state.clone()).unwrap();
    let policy = TrustPolicy::load(&w.policy_path).unwrap();
    let verifier = Arc::new(short_cache(
        Verifier::new(&w.verifier_url, policy)
            .with_client_id(&openid4vp.signer.client_id())
            .with_state(state),
    ));
    let tokens = Arc::new(TokenIssuer::with_keys(&verifier, ring));
    let keys = credence_server::watch_keys(tokens.clone(), globex, Duration::from_millis(200));
    let service = VerifierService {
        verifier,
        tokens,
        default_claims: vec!["organization".into(), "capabilities".into()],
        introspection,
        openid4vp,
    };
    let app = credence_server::verifier_app(service, options);
    let (stop, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Running { stop, task, keys }
}

/// A replica being served.
pub struct Running {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    keys: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.keys.abort();
    }
}

impl Running {
    /// Stops it and waits until it has let go of everything (its state
    /// among them).
    pub async fn stop(mut self) {
        let (stop, _) = oneshot::channel();
        let _ = std::mem::replace(&mut self.stop, stop).send(());
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let _ = task.await;
        // The key watcher holds the token service (and its state) too.
        let keys = std::mem::replace(&mut self.keys, tokio::spawn(async {}));
        keys.abort();
        let _ = keys.await;
    }
}
