//! eddsa-rdfc-2022 verify of a signed presentation-sized document (the
//! verifier's path, and ssi's suite verification), and
//! one raw Ed25519 verify and sign (ssi's JWS byte functions over
//! ed25519-dalek).

use credence::did::{authorized_in, resolve_local};
use credence::model::{sign_eddsa_rdfc, verify_eddsa_rdfc, EddsaSigning};
use credence::verify::signed::SafeMode;
use credence::verify::verify_rdfc_proof;
use criterion::Criterion;
use serde_json::json;
use ssi::claims::jws::{sign_bytes, verify_bytes};
use ssi::jwk::Algorithm;
use ssi::verification_methods::ProofPurpose;
use tokio::runtime::Runtime;

/// Distinct signed documents cycled through by the first verify bench:
/// more than the verifier's expansion memo keeps (two entries each).
const DISTINCT: usize = 300;

/// Runs the `eddsa` and `raw_ed25519` groups.
pub fn run(c: &mut Criterion, rt: &Runtime) {
    let key = ssi::JWK::generate_ed25519().expect("key");
    let did = ssi::dids::DIDKey::generate(&key).expect("did").to_string();
    let method = ssi::dids::DIDKey::generate_url(&key)
        .expect("url")
        .to_string();
    let loader = credence::model::context_loader_with(Default::default());
    let controller = rt.block_on(resolve_local(&did)).expect("did:key");
    // The shape of an AgentCredential's unsecured part: 12 claims.
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://ns.credence.dev/v1"],
        "type": ["VerifiableCredential", "AgentCredential"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {
            "id": did,
            "organization": "Acme Corp",
            "owner": "Acme Finance",
            "purpose": "reconcile invoices",
            "capabilities": ["invoices.read", "reports.read"],
        },
    });
    let signing = EddsaSigning {
        key: &key,
        method: &method,
        controller: controller.clone(),
        purpose: ProofPurpose::Assertion,
        binding: None,
        created: None,
        expires: None,
    };
    let signed = rt
        .block_on(sign_eddsa_rdfc(doc.clone(), signing.clone(), &loader))
        .expect("signed");
    // Distinct documents (another credential id each), more than the
    // verifier keeps expansions of: every verification expands afresh.
    let distinct: Vec<_> = (0..DISTINCT)
        .map(|i| {
            let mut d = doc.clone();
            d["id"] = json!(format!("urn:uuid:bench-{i}"));
            rt.block_on(sign_eddsa_rdfc(d, signing.clone(), &loader))
                .expect("signed")
        })
        .collect();
    let now = chrono::Utc::now();
    // The verifier's path: its own expansion from processed contexts
    // (kept warm across calls, as in a running verifier), ssi's RDFC-1.0
    // and Ed25519; each iteration a document not seen before.
    let safe = SafeMode::new(loader.clone());
    let method = signed["proof"]["verificationMethod"].as_str().expect("vm");
    let method = authorized_in(&controller, method, "assertionMethod").expect("authorized");
    let mut g = c.benchmark_group("eddsa");
    let mut next = distinct.iter().cycle();
    g.bench_function("rdfc_2022_verify", |b| {
        b.iter(|| {
            let document = next.next().expect("cycle");
            let r = rt.block_on(verify_rdfc_proof(document, &method, &safe));
            assert!(r.is_ok());
        })
    });
    // The same document again (a credential presented again): its
    // expansions are kept.
    g.bench_function("rdfc_2022_verify_again", |b| {
        b.iter(|| {
            let r = rt.block_on(verify_rdfc_proof(&signed, &method, &safe));
            assert!(r.is_ok());
        })
    });
    // ssi's own suite verification (contexts processed on every call).
    g.bench_function("rdfc_2022_verify_ssi", |b| {
        b.iter(|| {
            let r = rt.block_on(verify_eddsa_rdfc(&signed, controller.clone(), &loader, now));
            assert!(r.is_ok());
        })
    });
    g.finish();

    // proofHash || docHash: what eddsa-rdfc-2022 actually signs.
    let data = [9u8; 64];
    let sig = sign_bytes(Algorithm::EdDSA, &data, &key).expect("sign");
    let public = key.to_public();
    let mut g = c.benchmark_group("raw_ed25519");
    g.bench_function("verify", |b| {
        b.iter(|| verify_bytes(Algorithm::EdDSA, &data, &public, &sig))
    });
    g.bench_function("sign", |b| {
        b.iter(|| sign_bytes(Algorithm::EdDSA, &data, &key))
    });
    g.finish();
}
