//! SD-JWT VC verify-and-mint: an AgentCredential SD-JWT VC (issued by a
//! did:web issuer, imported by a real wallet) presented with a KB-JWT and
//! exchanged for a token — issuer trust, did:web key (cached document),
//! issuer signature, Disclosures, KB-JWT, holder did:key, policy, mint —
//! and the raw SD-JWT verify (every RFC 9901 check with the KB-JWT) and
//! one Ed25519 verify beside it.

use credence::bbs2023::BbsKeyPair;
use credence::did::KnownDocuments;
use credence::issuer::Issuer;
use credence::model::{agent_sd_jwt_query, AgentProfile};
use credence::sdjwt::{KeyBindingCheck, SdJwt, VerifyOptions, SD_JWT_VC_TYP};
use credence::verify::{TokenIssuer, TrustPolicy, Verifier};
use credence::wallet::{HolderPolicy, KdfParams, Unlock, Wallet};
use criterion::{BatchSize, Criterion};
use std::sync::Arc;
use tokio::runtime::Runtime;

const VERIFIER: &str = "https://verifier.globex.example";
const API: &str = "https://api.globex.example";
const CLAIMS: &[&str] = &["organization", "capabilities"];

/// Runs the `sd_jwt` group.
pub fn run(c: &mut Criterion, rt: &Runtime) {
    let dir = tempfile::tempdir().expect("tempdir");
    let assertion = ssi::JWK::generate_ed25519().expect("key");
    let issuer = Issuer::web(
        "https://issuer.acme.example",
        BbsKeyPair::generate().expect("BBS key"),
        assertion.clone(),
    )
    .expect("issuer");
    let known = Arc::new(KnownDocuments::one(
        issuer.did_document().expect("DID document"),
    ));
    let wallet = Wallet::create(
        dir.path().join("agent"),
        &Unlock::passphrase("bench"),
        KdfParams::minimal(),
    )
    .expect("wallet")
    .with_resolver(known.clone());
    wallet
        .set_holder_policy(&HolderPolicy::default().allow_domain("*.globex.example", CLAIMS))
        .expect("holder policy");
    let now = chrono::Utc::now();
    let credential = rt
        .block_on(issuer.issue_agent_sd_jwt(
            wallet.did(),
            &AgentProfile::sample(),
            now - chrono::Duration::minutes(1),
            now + chrono::Duration::days(30),
            None,
        ))
        .expect("credential");
    rt.block_on(wallet.import_sd_jwt(&credential))
        .expect("import");
    let policy = TrustPolicy::from_toml(&format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"Acme\"\ncredential_types = [\"AgentCredential\"]\n\
         formats = [\"dc+sd-jwt\"]\nrequire_status = false\n\n\
         [[rule]]\ncredential_type = \"AgentCredential\"\nclaim = \"capabilities\"\nequals = \"invoices.read\"\n\
         scope = \"invoices:read\"\naudience = \"{API}\"\nttl_secs = 300\n",
        issuer.did()
    ))
    .expect("policy");
    let verifier = Verifier::new(VERIFIER, policy).with_resolver(known);
    let tokens = TokenIssuer::new(&verifier, ssi::JWK::generate_ed25519().expect("key"));
    let present = || {
        let request = rt
            .block_on(verifier.create_request_for(agent_sd_jwt_query(CLAIMS)))
            .expect("a valid query");
        let text = rt
            .block_on(wallet.present_sd_jwt(&request))
            .expect("presentation");
        (text, request.nonce)
    };
    let mut g = c.benchmark_group("sd_jwt");
    g.bench_function("verify_and_mint", |b| {
        b.iter_batched(
            present,
            |(text, _)| {
                let token = rt.block_on(async {
                    let verified = verifier.verify_sd_jwt_presentation(&text).await?;
                    tokens.mint(verified, API).await
                });
                assert!(token.is_ok(), "{token:?}");
            },
            BatchSize::PerIteration,
        )
    });
    let (text, nonce) = present();
    let sd = SdJwt::parse(&text).expect("parses");
    let options = VerifyOptions {
        typ: vec![SD_JWT_VC_TYP.into()],
        now: chrono::Utc::now().timestamp(),
        max_ahead: 60,
        key_binding: Some(KeyBindingCheck {
            nonce,
            audience: VERIFIER.into(),
            now: chrono::Utc::now().timestamp(),
            max_age: 3600,
            max_ahead: 60,
        }),
    };
    let public = assertion.to_public();
    g.bench_function("verify", |b| {
        b.iter(|| sd.verify(&public, &options).expect("verifies"))
    });
    g.finish();
}
