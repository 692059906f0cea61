//! Differential test: the blst path against zkryptium (the oracle) on
//! random proofs made by zkryptium ProofGen, and on each proof mutated.
//! Seed: `CREDENCE_DIFF_SEED` (decimal), else a fixed default; printed.

mod common;

use common::{zkryptium_accepts, Signer};
use credence_bbs_verify::{proof_verify, Ciphersuite};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::time::Instant;

const DEFAULT_SEED: u64 = 0x00c0_ffee_bb50_2023;

/// One verification input.
#[derive(Clone)]
struct Input {
    proof: Vec<u8>,
    header: Vec<u8>,
    ph: Vec<u8>,
    messages: Vec<Vec<u8>>,
    indexes: Vec<usize>,
}

fn bytes(rng: &mut ChaCha20Rng, max: usize) -> Vec<u8> {
    let n = rng.gen_range(0..=max);
    (0..n).map(|_| rng.gen()).collect()
}

/// A message count in 1..=64, log-uniform (small counts are as telling
/// and much cheaper for the oracle in debug builds); case 0 takes 64 and
/// case 1 takes 1.
fn message_count(rng: &mut ChaCha20Rng, n: usize) -> usize {
    match n {
        0 => 64,
        1 => 1,
        _ => (rng.gen_range(0.0..65f64.ln()).exp() as usize).clamp(1, 64),
    }
}

/// A random valid case: `count` messages, a random disclosed subset.
fn case(rng: &mut ChaCha20Rng, signer: &Signer, count: usize) -> Input {
    let all: Vec<Vec<u8>> = (0..count).map(|_| bytes(rng, 48)).collect();
    let share = rng.gen_range(0.0..=1.0);
    let indexes: Vec<usize> = (0..count).filter(|_| rng.gen_bool(share)).collect();
    let header = bytes(rng, 80);
    let ph = bytes(rng, 40);
    let proof = signer.prove(&all, &header, &ph, &indexes);
    let messages = indexes.iter().map(|i| all[*i].clone()).collect();
    Input {
        proof,
        header,
        ph,
        messages,
        indexes,
    }
}

fn flip(rng: &mut ChaCha20Rng, v: &mut Vec<u8>) {
    if v.is_empty() {
        v.push(rng.gen());
    } else {
        let at = rng.gen_range(0..v.len());
        v[at] ^= rng.gen_range(1..=255u8);
    }
}

/// The mutations of a case (each refused by a correct verifier).
fn mutations(rng: &mut ChaCha20Rng, x: &Input) -> Vec<(&'static str, Input)> {
    let mut out = Vec::new();
    let mut m = x.clone();
    flip(rng, &mut m.proof);
    out.push(("proof byte", m));
    if !x.messages.is_empty() {
        let mut m = x.clone();
        let at = rng.gen_range(0..m.messages.len());
        flip(rng, &mut m.messages[at]);
        out.push(("message", m));
    }
    let total = x.indexes.len() + (x.proof.len() - 272) / 32;
    if !x.indexes.is_empty() && x.indexes.len() < total {
        // Move one disclosed message to an undisclosed index, keeping the
        // (index, message) pairs sorted by index.
        let mut m = x.clone();
        let free: Vec<usize> = (0..total).filter(|i| !x.indexes.contains(i)).collect();
        let at = rng.gen_range(0..m.indexes.len());
        m.indexes[at] = free[rng.gen_range(0..free.len())];
        let mut pairs: Vec<_> = m.indexes.iter().copied().zip(m.messages).collect();
        pairs.sort_by_key(|p| p.0);
        (m.indexes, m.messages) = pairs.into_iter().unzip();
        out.push(("index", m));
    }
    let mut m = x.clone();
    flip(rng, &mut m.header);
    out.push(("header", m));
    let mut m = x.clone();
    flip(rng, &mut m.ph);
    out.push(("presentation header", m));
    out
}

/// Runs `cases` random cases of `suite`; returns (checks, agreements).
fn run(suite: Ciphersuite, cases: usize, seed: u64) -> (usize, usize) {
    println!(
        "differential {suite:?}: {cases} cases, seed {seed} (set CREDENCE_DIFF_SEED to replay)"
    );
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let signers: Vec<Signer> = (0..3).map(|_| Signer::new(suite, &rng.gen())).collect();
    let (mut checks, mut agree) = (0, 0);
    let start = Instant::now();
    let (mut t_ours, mut t_oracle) = (0f64, 0f64);
    for n in 0..cases {
        let signer = &signers[rng.gen_range(0..signers.len())];
        let pk = signer.public_key();
        let count = message_count(&mut rng, n);
        let valid = case(&mut rng, signer, count);
        let mut verdict = |x: &Input| {
            let t = Instant::now();
            let ours = proof_verify(
                suite,
                &pk,
                &x.proof,
                &x.header,
                &x.ph,
                &x.messages,
                &x.indexes,
            );
            t_ours += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let oracle = zkryptium_accepts(
                suite,
                &pk,
                &x.proof,
                &x.header,
                &x.ph,
                &x.messages,
                &x.indexes,
            );
            t_oracle += t.elapsed().as_secs_f64();
            (ours, oracle)
        };
        let (ours, oracle) = verdict(&valid);
        assert!(
            ours.is_ok() && oracle,
            "case {n}: valid proof refused: {ours:?}, zkryptium {oracle}"
        );
        checks += 1;
        agree += 1;
        for (what, m) in mutations(&mut rng, &valid) {
            let (ours, oracle) = verdict(&m);
            checks += 1;
            assert_eq!(
                ours.is_ok(),
                oracle,
                "case {n}, mutated {what}: ours {ours:?}, zkryptium {oracle}"
            );
            assert!(ours.is_err(), "case {n}: mutated {what} accepted");
            agree += 1;
        }
    }
    println!(
        "differential {suite:?}: {cases} cases, {checks} checks, {agree} agreements, {:.1} s \
         (verify: blst path {t_ours:.2} s, zkryptium {t_oracle:.2} s)",
        start.elapsed().as_secs_f64()
    );
    (checks, agree)
}

fn seed() -> u64 {
    std::env::var("CREDENCE_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

// 500 cases in CI: 250 per suite, in two tests that run in parallel.
#[test]
fn blst_agrees_with_zkryptium_sha256() {
    let (checks, agree) = run(Ciphersuite::Bls12381Sha256, 250, seed());
    assert_eq!(checks, agree);
}

#[test]
fn blst_agrees_with_zkryptium_shake256() {
    let (checks, agree) = run(Ciphersuite::Bls12381Shake256, 250, seed() ^ 1);
    assert_eq!(checks, agree);
}

/// The long run, 10 000 cases per suite in two tests that run in parallel:
/// `cargo test --release -p credence-bbs-verify --test differential -- --ignored`.
#[test]
#[ignore = "long: 10 000 cases, run in release"]
fn long_run_sha256() {
    let (checks, agree) = run(Ciphersuite::Bls12381Sha256, 10_000, seed() ^ 2);
    assert_eq!(checks, agree);
}

/// The SHAKE-256 half of the long run.
#[test]
#[ignore = "long: 10 000 cases, run in release"]
fn long_run_shake256() {
    let (checks, agree) = run(Ciphersuite::Bls12381Shake256, 10_000, seed() ^ 3);
    assert_eq!(checks, agree);
}
