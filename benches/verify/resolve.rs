//! did:key resolution (computed, no I/O) and did:web resolution served
//! from the verifier's cache (the first fetch goes to a loopback server).

use credence::bbs2023::BbsKeyPair;
use credence::did::{resolve_local, ResolveDid};
use credence::did::{CacheConfig, DidResolver, FetchLimits};
use credence::issuer::Issuer;
use criterion::Criterion;
use tokio::runtime::Runtime;

/// Runs the `resolve` group.
pub fn run(c: &mut Criterion, rt: &Runtime) {
    let key = ssi::JWK::generate_ed25519().expect("key");
    let did = ssi::dids::DIDKey::generate(&key).expect("did").to_string();

    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("loopback port");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let issuer = Issuer::web(
        &origin,
        BbsKeyPair::generate().expect("BBS key"),
        ssi::JWK::generate_ed25519().expect("status key"),
    )
    .expect("did:web issuer");
    let doc = issuer.did_document().expect("document");
    let router = axum::Router::new().route(
        "/.well-known/did.json",
        axum::routing::get(move || {
            let doc = doc.clone();
            async move { axum::Json(doc) }
        }),
    );
    rt.spawn(async move { axum::serve(listener, router).await });
    let resolver = DidResolver::new(
        FetchLimits::default(),
        CacheConfig {
            ttl: std::time::Duration::from_secs(3600),
            capacity: 16,
        },
    );
    let web = issuer.did().to_owned();
    rt.block_on(resolver.resolve_did(&web))
        .expect("the first did:web fetch");

    let mut g = c.benchmark_group("resolve");
    g.bench_function("did_key", |b| b.iter(|| rt.block_on(resolve_local(&did))));
    g.bench_function("did_web_cached", |b| {
        b.iter(|| {
            let r = rt.block_on(resolver.resolve_did(&web));
            assert!(r.is_ok());
        })
    });
    g.finish();
}
