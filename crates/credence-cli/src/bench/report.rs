//! What the bench prints, and whether the run passed: no refusal other
//! than load shedding (429/503), and an audit entry for every token.

use super::load::{Mode, Outcomes};
use crate::common::{err, CliError};
use std::time::Duration;

/// (VmRSS, VmHWM) in KiB, when /proc tells.
pub type Rss = Option<(u64, u64)>;

pub struct Report<'a> {
    pub mode: Mode,
    pub replicas: usize,
    pub state: &'a str,
    pub elapsed: Duration,
    pub used_up: bool,
    pub outcomes: &'a Outcomes,
    /// Per replica: (VmRSS, VmHWM) in KiB at the start and at the end.
    pub rss: Vec<(Rss, Rss)>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A refusal that is the service protecting itself, not an error.
fn is_shed(key: &str) -> bool {
    key.starts_with("503 ") || key.starts_with("429 ")
}

impl Report<'_> {
    pub fn print(&self) {
        let load = match self.mode {
            Mode::Clients(n) => format!("{n} clients"),
            Mode::Rate(r) => format!("{r} requests/s offered"),
        };
        println!(
            "replicas {}  state {}  {load}  duration {:.1} s{}",
            self.replicas,
            self.state,
            self.elapsed.as_secs_f64(),
            if self.used_up {
                "  (presentation pool used up before the deadline)"
            } else {
                ""
            }
        );
        let mut lat = self.outcomes.minted.clone();
        lat.sort();
        println!(
            "tokens minted {}  throughput {:.1} tokens/s",
            lat.len(),
            lat.len() as f64 / self.elapsed.as_secs_f64()
        );
        println!(
            "latency p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
            ms(percentile(&lat, 50.0)),
            ms(percentile(&lat, 99.0)),
            ms(lat.last().copied().unwrap_or_default())
        );
        if self.outcomes.refused.is_empty() {
            println!("refused: none");
        }
        for (key, n) in &self.outcomes.refused {
            let kind = if is_shed(key) { "shed" } else { "REFUSED" };
            println!("{kind} {n} × {key}");
        }
        if self.outcomes.stale > 0 {
            println!(
                "not sent: {} presentations whose request expired first",
                self.outcomes.stale
            );
        }
        for (i, (start, end)) in self.rss.iter().enumerate() {
            match (start, end) {
                (Some((s, _)), Some((e, peak))) => println!(
                    "replica {i} RSS start {:.1} MiB  end {:.1} MiB  peak {:.1} MiB",
                    mib(*s),
                    mib(*e),
                    mib(*peak)
                ),
                _ => println!("replica {i} RSS unavailable (no /proc)"),
            }
        }
    }

    /// Err (exit 1) when something other than load shedding was refused,
    /// or the audit logs miss a minted token.
    pub fn verdict(&self, audited_mints: Option<usize>) -> Result<(), CliError> {
        let minted = self.outcomes.minted.len();
        if let Some(audited) = audited_mints {
            println!("audit: {audited} mint_token entries for {minted} tokens minted");
            if audited != minted {
                return Err(err(1, "the audit logs do not match the tokens minted"));
            }
        }
        let errors: usize = self
            .outcomes
            .refused
            .iter()
            .filter(|(k, _)| !is_shed(k))
            .map(|(_, n)| n)
            .sum();
        if errors > 0 {
            return Err(err(
                1,
                format!("{errors} exchanges failed (see the reasons above)"),
            ));
        }
        Ok(())
    }
}
