//! Runs the `credence` binary as a user would, for the CLI test files.

use std::process::{Command, Stdio};

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
