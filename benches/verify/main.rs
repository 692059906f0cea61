//! Criterion benchmarks of Credence's verification path against the raw
//! cryptography underneath it (`cargo bench`, docs/performance.md):
//!
//! * bbs-2023 sign / derive / verify at 10, 20 and 100 claims, and the BBS
//!   backend's own Sign / ProofGen / ProofVerify with the same message and
//!   disclosure counts;
//! * eddsa-rdfc-2022 verify, and one Ed25519 verify / sign;
//! * did:key resolution, cached did:web resolution;
//! * the full verify-and-mint of a bbs-2023 presentation, and of an SD-JWT
//!   VC presentation (with its KB-JWT), beside the raw SD-JWT verify;
//! * BBS ProofVerify alone, the blst path against zkryptium
//!   (`cargo bench --bench verify -- '^proof_verify/'`).
//!
//! After the runs it prints the overhead ratios (full operation / raw
//! cryptography) and the blst / zkryptium ProofVerify ratios from
//! criterion's estimates.

mod bbs;
mod eddsa;
mod full;
mod proof_verify;
mod report;
mod resolve;
mod sd_jwt;

/// The allocator the service runs on (see the workspace Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::Criterion;
use std::time::Duration;

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let counts = bbs::run(&mut c, &rt);
    eddsa::run(&mut c, &rt);
    resolve::run(&mut c, &rt);
    let full_counts = full::run(&mut c, &rt);
    sd_jwt::run(&mut c, &rt);
    proof_verify::run(&mut c);
    c.final_summary();
    report::print(&counts, full_counts);
    report::print_proof_verify();
}
