//! Runs the `credence` binary as a user would, for the CLI test files.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Runs `credence ARGS` with extra environment variables and no stdin;
/// returns (exit code, stdout, stderr).
pub fn credence_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `credence ARGS`; returns (exit code, stdout, stderr).
#[allow(dead_code)] // not every test file runs without environment
pub fn credence(args: &[&str]) -> (i32, String, String) {
    credence_env(args, &[])
}

/// A child process killed when the test ends, however it ends.
#[allow(dead_code)] // not every test file starts servers
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `credence verifier serve` on a free loopback port with `policy`
/// and state in `dir`; returns it with its URL (from its first line).
#[allow(dead_code)] // not every test file starts servers
pub fn serve_verifier(dir: &Path, policy: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .args(["verifier", "serve", "--listen", "127.0.0.1:0"])
        .arg("--policy")
        .arg(policy)
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = serde_json::from_str::<serde_json::Value>(&line).unwrap()["listening"]
        .as_str()
        .unwrap()
        .to_owned();
    (Running(child), url)
}
