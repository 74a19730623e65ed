//! `tntc-host --baked-cache`: a read-only compiled-code cache (the one `tntc image build`
//! bakes into the image) is mapped and never written; what it lacks is compiled into
//! `--cache-dir`, and a baked cache that has nothing for this host build is said once.

use std::io::Read as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{stderr, tntc_cached};

fn host_binary() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_tntc")).with_file_name("tntc-host")
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Starts the host on the word-count bundle in `dir`, waits for one `/run` answer, stops it,
/// and returns its stderr.
fn serve_once(dir: &Path, baked: &Path, cache: &Path) -> String {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/word-count");
    let dist = dir.join("dist");
    if !dist.exists() {
        let built = tntc_cached(
            dir,
            &[
                "build",
                example.to_str().unwrap(),
                "--out",
                dist.to_str().unwrap(),
            ],
        );
        assert!(built.status.success(), "{}", stderr(&built));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let mut child = Command::new(host_binary())
        .arg("--workflow")
        .arg(dist.join("workflow.yaml"))
        .args(["--port", &port.to_string(), "--listen", "127.0.0.1"])
        .arg("--baked-cache")
        .arg(baked)
        .arg("--cache-dir")
        .arg(cache)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tntc-host");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if ready {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("tntc-host exited with {status}");
        }
        assert!(Instant::now() < deadline, "tntc-host did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    err
}

#[test]
fn a_read_only_baked_cache_gives_the_runtime_and_only_the_nodes_are_compiled_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let baked = dir.path().join("baked");
    let prepared = Command::new(host_binary())
        .arg("--prepare")
        .arg("--cache-dir")
        .arg(&baked)
        .output()
        .unwrap();
    assert!(
        prepared.status.success(),
        "{}",
        String::from_utf8_lossy(&prepared.stderr)
    );
    assert!(String::from_utf8_lossy(&prepared.stdout).contains("runtime built"));
    let baked_files = names(&baked);
    assert!(
        baked_files.len() == 1 && baked_files[0].starts_with("runtime-"),
        "{baked_files:?}"
    );
    // As in the image: the entry read-only for everyone, the directory not writable.
    for entry in std::fs::read_dir(&baked).unwrap().flatten() {
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(&baked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = std::fs::metadata(baked.join(&baked_files[0]))
        .unwrap()
        .modified()
        .unwrap();

    let cache = dir.path().join("cache");
    let log = serve_once(dir.path(), &baked, &cache);
    assert!(log.contains("runtime mapped from the baked cache"), "{log}");
    assert!(!log.contains("baked cache was not used"), "{log}");
    assert_eq!(names(&baked), baked_files, "the baked cache was written");
    let after = std::fs::metadata(baked.join(&baked_files[0]))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "the baked entry was touched");
    let compiled = names(&cache);
    assert!(
        !compiled.is_empty() && compiled.iter().all(|n| n.starts_with("node-")),
        "only the nodes go to --cache-dir: {compiled:?}"
    );
}

#[test]
fn a_baked_cache_without_this_builds_runtime_is_said_once_and_the_runtime_goes_to_the_cache_dir() {
    let dir = tempfile::tempdir().unwrap();
    let baked = dir.path().join("baked");
    std::fs::create_dir_all(&baked).unwrap();
    std::fs::write(baked.join("runtime-0000.cwasm"), b"from another build").unwrap();
    let cache = dir.path().join("cache");
    let log = serve_once(dir.path(), &baked, &cache);
    assert_eq!(log.matches("baked cache was not used").count(), 1, "{log}");
    assert!(
        log.contains("it has no runtime for this tntc-host build"),
        "{log}"
    );
    assert!(
        names(&cache).iter().any(|n| n.starts_with("runtime-")),
        "{:?}",
        names(&cache)
    );
}
