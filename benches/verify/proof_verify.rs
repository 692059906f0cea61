//! BBS ProofVerify alone, on the same inputs: the blst path
//! (`credence-bbs-verify`) against zkryptium, at 11, 21 and 101 messages
//! with every other message disclosed (6, 11 and 51).

use credence_bbs_verify::{proof_verify, Ciphersuite};
use criterion::{BenchmarkId, Criterion};
use zkryptium::keys::pair::KeyPair;
use zkryptium::schemes::algorithms::BbsBls12381Sha256;
use zkryptium::schemes::generics::{PoKSignature, Signature};

/// Message counts benchmarked.
pub const SIZES: [usize; 3] = [11, 21, 101];

/// Disclosed messages at `n` messages (indexes 0, 2, 4, …).
pub fn disclosed(n: usize) -> usize {
    n.div_ceil(2)
}

/// Runs the `proof_verify` group.
pub fn run(c: &mut Criterion) {
    let pair = KeyPair::<BbsBls12381Sha256>::generate(&[0x42; 32], None, None).expect("keygen");
    let (sk, pk) = (pair.private_key(), pair.public_key());
    let pk_bytes = pk.to_bytes();
    let header = [7u8; 64];
    let ph = b"nonce-01".to_vec();
    let mut g = c.benchmark_group("proof_verify");
    for n in SIZES {
        let msgs: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                format!("_:b{i} <https://bench.credence.dev/#claim{i}> \"value\" .\n").into_bytes()
            })
            .collect();
        let idx: Vec<usize> = (0..n).step_by(2).collect();
        let shown: Vec<Vec<u8>> = idx.iter().map(|i| msgs[*i].clone()).collect();
        let sig = Signature::<BbsBls12381Sha256>::sign(Some(&msgs), sk, pk, Some(&header))
            .expect("sign")
            .to_bytes();
        let proof = PoKSignature::<BbsBls12381Sha256>::proof_gen(
            pk,
            &sig,
            Some(&header),
            Some(&ph),
            Some(&msgs),
            Some(&idx),
        )
        .expect("proof");
        let bytes = proof.to_bytes();
        let blst = || {
            proof_verify(
                Ciphersuite::Bls12381Sha256,
                &pk_bytes,
                &bytes,
                &header,
                &ph,
                &shown,
                &idx,
            )
        };
        let zk = || proof.proof_verify(pk, Some(&shown), Some(&idx), Some(&header), Some(&ph));
        assert!(
            blst().is_ok() && zk().is_ok(),
            "both paths accept the bench proof"
        );
        g.bench_function(BenchmarkId::new("blst", n), |b| b.iter(blst));
        g.bench_function(BenchmarkId::new("zkryptium", n), |b| b.iter(zk));
    }
    g.finish();
}
