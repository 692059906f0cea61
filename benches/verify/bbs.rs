//! bbs-2023 at 10, 20 and 100 claims, and zkryptium with the same BBS
//! message counts.

use credence::bbs2023::{
    base_transform, derive, sign_base, verify_derived, verify_derived_using, BaseProofValue,
    BbsEngine, BbsKeyPair, DerivedProofValue,
};
use credence::verify::signed::SafeMode;
use criterion::{BenchmarkId, Criterion};
use serde_json::{json, Value};
use ssi::json_ld::ContextLoader;
use tokio::runtime::Runtime;
use zkryptium::bbsplus::keys::{BBSplusPublicKey, BBSplusSecretKey};
use zkryptium::schemes::algorithms::{BBSplus, BbsBls12381Sha256};
use zkryptium::schemes::generics::{PoKSignature, Signature};

type Suite = BBSplus<<BbsBls12381Sha256 as zkryptium::schemes::algorithms::Scheme>::Ciphersuite>;

/// BBS messages and disclosed messages behind one bbs-2023 case.
#[derive(Clone, Copy)]
pub struct Counts {
    pub claims: usize,
    pub messages: usize,
    pub disclosed: usize,
}

/// A VC with `n` claims (half of them disclosed when derived).
fn document(issuer: &str, n: usize) -> Value {
    let mut subject = serde_json::Map::new();
    subject.insert("id".into(), json!("did:example:holder"));
    for i in 0..n {
        subject.insert(format!("claim{i}"), json!(format!("value number {i}")));
    }
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": "https://bench.credence.dev/#"}],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    })
}

fn mandatory() -> Vec<String> {
    vec!["/issuer".into(), "/validFrom".into()]
}

fn selective(n: usize) -> Vec<String> {
    (0..n / 2)
        .map(|i| format!("/credentialSubject/claim{i}"))
        .collect()
}

/// Distinct credentials cycled through by the verifier-path bench: more
/// than the verifier keeps expansions of (two entries each).
const DISTINCT: usize = 200;

/// bbs-2023 verify through the verifier's expansion (processed contexts,
/// kept expansions): of credentials not seen before (each another
/// credential id, base-signed and derived in advance), and of the same
/// credential derived again (its expansions kept).
fn verifier_path(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &Runtime,
    keys: &BbsKeyPair,
    method: &str,
    derived: &Value,
    loader: &ContextLoader,
) {
    let issuer = keys.public_key().did_key();
    let distinct: Vec<Value> = (0..DISTINCT)
        .map(|i| {
            let mut doc = document(&issuer, 10);
            doc["id"] = json!(format!("urn:uuid:bench-{i}"));
            let signed = rt
                .block_on(sign_base(&doc, keys, method, None, &mandatory(), loader))
                .expect("sign");
            rt.block_on(derive(&signed, &selective(10), b"nonce-01", loader))
                .expect("derive")
        })
        .collect();
    let safe = SafeMode::new(loader.clone());
    let mut next = distinct.iter().cycle();
    g.bench_function(BenchmarkId::new("verify_verifier", 10), |b| {
        b.iter(|| {
            let doc = next.next().expect("cycle");
            let r = rt.block_on(verify_derived_using(
                doc,
                keys.public_key(),
                &safe,
                BbsEngine::Blst,
            ));
            assert!(r.is_ok());
        })
    });
    g.bench_function(BenchmarkId::new("verify_verifier_again", 10), |b| {
        b.iter(|| {
            let r = rt.block_on(verify_derived_using(
                derived,
                keys.public_key(),
                &safe,
                BbsEngine::Blst,
            ));
            assert!(r.is_ok());
        })
    });
}

/// Raw BBS with `messages` 32-byte messages, `disclosed` of them shown,
/// the 64-byte bbs-2023 header and an 8-byte presentation header.
pub fn raw(c: &mut Criterion, keys: &BbsKeyPair, counts: Counts, label: &str) {
    let sk = match BBSplusSecretKey::from_bytes(keys.secret_bytes().as_ref()) {
        Ok(sk) => sk,
        Err(e) => panic!("secret key: {e:?}"),
    };
    let pk = match BBSplusPublicKey::from_bytes(keys.public_key().as_bytes()) {
        Ok(pk) => pk,
        Err(e) => panic!("public key: {e:?}"),
    };
    let msgs: Vec<Vec<u8>> = (0..counts.messages)
        .map(|i| {
            format!("_:b{i} <https://bench.credence.dev/#claim{i}> \"value\" .\n").into_bytes()
        })
        .collect();
    let header = [7u8; 64];
    let ph = b"nonce-01".to_vec();
    let idx: Vec<usize> = (0..counts.disclosed).collect();
    let disclosed: Vec<Vec<u8>> = idx.iter().map(|i| msgs[*i].clone()).collect();
    let sig = Signature::<Suite>::sign(Some(&msgs), &sk, &pk, Some(&header)).expect("sign");
    let sig_bytes = sig.to_bytes();
    let proof = PoKSignature::<Suite>::proof_gen(
        &pk,
        &sig_bytes,
        Some(&header),
        Some(&ph),
        Some(&msgs),
        Some(&idx),
    )
    .expect("proof");
    let id = |name: &str| BenchmarkId::new(name, label);
    let mut g = c.benchmark_group("raw_bbs");
    g.bench_function(id("sign"), |b| {
        b.iter(|| Signature::<Suite>::sign(Some(&msgs), &sk, &pk, Some(&header)))
    });
    g.bench_function(id("proof_gen"), |b| {
        b.iter(|| {
            PoKSignature::<Suite>::proof_gen(
                &pk,
                &sig_bytes,
                Some(&header),
                Some(&ph),
                Some(&msgs),
                Some(&idx),
            )
        })
    });
    g.bench_function(id("proof_verify"), |b| {
        b.iter(|| proof.proof_verify(&pk, Some(&disclosed), Some(&idx), Some(&header), Some(&ph)))
    });
    g.finish();
}

/// Runs the bbs-2023 and raw groups; returns the counts per claim size.
pub fn run(c: &mut Criterion, rt: &Runtime) -> Vec<Counts> {
    let keys = BbsKeyPair::from_secret_bytes(&[0x42; 32]).expect("BBS key");
    let issuer = keys.public_key().did_key();
    let method = keys.public_key().did_key_url();
    let loader: ContextLoader = credence::model::context_loader_with(Default::default());
    let mut all = vec![];
    for n in [10, 20, 100] {
        let doc = document(&issuer, n);
        let signed = rt
            .block_on(sign_base(&doc, &keys, &method, None, &mandatory(), &loader))
            .expect("sign");
        let derived = rt
            .block_on(derive(&signed, &selective(n), b"nonce-01", &loader))
            .expect("derive");
        // The BBS message counts behind this credential.
        let base = BaseProofValue::decode(signed["proof"]["proofValue"].as_str().unwrap_or(""))
            .expect("base proof value");
        let hmac: [u8; 32] = base
            .hmac_key
            .as_slice()
            .try_into()
            .expect("32-byte HMAC key");
        let transform = rt
            .block_on(base_transform(&doc, &mandatory(), &hmac, &loader))
            .expect("transform");
        let shown =
            DerivedProofValue::decode(derived["proof"]["proofValue"].as_str().unwrap_or(""))
                .expect("derived proof value")
                .selective_indexes
                .len();
        let counts = Counts {
            claims: n,
            messages: transform.non_mandatory.len(),
            disclosed: shown,
        };
        all.push(counts);

        let mut g = c.benchmark_group("bbs2023");
        g.bench_function(BenchmarkId::new("sign", n), |b| {
            b.iter(|| rt.block_on(sign_base(&doc, &keys, &method, None, &mandatory(), &loader)))
        });
        g.bench_function(BenchmarkId::new("derive", n), |b| {
            b.iter(|| rt.block_on(derive(&signed, &selective(n), b"nonce-01", &loader)))
        });
        g.bench_function(BenchmarkId::new("verify", n), |b| {
            b.iter(|| {
                let r = rt.block_on(verify_derived(&derived, keys.public_key(), &loader));
                assert!(r.is_ok());
            })
        });
        if n == 10 {
            verifier_path(&mut g, rt, &keys, &method, &derived, &loader);
        }
        g.finish();
        raw(c, &keys, counts, &n.to_string());
    }
    all
}
