//! The full verifier path: a bbs-2023 AgentCredential presentation
//! (derived by a real wallet) verified — issuer trust, did:key resolution,
//! VP signature, BBS proof, validity, nonce, policy — and a token minted.

use crate::bbs::{raw, Counts};
use credence::bbs2023::{base_transform, BaseProofValue, BbsKeyPair, DerivedProofValue};
use credence::issuer::Issuer;
use credence::model::{AgentProfile, MANDATORY_POINTERS};
use credence::verify::{TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use criterion::{BatchSize, Criterion};
use serde_json::Value;
use tokio::runtime::Runtime;

const VERIFIER: &str = "https://verifier.globex.example";
const API: &str = "https://api.globex.example";
const CLAIMS: &[&str] = &["organization", "capabilities"];

fn counts(rt: &Runtime, credential: &Value, vp: &Value) -> Counts {
    let loader = credence::model::context_loader_with(Default::default());
    let base = BaseProofValue::decode(credential["proof"]["proofValue"].as_str().unwrap_or(""))
        .expect("base proof value");
    let hmac: [u8; 32] = base.hmac_key.as_slice().try_into().expect("HMAC key");
    let mut doc = credential.clone();
    doc.as_object_mut().map(|o| o.remove("proof"));
    let mandatory: Vec<String> = MANDATORY_POINTERS.iter().map(|p| p.to_string()).collect();
    let transform = rt
        .block_on(base_transform(&doc, &mandatory, &hmac, &loader))
        .expect("transform");
    let derived = &vp["verifiableCredential"][0]["proof"]["proofValue"];
    let shown = DerivedProofValue::decode(derived.as_str().unwrap_or(""))
        .expect("derived proof value")
        .selective_indexes
        .len();
    Counts {
        claims: credence::model::PROFILE_CLAIMS.len(),
        messages: transform.non_mandatory.len(),
        disclosed: shown,
    }
}

/// Runs the `full` group (and the raw BBS baseline for its counts).
pub fn run(c: &mut Criterion, rt: &Runtime) -> Counts {
    let dir = tempfile::tempdir().expect("tempdir");
    let issuer = Issuer::generate().expect("issuer");
    let wallet = Wallet::create(
        dir.path().join("agent"),
        &Unlock::passphrase("bench"),
        KdfParams::minimal(),
    )
    .expect("wallet");
    wallet
        .set_holder_policy(&HolderPolicy::default().allow_domain("*.globex.example", CLAIMS))
        .expect("holder policy");
    let now = chrono::Utc::now();
    let credential = rt
        .block_on(issuer.issue_agent_credential(
            wallet.did(),
            &AgentProfile::sample(),
            now - chrono::Duration::minutes(1),
            now + chrono::Duration::days(30),
        ))
        .expect("credential");
    rt.block_on(wallet.import(&credential)).expect("import");
    let policy = TrustPolicy::from_toml(&format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"Acme\"\ncredential_types = [\"AgentCredential\"]\nrequire_status = false\n\n\
         [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\n\
         scope = \"invoices:read\"\naudience = \"{API}\"\nttl_secs = 300\n",
        issuer.did()
    ))
    .expect("policy");
    let verifier = Verifier::new(VERIFIER, policy);
    let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519().expect("key"));
    let present = || {
        let request = rt
            .block_on(verifier.create_request_for(credence_core::agent_credential_query(CLAIMS)))
            .expect("a valid query");
        rt.block_on(wallet.present(&request)).expect("presentation")
    };
    let sample = present();
    let counts = counts(rt, &credential, &sample);

    let mut g = c.benchmark_group("full");
    g.bench_function("verify_and_mint", |b| {
        b.iter_batched(
            present,
            |vp| {
                let token = rt.block_on(tokens.exchange(&verifier, &vp, API));
                assert!(token.is_ok(), "{token:?}");
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
    raw(
        c,
        &BbsKeyPair::generate().expect("BBS key"),
        counts,
        "agent_credential",
    );
    counts
}
