//! ProofVerify timings, blst path against zkryptium (ignored; run in
//! release: `cargo test --release -p credence-bbs-verify --test timing --
//! --ignored --nocapture`). A quick probe for comparing build features
//! (blst `portable`); the criterion figures live in `benches/verify`.

mod common;

use common::{zkryptium_accepts, Signer};
use credence_bbs_verify::{proof_verify, Ciphersuite};
use std::time::Instant;

fn median_ms(mut f: impl FnMut(), runs: usize) -> f64 {
    f();
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[runs / 2]
}

#[test]
#[ignore = "timing probe, run in release"]
fn proof_verify_timing() {
    let suite = Ciphersuite::Bls12381Sha256;
    let signer = Signer::new(suite, &[0x42; 32]);
    let pk = signer.public_key();
    let (header, ph) = ([7u8; 64], b"nonce-01".to_vec());
    println!("| messages / disclosed | blst path ms | zkryptium ms |");
    for n in [11usize, 21, 101] {
        let all: Vec<Vec<u8>> = (0..n)
            .map(|i| format!("message {i}").into_bytes())
            .collect();
        let idx: Vec<usize> = (0..n).step_by(2).collect();
        let shown: Vec<Vec<u8>> = idx.iter().map(|i| all[*i].clone()).collect();
        let proof = signer.prove(&all, &header, &ph, &idx);
        let ours = median_ms(
            || assert!(proof_verify(suite, &pk, &proof, &header, &ph, &shown, &idx).is_ok()),
            200,
        );
        let zk = median_ms(
            || {
                assert!(zkryptium_accepts(
                    suite, &pk, &proof, &header, &ph, &shown, &idx
                ))
            },
            20,
        );
        println!("| {n} / {} | {ours:.3} | {zk:.3} |", idx.len());
    }
}
