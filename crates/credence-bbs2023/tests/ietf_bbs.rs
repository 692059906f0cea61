//! The IETF CFRG BBS fixtures (draft-06 and later) run through zkryptium,
//! the BBS implementation under Credence's bbs-2023 suite.

mod common;

use common::{read_json, vectors};
use serde_json::Value;
use zkryptium::bbsplus::ciphersuites::BbsCiphersuite;
use zkryptium::bbsplus::keys::{BBSplusPublicKey, BBSplusSecretKey};
use zkryptium::schemes::algorithms::{BBSplus, BbsBls12381Sha256, BbsBls12381Shake256, Scheme};
use zkryptium::schemes::generics::{PoKSignature, Signature};

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or("")).unwrap()
}

fn messages(v: &Value) -> Vec<Vec<u8>> {
    v.as_array().unwrap().iter().map(hex).collect()
}

fn files(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut f: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    f.sort();
    f
}

/// Returns (fixtures run, fixtures whose outcome matched).
fn run_suite<S>(suite_dir: &std::path::Path) -> (usize, usize)
where
    S: Scheme,
    S::Ciphersuite: BbsCiphersuite,
    <S::Ciphersuite as BbsCiphersuite>::Expander: for<'a> elliptic_curve::hash2curve::ExpandMsg<'a>,
{
    let (mut run, mut matched) = (0, 0);
    for path in files(suite_dir.join("signature")) {
        let f = read_json(path.clone());
        let expected = f["result"]["valid"].as_bool().unwrap();
        let pk = BBSplusPublicKey::from_bytes(&hex(&f["signerKeyPair"]["publicKey"])).unwrap();
        let msgs = messages(&f["messages"]);
        let header = hex(&f["header"]);
        let sig_bytes: [u8; 80] = hex(&f["signature"]).try_into().unwrap();
        let sig = Signature::<BBSplus<S::Ciphersuite>>::from_bytes(&sig_bytes).unwrap();
        let verified = sig.verify(&pk, Some(&msgs), Some(&header)).is_ok();
        let mut ok = verified == expected;
        if expected {
            // Sign must reproduce the fixture bytes exactly.
            let sk = BBSplusSecretKey::from_bytes(&hex(&f["signerKeyPair"]["secretKey"])).unwrap();
            let ours =
                Signature::<BBSplus<S::Ciphersuite>>::sign(Some(&msgs), &sk, &pk, Some(&header))
                    .unwrap();
            ok &= ours.to_bytes() == sig_bytes;
        }
        assert!(ok, "{}: expected valid={expected}", path.display());
        run += 1;
        matched += ok as usize;
    }
    for path in files(suite_dir.join("proof")) {
        let f = read_json(path.clone());
        let expected = f["result"]["valid"].as_bool().unwrap();
        let pk = BBSplusPublicKey::from_bytes(&hex(&f["signerPublicKey"])).unwrap();
        let msgs = messages(&f["messages"]);
        let idx: Vec<usize> = f["disclosedIndexes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as usize)
            .collect();
        let disclosed: Vec<Vec<u8>> = idx.iter().filter_map(|i| msgs.get(*i).cloned()).collect();
        let verified = PoKSignature::<BBSplus<S::Ciphersuite>>::from_bytes(&hex(&f["proof"]))
            .and_then(|p| {
                p.proof_verify(
                    &pk,
                    Some(&disclosed),
                    Some(&idx),
                    Some(&hex(&f["header"])),
                    Some(&hex(&f["presentationHeader"])),
                )
            })
            .is_ok();
        assert_eq!(verified, expected, "{}", path.display());
        run += 1;
        matched += 1;
    }
    (run, matched)
}

#[test]
fn ietf_bls12_381_sha256_fixtures() {
    let Some(root) = vectors("ietf_bls12_381_sha256_fixtures") else {
        return;
    };
    let (run, matched) = run_suite::<BbsBls12381Sha256>(&root.join("bbs/bls12-381-sha-256"));
    println!("IETF BBS BLS12-381-SHA-256: {matched}/{run} fixtures as expected");
    assert_eq!(run, 25);
}

#[test]
fn ietf_bls12_381_shake256_fixtures() {
    let Some(root) = vectors("ietf_bls12_381_shake256_fixtures") else {
        return;
    };
    let (run, matched) = run_suite::<BbsBls12381Shake256>(&root.join("bbs/bls12-381-shake-256"));
    println!("IETF BBS BLS12-381-SHAKE-256: {matched}/{run} fixtures as expected");
    assert_eq!(run, 25);
}
