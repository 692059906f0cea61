//! The verifier state backends keep one contract: store-once and
//! take-once are atomic under concurrency, entries expire, and an
//! unreachable backend is `Unavailable` (never a silent "absent"). Run on
//! memory, sled (also across a reopen) and a real redis-server.

#[path = "support/redis_server.rs"]
mod redis_server;

use credence_core::{MemoryState, StateError, StateKey, VerifierState};
use credence_store::{RedisOptions, RedisState, SledState};
use redis_server::RedisServer;
use std::sync::Arc;

const NOW: i64 = 1_900_000_000;

async fn contract(state: Arc<dyn VerifierState>) {
    let key = StateKey::used_nonce(&format!("n-{}", uuid_ish()));
    assert!(state
        .insert_new(&key, b"first", NOW + 60, NOW)
        .await
        .unwrap());
    assert!(!state
        .insert_new(&key, b"second", NOW + 60, NOW)
        .await
        .unwrap());
    assert_eq!(
        state.get(&key, NOW).await.unwrap().as_deref(),
        Some(&b"first"[..])
    );

    // 50 concurrent store-once: exactly one wins.
    let race = StateKey::dpop_jti(&format!("j-{}", uuid_ish()));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (state, race) = (state.clone(), race.clone());
            tokio::spawn(async move {
                state
                    .insert_new(&race, format!("{i}").as_bytes(), NOW + 60, NOW)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1, "{} store-once winners", won);

    // 50 concurrent takes: at most one gets the value.
    let code = StateKey::response_code(&format!("c-{}", uuid_ish()));
    state
        .put(&code, b"presentation", NOW + 60, NOW)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (state, code) = (state.clone(), code.clone());
            tokio::spawn(async move { state.take(&code, NOW).await.unwrap() })
        })
        .collect();
    let mut taken = 0;
    for t in tasks {
        taken += usize::from(t.await.unwrap().is_some());
    }
    assert_eq!(taken, 1);

    // put replaces; the overwritten value is read.
    let revoked = StateKey::revoked(&format!("r-{}", uuid_ish()));
    state.put(&revoked, b"a", NOW + 60, NOW).await.unwrap();
    state.put(&revoked, b"b", NOW + 60, NOW).await.unwrap();
    assert_eq!(
        state.get(&revoked, NOW).await.unwrap().as_deref(),
        Some(&b"b"[..])
    );
    state.ping().await.unwrap();
}

fn uuid_ish() -> String {
    format!("{:x}", rand::random::<u64>())
}

#[tokio::test]
async fn memory_keeps_the_contract() {
    contract(Arc::new(MemoryState::default())).await;
}

#[tokio::test]
async fn sled_keeps_the_contract_and_its_entries_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(SledState::open(dir.path()).unwrap());
    contract(state.clone()).await;
    let key = StateKey::used_nonce("kept");
    assert!(state.insert_new(&key, b"", NOW + 60, NOW).await.unwrap());
    let short = StateKey::dpop_jti("short");
    assert!(state.insert_new(&short, b"", NOW + 5, NOW).await.unwrap());
    drop(state);
    let reopened = SledState::open(dir.path()).unwrap();
    assert!(
        !reopened.insert_new(&key, b"", NOW + 60, NOW).await.unwrap(),
        "consumed after restart"
    );
    assert_eq!(
        reopened.get(&short, NOW + 5).await.unwrap(),
        None,
        "expired"
    );
    assert!(reopened
        .insert_new(&short, b"", NOW + 65, NOW + 5)
        .await
        .unwrap());
}

#[tokio::test]
async fn sled_refuses_a_second_process_on_the_same_directory() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SledState::open(dir.path()).unwrap();
    let second = SledState::open(dir.path());
    assert!(matches!(second, Err(credence_store::StoreError::State(m)) if m.contains("in use")));
}

#[tokio::test]
async fn expired_entries_expire_in_sled() {
    let dir = tempfile::tempdir().unwrap();
    let state = SledState::open(dir.path()).unwrap();
    let key = StateKey::request("n");
    assert!(state.insert_new(&key, b"r", NOW + 10, NOW).await.unwrap());
    assert_eq!(state.get(&key, NOW + 10).await.unwrap(), None);
    assert_eq!(state.take(&key, NOW + 10).await.unwrap(), None);
    assert_eq!(state.live_entries(NOW), 0);
}

#[tokio::test]
async fn redis_keeps_the_contract_and_sets_a_ttl_on_every_key() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let state = Arc::new(RedisState::connect(&server.url(), RedisOptions::default()).unwrap());
    contract(state.clone()).await;
    let client = redis::Client::open(server.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("credence:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(keys.len() >= 3, "{keys:?}");
    for key in keys {
        let ttl: i64 = redis::cmd("TTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!((1..=60).contains(&ttl), "{key} has TTL {ttl}");
    }
}

#[tokio::test]
async fn redis_down_is_unavailable_and_it_recovers() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let options = RedisOptions::default();
    let state = RedisState::connect(&server.url(), options).unwrap();
    state.ping().await.unwrap();
    server.stop();
    let key = StateKey::used_nonce("while-down");
    let err = state
        .insert_new(&key, b"", NOW + 60, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, StateError::Unavailable(_)), "{err:?}");
    assert!(matches!(
        state.get(&key, NOW).await,
        Err(StateError::Unavailable(_))
    ));
    assert!(matches!(
        state.ping().await,
        Err(StateError::Unavailable(_))
    ));
    server.resume();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while state.ping().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "no recovery");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(state.insert_new(&key, b"", NOW + 60, NOW).await.unwrap());
}

#[tokio::test]
async fn a_redis_url_that_does_not_parse_is_refused() {
    let err = RedisState::connect("redis://[bad", RedisOptions::default()).unwrap_err();
    assert!(
        matches!(err, credence_store::StoreError::State(_)),
        "{err:?}"
    );
}

/// sled's own `flush_async` could hang for good when many were in flight
/// at once across databases of one process (sled issues #1241, #1308;
/// seen here as a CI run stuck for an hour): every write's flush must
/// finish. Two databases, 4 × 200 concurrent writes, on their own thread
/// and runtime: a hang blocks even the runtime's timers, so the test
/// waits on a channel with a deadline and fails instead of hanging.
#[test]
fn many_concurrent_sled_writes_across_databases_all_complete() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let states: Vec<Arc<SledState>> = dirs
        .iter()
        .map(|d| Arc::new(SledState::open(d.path()).unwrap()))
        .collect();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .unwrap();
        runtime.block_on(concurrent_writes(states));
        let _ = done.send(());
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("sled writes hung waiting for their flushes");
}

async fn concurrent_writes(states: Vec<Arc<SledState>>) {
    for round in 0..4 {
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let state = states[i % 2].clone();
                tokio::spawn(async move {
                    let key = StateKey::used_nonce(&format!("r{round}-{i}"));
                    state.insert_new(&key, b"", NOW + 60, NOW).await.unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap());
        }
    }
}
