//! The wallet store at scale: `cargo bench -p credence-store --bench wallet_100k [-- N]`.
//!
//! Fills a store with N (default 100 000) credential-sized records in the
//! wallet's own layout — sealed body (~2 KiB), sealed summary, blind index
//! entries by type and issuer, one atomic batch each — and prints: open time
//! (Argon2id at the default cost, then sled), insert rate (durable single
//! commits, and batched), get latency, list-by-type latency (index scan plus
//! opening each summary, as `Wallet::list` does), export and restore time,
//! and peak memory.

use credence_store::{Batch, KdfParams, Space, Store, Unlock};
use rand::seq::SliceRandom;
use rand::Rng;
use std::time::{Duration, Instant};

const TYPES: usize = 10;

fn id(i: usize) -> String {
    format!(
        "{:032x}",
        (i as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    )
}

fn body(i: usize) -> Vec<u8> {
    format!(
        r#"{{"@context":["https://www.w3.org/ns/credentials/v2","https://ns.credence.dev/v1"],"type":["VerifiableCredential","Type{t}"],"issuer":"did:key:zUC7issuer{iss}","validFrom":"2026-01-01T00:00:00Z","validUntil":"2027-01-01T00:00:00Z","credentialSubject":{{"id":"did:key:z6Mkagent","organization":"Acme Corp","n":{i}}},"proof":{{"type":"DataIntegrityProof","cryptosuite":"bbs-2023","proofValue":"u{pad}"}}}}"#,
        t = i % TYPES,
        iss = i % 3,
        pad = "A".repeat(1500)
    )
    .into_bytes()
}

fn stage(batch: &mut Batch, i: usize) {
    let id = id(i);
    let meta = format!(
        r#"{{"id":"{id}","types":["VerifiableCredential","Type{}"],"issuer":"did:key:zUC7issuer{}","valid_until":"2027-01-01T00:00:00Z"}}"#,
        i % TYPES,
        i % 3
    );
    batch.put(Space::Credentials, &id, &body(i)).expect("seal");
    batch
        .put(Space::CredentialMeta, &id, meta.as_bytes())
        .expect("seal");
    batch
        .index(&format!("type:Type{}", i % TYPES), &id)
        .expect("seal");
    batch
        .index(&format!("issuer:did:key:zUC7issuer{}", i % 3), &id)
        .expect("seal");
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p) as usize]
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("wallet");
    let unlock = Unlock::passphrase("benchmark passphrase");
    println!(
        "wallet store benchmark: {n} credentials in {}",
        dir.display()
    );

    let store = Store::create(&dir, &unlock, KdfParams::default()).expect("create");
    // Durable single inserts: one atomic batch and fsyncs per credential.
    let single = 2_000.min(n);
    let t = Instant::now();
    for i in 0..single {
        let mut batch = store.batch();
        stage(&mut batch, i);
        store.commit(batch).expect("commit");
    }
    let single_rate = single as f64 / t.elapsed().as_secs_f64();
    println!("insert, durable one at a time: {single_rate:>9.0} credentials/s ({single} inserts)");

    // The rest in batches of 1 000 (what an import of many would use).
    let t = Instant::now();
    let mut done = single;
    while done < n {
        let end = (done + 1_000).min(n);
        let mut batch = store.batch();
        for i in done..end {
            stage(&mut batch, i);
        }
        store.commit(batch).expect("commit");
        done = end;
        if done % 20_000 == 0 {
            eprintln!("  … {done} stored");
        }
    }
    if n > single {
        let rate = (n - single) as f64 / t.elapsed().as_secs_f64();
        println!(
            "insert, batches of 1000:       {rate:>9.0} credentials/s ({} inserts)",
            n - single
        );
    }
    drop(store);
    let size: u64 = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "on disk:                        {:>9.1} MiB",
        size as f64 / 1048576.0
    );

    // The KDF's share: opening an empty wallet with the same cost.
    let empty = tmp.path().join("empty");
    drop(Store::create(&empty, &unlock, KdfParams::default()).expect("create"));
    let t = Instant::now();
    drop(Store::open(&empty, &unlock).expect("open"));
    println!(
        "open an empty wallet (≈ Argon2id 64 MiB, 3 passes): {:>5.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let store = Store::open(&dir, &unlock).expect("open");
    println!(
        "open this wallet:               {:>9.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut rng = rand::thread_rng();
    let mut ids: Vec<usize> = (0..n).collect();
    ids.shuffle(&mut rng);
    let mut gets = Vec::with_capacity(10_000);
    for &i in ids.iter().take(10_000) {
        let t = Instant::now();
        let v = store
            .get(Space::Credentials, &id(i))
            .expect("get")
            .expect("present");
        gets.push(t.elapsed());
        assert_eq!(v.len(), body(i).len());
    }
    let mean = gets.iter().sum::<Duration>() / gets.len() as u32;
    println!(
        "get (random, opened):           {:>9.1} µs mean, {:.1} µs p99",
        mean.as_secs_f64() * 1e6,
        percentile(&mut gets, 0.99).as_secs_f64() * 1e6
    );

    let mut lists = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let t = rng.gen_range(0..TYPES);
        let start = Instant::now();
        let hits = store.indexed(&format!("type:Type{t}")).expect("index");
        for h in &hits {
            store
                .get(Space::CredentialMeta, h)
                .expect("meta")
                .expect("present");
        }
        lists.push(start.elapsed());
        found = hits.len();
    }
    let mean = lists.iter().sum::<Duration>() / lists.len() as u32;
    println!(
        "list by type ({found} of {n}):  {:>9.1} ms mean over 5 types",
        mean.as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let all = store.list(Space::CredentialMeta).expect("list").len();
    println!(
        "list all summaries ({all}):     {:>9.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let export_path = tmp.path().join("wallet.export");
    let t = Instant::now();
    let mut out =
        std::io::BufWriter::new(std::fs::File::create(&export_path).expect("export file"));
    let summary = store
        .export(&mut out, &unlock, KdfParams::default())
        .expect("export");
    drop(out);
    println!(
        "export:                         {:>9.0} ms ({} records, {:.1} MiB)",
        t.elapsed().as_secs_f64() * 1e3,
        summary.records,
        summary.bytes as f64 / 1048576.0
    );
    let t = Instant::now();
    let mut input =
        std::io::BufReader::new(std::fs::File::open(&export_path).expect("export file"));
    let (restored, _) =
        Store::restore(&mut input, tmp.path().join("restored"), &unlock).expect("restore");
    println!(
        "restore:                        {:>9.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(restored.count(Space::Credentials), n);
    println!(
        "peak memory (VmHWM):            {:>9.0} MiB",
        peak_rss_mib()
    );
}
