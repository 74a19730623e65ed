//! `tntc image build` end to end with the real static host (`tntc-host` built with the `pod`
//! profile for x86_64-unknown-linux-musl; `.ci/run` builds it), the real registry (Debian's
//! `docker-registry` on 127.0.0.1), skopeo and umoci to pull and unpack, and gVisor's
//! `runsc` to run the image read-only as 65534 with an example's bundle at /app/workflow.
//!
//! Without one of them the test is skipped with the reason printed; with `CI` set it fails
//! instead (`.ci/run` and `scripts/setup` provide every one).

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

use super::{stderr, stdout};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "0" | "false"))
}

/// Prints why the calling test is skipped (or panics in CI) and returns `None`.
pub(super) fn skip<T>(reason: &str) -> Option<T> {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    assert!(
        !in_ci(),
        "{test} cannot run: {reason} (in CI this fails the test)"
    );
    let _ = writeln!(std::io::stderr(), "skipped {test}: {reason}");
    None
}

pub(super) fn program(name: &str, install: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .or_else(|| skip(&format!("{name} not found: run scripts/setup ({install})")))
}

/// The static host `.ci/run` builds: `<target>/x86_64-unknown-linux-musl/pod/tntc-host`.
pub fn musl_host() -> Option<PathBuf> {
    let target = Path::new(env!("CARGO_BIN_EXE_tntc")).parent()?.parent()?;
    let host = target.join("x86_64-unknown-linux-musl/pod/tntc-host");
    if host.is_file() {
        Some(host)
    } else {
        skip(&format!(
            "{} is not built: `cargo build --locked --profile pod --target x86_64-unknown-linux-musl -p tntc-host` (.ci/run does)",
            host.display()
        ))
    }
}

pub(super) fn run_ok(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `tntc image build ARGS -o json` in `cwd`, with `HOME` there (no real credentials).
pub fn image_build(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(["-o", "json", "image", "build"])
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tntc")
}

pub(super) use crate::registry_server::start_registry;

/// `POST /run` with `body` on 127.0.0.1:`port`: status and body, `None` if not connected.
pub(super) fn post_run(port: u16, body: &str) -> Option<(u16, Vec<u8>)> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "POST /run HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let at = answer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut body = answer[at..].to_vec();
    if text
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Some((status, body))
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 4 + size..];
    }
}

/// The bundle of examples/word-count, built by the real `tntc build` into a temp dir.
pub(super) fn word_count_bundle(into: &Path) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/word-count");
    let dist = into.join("dist");
    let out = super::tntc_cached(
        into,
        &[
            "build",
            example.to_str().unwrap(),
            "--out",
            dist.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    dist
}

#[test]
fn image_build_writes_a_layout_that_builds_the_same_twice_and_saves_its_tag() {
    let Some(host) = musl_host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--host-binary",
        host.to_str().unwrap(),
        "--tag",
        "example.test/acme/tntc-host:dev",
    ];
    let first = image_build(dir.path(), &args);
    assert!(first.status.success(), "{}", stderr(&first));
    let first: Value = serde_json::from_str(&stdout(&first)).unwrap();
    let again = image_build(dir.path(), &args);
    assert!(again.status.success(), "{}", stderr(&again));
    let again: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(first["digest"], again["digest"], "two builds, two digests");
    assert_eq!(first["blobs"], again["blobs"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".tentacular/base-image.txt")).unwrap(),
        "example.test/acme/tntc-host:dev\n"
    );
    assert_eq!(first["layout"], ".tentacular/image");
    let size = first["size"].as_u64().unwrap();
    eprintln!(
        "image size: {size} bytes compressed ({:.1} MiB)",
        size as f64 / 1048576.0
    );

    // `tntc deploy` takes the saved tag.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/word-count");
    let deploy = super::tntc_cached(
        dir.path(),
        &[
            "-o",
            "json",
            "deploy",
            example.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(deploy.status.success(), "{}", stderr(&deploy));
    assert!(stdout(&deploy).contains("\"image\": \"example.test/acme/tntc-host:dev\""));
}

#[test]
fn a_dynamically_linked_host_is_refused_with_how_to_build_a_static_one() {
    let dir = tempfile::tempdir().unwrap();
    let glibc_host = Path::new(env!("CARGO_BIN_EXE_tntc")).with_file_name("tntc-host");
    let out = image_build(dir.path(), &["--host-binary", glibc_host.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    let error = stdout(&out);
    assert!(
        error.contains("is dynamically linked")
            && error.contains(
                "cargo build --profile pod --target x86_64-unknown-linux-musl -p tntc-host"
            ),
        "{error}"
    );
    assert!(!dir.path().join(".tentacular/base-image.txt").exists());
}
