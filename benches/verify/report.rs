//! The overhead table: criterion's mean estimates, full operation over the
//! raw cryptography it rests on.

use crate::bbs::Counts;
use crate::proof_verify;
use std::path::PathBuf;

fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("criterion")
}

/// Mean time in ms of `group/id` from this run's estimates.
fn mean_ms(id: &str) -> Option<f64> {
    let path = criterion_dir().join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64().map(|ns| ns / 1e6)
}

fn ms(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.3}"))
}

fn row(op: &str, full: Option<f64>, raw_label: &str, raw: Option<f64>) {
    let ratio = match (full, raw) {
        (Some(f), Some(r)) if r > 0.0 => format!("{:.2}", f / r),
        _ => "n/a".into(),
    };
    println!(
        "| {op} | {} | {raw_label} | {} | {ratio} |",
        ms(full),
        ms(raw)
    );
}

/// Prints the overhead table (markdown) to standard output.
pub fn print(counts: &[Counts], full: Counts) {
    println!();
    println!("## Overhead: Credence operation / raw cryptography (mean, ms)");
    println!();
    println!("| operation | ms | raw cryptography | ms | overhead |");
    println!("|---|---:|---|---:|---:|");
    for k in counts {
        let n = k.claims;
        let shape = format!("{} msgs/{} shown", k.messages, k.disclosed);
        row(
            &format!("bbs-2023 sign, {n} claims"),
            mean_ms(&format!("bbs2023/sign/{n}")),
            &format!("BBS Sign, {} msgs", k.messages),
            mean_ms(&format!("raw_bbs/sign/{n}")),
        );
        row(
            &format!("bbs-2023 derive, {n} claims"),
            mean_ms(&format!("bbs2023/derive/{n}")),
            &format!("BBS ProofGen, {shape}"),
            mean_ms(&format!("raw_bbs/proof_gen/{n}")),
        );
        row(
            &format!("bbs-2023 verify, {n} claims"),
            mean_ms(&format!("bbs2023/verify/{n}")),
            &format!("BBS ProofVerify, {shape}"),
            mean_ms(&format!("raw_bbs/proof_verify/{n}")),
        );
    }
    let bbs_raw = mean_ms("raw_bbs/proof_verify/10");
    row(
        "bbs-2023 verify, 10 claims, verifier's expansion",
        mean_ms("bbs2023/verify_verifier/10"),
        "BBS ProofVerify (zkryptium), same shape",
        bbs_raw,
    );
    row(
        "bbs-2023 verify, 10 claims, verifier's expansion, same credential again",
        mean_ms("bbs2023/verify_verifier_again/10"),
        "BBS ProofVerify (zkryptium), same shape",
        bbs_raw,
    );
    let ed_verify = mean_ms("raw_ed25519/verify");
    let ed_sign = mean_ms("raw_ed25519/sign");
    row(
        "eddsa-rdfc-2022 verify",
        mean_ms("eddsa/rdfc_2022_verify"),
        "Ed25519 verify",
        ed_verify,
    );
    row(
        "eddsa-rdfc-2022 verify, the same document again",
        mean_ms("eddsa/rdfc_2022_verify_again"),
        "Ed25519 verify",
        ed_verify,
    );
    row(
        "eddsa-rdfc-2022 verify, ssi's suite (contexts processed per call)",
        mean_ms("eddsa/rdfc_2022_verify_ssi"),
        "Ed25519 verify",
        ed_verify,
    );
    let bbs = mean_ms("raw_bbs/proof_verify/agent_credential");
    let raw_full = match (bbs, ed_verify, ed_sign) {
        (Some(b), Some(v), Some(s)) => Some(b + v + s),
        _ => None,
    };
    row(
        "verify-and-mint (bbs-2023 VP → token)",
        mean_ms("full/verify_and_mint"),
        &format!(
            "BBS ProofVerify ({} msgs/{} shown) + Ed25519 verify + Ed25519 sign",
            full.messages, full.disclosed
        ),
        raw_full,
    );
    let two_ed = ed_verify.map(|v| 2.0 * v);
    row(
        "SD-JWT VC verify (every RFC 9901 check, KB-JWT)",
        mean_ms("sd_jwt/verify"),
        "2 Ed25519 verifies",
        two_ed,
    );
    let raw_sd = match (ed_verify, ed_sign) {
        (Some(v), Some(s)) => Some(2.0 * v + s),
        _ => None,
    };
    row(
        "verify-and-mint (SD-JWT VC + KB-JWT → token)",
        mean_ms("sd_jwt/verify_and_mint"),
        "2 Ed25519 verifies + Ed25519 sign",
        raw_sd,
    );
    println!();
    println!(
        "| resolution | ms |\n|---|---:|\n| did:key | {} |\n| did:web (cached) | {} |",
        ms(mean_ms("resolve/did_key")),
        ms(mean_ms("resolve/did_web_cached"))
    );
}

/// Prints BBS ProofVerify on the blst path against zkryptium (markdown).
pub fn print_proof_verify() {
    println!();
    println!("## BBS ProofVerify: blst path / zkryptium (mean, ms)");
    println!();
    println!("| messages / disclosed | blst path | zkryptium | zkryptium / blst |");
    println!("|---|---:|---:|---:|");
    for n in proof_verify::SIZES {
        let blst = mean_ms(&format!("proof_verify/blst/{n}"));
        let zk = mean_ms(&format!("proof_verify/zkryptium/{n}"));
        let ratio = match (blst, zk) {
            (Some(b), Some(z)) if b > 0.0 => format!("{:.1}×", z / b),
            _ => "n/a".into(),
        };
        println!(
            "| {n} / {} | {} | {} | {ratio} |",
            proof_verify::disclosed(n),
            ms(blst),
            ms(zk)
        );
    }
}
