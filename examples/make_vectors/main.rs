//! Regenerates `vectors/`, Credence's conformance set for integrators of
//! `credence-verify`, from fixed keys and a fixed clock:
//!
//!     cargo run --release --example make_vectors [-- --out vectors]
//!
//! Every key comes from a seeded RNG, every validity window and the
//! verifier clock are fixed, and so are the `created` times of the
//! Ed25519 proofs. One thing differs between runs by design: the derived
//! BBS proof (ProofGen blinds with fresh randomness, which zkryptium's
//! public API does not let a caller fix); it changes no outcome.

mod cases;
mod fixtures;
mod open_cases;
mod signed_cases;

use clap::Parser;
use std::path::PathBuf;

/// Regenerate the conformance vectors.
#[derive(Parser)]
struct Args {
    /// Output folder (its `cases/` is replaced).
    #[arg(long, default_value = "vectors")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let cases_dir = args.out.join("cases");
    if cases_dir.exists() {
        std::fs::remove_dir_all(&cases_dir)?;
    }
    let fx = fixtures::Fixtures::new().await?;
    let all = cases::build(&fx).await?;
    for (i, case) in all.iter().enumerate() {
        case.write(&cases_dir)?;
        eprintln!("[{:>2}/{}] {}", i + 1, all.len(), case.name);
    }
    std::fs::write(
        args.out.join("keys.json"),
        serde_json::to_string_pretty(&fx.public_summary())?,
    )?;
    eprintln!("wrote {} cases to {}", all.len(), cases_dir.display());
    Ok(())
}
