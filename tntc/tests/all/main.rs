//! End-to-end tests: run the real `tntc` binary the way a user does.

mod baked_cache;
mod bench;
mod build;
mod cluster_e2e;
mod configure;
mod deploy;
mod dev;
// The registry the image tests push to, and the skip-or-fail rule it finds its program by:
// the same files as the tests of tntc-host and tntc-image.
#[path = "../../../host/tests/all/external_programs.rs"]
mod external_programs;
mod host_e2e;
mod image;
mod image_gvisor;
mod init;
mod json_output;
#[path = "../../../deploy/image/tests/all/registry_server.rs"]
mod registry_server;
mod run;
mod secrets;
mod secrets_init;
mod test;
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

/// The runtime cache shared by every test (the first test pays the runtime's compile).
pub fn cache_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("tntc-cache")
}

/// Runs `tntc` with the shared runtime cache.
pub fn tntc_cached(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("TNTC_CACHE_DIR", cache_dir())
        .output()
        .expect("run tntc")
}

/// Runs `tntc` with `args` in `cwd`, with `HOME` set to `home` (never the real one).
pub fn tntc_home(cwd: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("TNTC_CACHE_DIR", cache_dir())
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

/// Writes `contents` to `rel` below `dir`, creating directories.
pub fn write(dir: &Path, rel: &str, contents: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, contents).expect("write");
}

/// A scratch directory holding a copy of `examples/<name>` (without its `dist/`).
pub fn copy_example(name: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                if entry.file_name() != "dist" {
                    copy(&entry.path(), &target);
                }
            } else {
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("tmp");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    copy(&examples.join(name), &dir.path().join(name));
    dir
}

/// `tntc test` output with its timings replaced: `  12.3 ms` becomes ` [ms]`, a final
/// ` in 0.42s` becomes ` in [time]`.
pub fn without_timings(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        if let Some(at) = line.rfind(" ms") {
            let head = &line[..at];
            let number = head.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
            if number.len() < head.len() {
                line = format!("{} [ms]{}", number.trim_end(), &line[at + 3..]);
            }
        }
        if let Some(at) = line.rfind(" in ") {
            let tail = &line[at + 4..];
            if tail
                .strip_suffix('s')
                .is_some_and(|n| n.parse::<f64>().is_ok())
            {
                line = format!("{} in [time]", &line[..at]);
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
