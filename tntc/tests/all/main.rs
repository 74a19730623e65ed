//! End-to-end tests: run the real `tntc` binary the way a user does.

mod configure;
mod init;
mod secrets;
mod secrets_init;
mod validate;
mod visualize;

use std::path::Path;
use std::process::{Command, Output};

/// Runs `tntc` with `args` in `cwd`, without colors.
pub fn tntc(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tntc")
}

/// Runs `tntc` with `args` in `cwd`, with `HOME` set to `home` (never the real one).
pub fn tntc_home(cwd: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .output()
        .expect("run tntc")
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout parsed as JSON.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)))
}

/// A scratch directory with a freshly initialised workflow `name`.
pub fn initialised(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["init", name]);
    assert!(out.status.success(), "init failed: {}", stderr(&out));
    dir
}
