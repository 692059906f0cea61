//! `credence verifier bench` end to end (tiny runs: the figures are for
//! the release binary; these check that it counts what it claims):
//! one sled replica, two replicas on a real redis-server, refusals of
//! bad arguments, and the output when stderr is not a terminal (no
//! progress frames).

#[path = "../../credence-store/tests/support/redis_server.rs"]
mod redis_server;
mod support;

use support::credence;

fn tokens_minted(stdout: &str) -> usize {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("tokens minted "))
        .unwrap_or_else(|| panic!("no tokens line in {stdout}"));
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

#[test]
fn a_short_bench_on_one_sled_replica_mints_and_audits_every_token() {
    let (code, out, err) = credence(&[
        "verifier",
        "bench",
        "--duration",
        "2",
        "--pool",
        "100",
        "--clients",
        "4",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let minted = tokens_minted(&out);
    assert!(minted > 0, "{out}");
    assert!(out.contains("refused: none"), "{out}");
    assert!(
        out.contains(&format!(
            "audit: {minted} mint_token entries for {minted} tokens minted"
        )),
        "{out}"
    );
    assert!(out.contains("replica 0 RSS start"), "{out}");
    // Not a terminal: no progress-bar frames in the log.
    assert!(!err.contains('\r'), "{err:?}");
}

#[test]
fn two_replicas_on_redis_answer_each_others_requests() {
    let Some(redis) = redis_server::RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let (code, out, err) = credence(&[
        "verifier",
        "bench",
        "--duration",
        "2",
        "--pool",
        "100",
        "--clients",
        "4",
        "--replicas",
        "2",
        "--state",
        &url,
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(tokens_minted(&out) > 0, "{out}");
    assert!(out.contains("replicas 2  state redis://"), "{out}");
    assert!(out.contains("replica 1 RSS start"), "{out}");
}

#[test]
fn bad_bench_arguments_are_refused() {
    let (code, _, err) = credence(&["verifier", "bench", "--replicas", "2"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("shared --state redis://"), "{err}");
    let (code, _, err) = credence(&["verifier", "bench", "--duration", "61"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = credence(&[
        "verifier",
        "bench",
        "--target",
        "http://127.0.0.1:1",
        "--replicas",
        "2",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_target_that_does_not_answer_is_an_error_not_a_hang() {
    let (code, _, err) = credence(&[
        "verifier",
        "bench",
        "--target",
        "http://127.0.0.1:1",
        "--duration",
        "1",
    ]);
    assert_eq!(code, 4, "{err}");
}
