//! End to end: `tntc build` writes a bundle, the real `tntc-host` binary serves it over
//! HTTP, and stops cleanly on SIGTERM. A tampered bundle keeps the host from starting.
//!
//! `tntc-host` is another package's binary, so cargo does not build it for this test: it is
//! looked up next to `tntc` in the target directory. `cargo test --workspace` builds it;
//! with `cargo test -p tntc`, run `cargo build -p tntc-host` first.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{cache_dir, stderr, tntc_cached};

/// The `tntc-host` binary next to `tntc`.
fn host_binary() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_tntc")).with_file_name("tntc-host");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p tntc-host` (or `cargo test --workspace`, which builds it)",
        path.display()
    );
    path
}

/// Builds `examples/word-count` into a fresh directory; returns it (the bundle is its root).
fn built_word_count() -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tmp");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/word-count");
    let example = example.to_string_lossy().into_owned();
    let target = out.path().to_string_lossy().into_owned();
    let built = tntc_cached(out.path(), &["build", &example, "--out", &target]);
    assert!(built.status.success(), "tntc build: {}", stderr(&built));
    out
}

/// Builds a copy of `examples/word-count` with a queue trigger and `config.nats_url: <url>`
/// (and no `nats.token` secret) into `dist/` of the returned directory.
fn built_with_queue_trigger(url: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tmp");
    let source = out.path().join("src");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/word-count");
    std::fs::create_dir_all(source.join("nodes")).expect("mkdir");
    for file in ["nodes/tokenize.ts", "nodes/count.ts", "nodes/report.ts"] {
        std::fs::copy(example.join(file), source.join(file)).expect("copy node");
    }
    let yaml = std::fs::read_to_string(example.join("workflow.yaml"))
        .expect("read workflow.yaml")
        .replace(
            "  - type: manual\n",
            "  - type: manual\n  - type: queue\n    subject: texts.new\n    name: texts\n",
        )
        .replace("  top: 3\n", &format!("  top: 3\n  nats_url: {url}\n"));
    assert!(yaml.contains("subject: texts.new") && yaml.contains("nats_url"));
    std::fs::write(source.join("workflow.yaml"), yaml).expect("write workflow.yaml");
    let bundle = out.path().join("dist").to_string_lossy().into_owned();
    let source = source.to_string_lossy().into_owned();
    let built = tntc_cached(out.path(), &["build", &source, "--out", &bundle]);
    assert!(built.status.success(), "tntc build: {}", stderr(&built));
    out
}

/// A running `tntc-host`; killed if the test ends early.
pub(super) struct Host {
    child: Child,
    pub(super) port: u16,
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn spawn_host(bundle: &Path, port: u16, cache: &Path) -> Child {
    Command::new(host_binary())
        .arg("--workflow")
        .arg(bundle.join("workflow.yaml"))
        .args(["--port", &port.to_string(), "--listen", "127.0.0.1"])
        .args(["--max-body-bytes", "4096"])
        .arg("--cache-dir")
        .arg(cache)
        .env("TNTC_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tntc-host")
}

/// Starts the host on a free port with the shared cache and waits for `/ready`.
pub(super) fn start_host(bundle: &Path) -> Host {
    start_host_with(bundle, &cache_dir())
}

/// Starts the host on a free port with `cache` as its cache directory and waits for
/// `/ready`. A port taken between choosing and binding makes the host exit; another port
/// is tried.
fn start_host_with(bundle: &Path, cache: &Path) -> Host {
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut host = Host {
            child: spawn_host(bundle, port, cache),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = host.child.try_wait().expect("poll tntc-host") {
                let err = read_all(host.child.stderr.take());
                if err.contains("cannot listen") {
                    break;
                }
                panic!("tntc-host exited with {status} before it was ready:\n{err}");
            }
            if get(port, "/ready").is_some_and(|(status, _)| status == 200) {
                return host;
            }
            assert!(Instant::now() < deadline, "tntc-host was not ready in 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no free port for tntc-host after 5 attempts");
}

fn read_all(pipe: Option<impl Read>) -> String {
    let mut text = String::new();
    if let Some(mut pipe) = pipe {
        let _ = pipe.read_to_string(&mut text);
    }
    text
}

/// One request; `None` while nothing answers. Returns the status and the body.
pub(super) fn request(port: u16, method: &str, path: &str, body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    // The server may answer (413) before reading a large body; a reset then is fine.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let status = std::str::from_utf8(&response[..split])
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, response[split + 4..].to_vec()))
}

fn get(port: u16, path: &str) -> Option<(u16, Vec<u8>)> {
    request(port, "GET", path, b"")
}

pub(super) fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("poll tntc-host") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "tntc-host did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn tntc_host_serves_a_built_bundle_and_stops_cleanly_on_sigterm() {
    let bundle = built_word_count();
    let mut host = start_host(bundle.path());
    let port = host.port;

    let (status, body) = request(port, "POST", "/run", br#"{"text": "a b a"}"#).expect("POST /run");
    let result = json_of(&body);
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["success"], true);
    assert_eq!(result["errors"], json!({}));
    assert_eq!(
        result["outputs"]["report"],
        json!({
            "total": 3,
            "unique": 2,
            "top": [{"word": "a", "count": 2}, {"word": "b", "count": 1}],
            "summary": "3 words, 2 distinct",
        })
    );
    let timings = result["timing"]["nodeTimings"]
        .as_object()
        .expect("nodeTimings");
    assert_eq!(
        timings.keys().collect::<Vec<_>>(),
        ["tokenize", "count", "report"]
    );

    let (status, body) = get(port, "/health").expect("GET /health");
    assert_eq!((status, json_of(&body)), (200, json!({"status": "ok"})));
    let (status, body) = get(port, "/nope").expect("GET /nope");
    assert_eq!(
        (status, json_of(&body)),
        (404, json!({"error": "not found"}))
    );
    let (status, body) = request(port, "POST", "/run", b"{not json").expect("bad JSON");
    assert_eq!(status, 400);
    let error = json_of(&body)["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("not valid JSON"), "{error}");
    let big = format!("{{\"text\": \"{}\"}}", "x".repeat(8192));
    let (status, _) = request(port, "POST", "/run", big.as_bytes()).expect("big body");
    assert_eq!(status, 413);
    // GET /run runs with `{}`: the tokenizer sees no text.
    let (status, body) = get(port, "/run").expect("GET /run");
    assert_eq!(status, 200);
    assert_eq!(json_of(&body)["outputs"]["report"]["total"], 0);

    sigterm(&host.child);
    let exit = wait_exit(&mut host.child, Duration::from_secs(15));
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}");
    let out = read_all(host.child.stdout.take());
    assert!(out.contains("Workflow: word-count v1.0"), "{out}");
    assert!(out.contains("Stage 1: tokenize"), "{out}");
    assert!(out.contains("[tokenize] INFO tokenized 3 words"), "{out}");
}

/// The `runtime-*` and `node-*` entries in a cache directory, counted.
fn cache_entries(cache: &Path) -> (usize, usize) {
    let names: Vec<String> = std::fs::read_dir(cache)
        .map(|entries| {
            entries
                .map(|e| {
                    e.expect("dir entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    let count = |prefix: &str| {
        names
            .iter()
            .filter(|n| n.starts_with(prefix) && n.ends_with(".cwasm"))
            .count()
    };
    (count("runtime-"), count("node-"))
}

/// Serves one `/run` of word-count, stops the host and returns its stderr.
fn one_run_then_stop(mut host: Host) -> String {
    let (status, body) = request(host.port, "POST", "/run", br#"{"text": "b a b"}"#).expect("run");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json_of(&body)["outputs"]["report"]["unique"], 2);
    sigterm(&host.child);
    let exit = wait_exit(&mut host.child, Duration::from_secs(15));
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}");
    read_all(host.child.stderr.take())
}

const CHILD_LOG: &str = "compiled the runtime and node modules into the cache in a child process";

#[test]
fn a_host_started_on_an_empty_cache_compiles_in_a_child_process_then_serves() {
    // Compiling in the serving process kept the compiler's memory resident for its whole
    // life (44 MiB instead of 14 after an empty-cache start).
    let bundle = built_word_count();
    let cache = tempfile::tempdir().expect("tmp");
    let err = one_run_then_stop(start_host_with(bundle.path(), cache.path()));
    assert!(err.contains(CHILD_LOG), "{err}");
    assert!(
        err.contains("source: Cache"),
        "the server mapped the child's work: {err}"
    );
    assert_eq!(cache_entries(cache.path()), (1, 3));
}

#[test]
fn a_cache_directory_that_cannot_be_created_still_lets_the_host_serve() {
    // Nothing can be cached (the path is a file): the child's work is lost, and the host
    // compiles in its own process rather than failing.
    let bundle = built_word_count();
    let scratch = tempfile::tempdir().expect("tmp");
    let not_a_dir = scratch.path().join("cache");
    std::fs::write(&not_a_dir, "a file").expect("write");
    one_run_then_stop(start_host_with(bundle.path(), &not_a_dir));
}

#[test]
fn prepare_fills_the_cache_and_exits_and_a_host_on_that_cache_compiles_nothing() {
    let bundle = built_word_count();
    let cache = tempfile::tempdir().expect("tmp");
    let prepare = || {
        Command::new(host_binary())
            .arg("--workflow")
            .arg(bundle.path().join("workflow.yaml"))
            .arg("--cache-dir")
            .arg(cache.path())
            .arg("--prepare")
            .env("NO_COLOR", "1")
            .output()
            .expect("run tntc-host --prepare")
    };
    let first = prepare();
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(first.status.success(), "{text}{}", stderr(&first));
    assert!(
        text.contains("for word-count") && text.contains("runtime built, 3 node module(s)"),
        "{text}"
    );
    assert_eq!(cache_entries(cache.path()), (1, 3));
    let again = prepare();
    let text = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(text.contains("runtime already cached"), "{text}");

    let err = one_run_then_stop(start_host_with(bundle.path(), cache.path()));
    assert!(!err.contains("child process"), "{err}");

    // A cache that cannot be written fails the preparation, saying where.
    let not_a_dir = cache.path().join("file");
    std::fs::write(&not_a_dir, "a file").expect("write");
    let failed = Command::new(host_binary())
        .arg("--workflow")
        .arg(bundle.path().join("workflow.yaml"))
        .arg("--cache-dir")
        .arg(&not_a_dir)
        .arg("--prepare")
        .output()
        .expect("run tntc-host --prepare");
    assert_eq!(failed.status.code(), Some(1));
    let err = stderr(&failed);
    assert!(err.contains("could not be cached"), "{err}");
    assert!(err.contains(&not_a_dir.display().to_string()), "{err}");
}

#[test]
fn queue_triggers_without_their_nats_token_are_skipped_with_a_warning_and_http_is_served() {
    let built = built_with_queue_trigger("nats://127.0.0.1:4222");
    let mut host = start_host(&built.path().join("dist"));
    let (status, body) = request(host.port, "POST", "/run", br#"{"text": "x y"}"#).expect("run");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    sigterm(&host.child);
    let exit = wait_exit(&mut host.child, Duration::from_secs(15));
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}");
    let err = read_all(host.child.stderr.take());
    assert!(
        err.contains("queue triggers are not served: the secret nats.token is missing"),
        "{err}"
    );
}

/// Starts the host on `url` with a token, checks that `/run` works, stops it with SIGTERM
/// (which must not wait for a NATS server that is not there) and returns its stderr.
fn serve_with_nats_url(url: &str) -> String {
    let built = built_with_queue_trigger(url);
    let bundle = built.path().join("dist");
    std::fs::write(bundle.join(".secrets.yaml"), "nats:\n  token: t0k\n").expect("secrets");
    let mut host = start_host(&bundle);
    let (status, _) = request(host.port, "POST", "/run", br#"{"text": "x"}"#).expect("run");
    assert_eq!(status, 200);
    sigterm(&host.child);
    let exit = wait_exit(&mut host.child, Duration::from_secs(10));
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}");
    let err = read_all(host.child.stderr.take());
    assert!(
        !err.contains("t0k"),
        "the token leaked into the log:\n{err}"
    );
    err
}

#[test]
fn an_unreachable_nats_server_neither_stops_http_nor_delays_shutdown() {
    // Nothing listens there: the client retries in the background.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let err = serve_with_nats_url(&format!("nats://127.0.0.1:{port}"));
    assert!(err.contains("subscribed subject=texts.new"), "{err}");
}

#[test]
fn an_unusable_nats_url_is_reported_and_http_is_still_served() {
    let err = serve_with_nats_url("http://127.0.0.1:4222");
    assert!(
        err.contains(
            "queue triggers are not served: cannot connect to NATS at http://127.0.0.1:4222"
        ),
        "{err}"
    );
}

#[test]
fn a_tampered_bundle_keeps_tntc_host_from_starting_and_says_why() {
    let bundle = built_word_count();
    let module = bundle.path().join("nodes/count.wasm");
    let mut bytes = std::fs::read(&module).expect("read count.wasm");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&module, bytes).expect("tamper with count.wasm");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut child = spawn_host(bundle.path(), port, &cache_dir());
    let exit = wait_exit(&mut child, Duration::from_secs(30));
    let err = read_all(child.stderr.take());
    assert_eq!(exit.code(), Some(1), "exit status {exit:?}: {err}");
    assert!(err.contains("nodes/count.wasm"), "{err}");
    assert!(
        err.contains("does not match the bundle manifest") && err.contains("rebuild"),
        "{err}"
    );
    assert!(get(port, "/health").is_none(), "nothing listens");
}

#[cfg(unix)]
#[test]
fn without_home_the_host_caches_in_a_directory_of_its_own_user_not_a_shared_one() {
    use std::os::unix::fs::MetadataExt;
    let bundle = built_word_count();
    let tmp = tempfile::tempdir().expect("tmp");
    let prepared = Command::new(host_binary())
        .arg("--workflow")
        .arg(bundle.path().join("workflow.yaml"))
        .arg("--prepare")
        .env_clear()
        .env("TMPDIR", tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run tntc-host --prepare");
    assert!(prepared.status.success(), "{}", stderr(&prepared));
    let uid = std::fs::metadata(tmp.path()).expect("tmp").uid();
    let own = tmp.path().join(format!("tntc-cache-{uid}"));
    assert_eq!(cache_entries(&own), (1, 3), "{}", own.display());
}

#[cfg(unix)]
#[test]
fn a_host_on_a_cache_directory_others_can_write_serves_without_running_its_code() {
    use std::os::unix::fs::PermissionsExt;
    let bundle = built_word_count();
    let scratch = tempfile::tempdir().expect("tmp");
    let open = scratch.path().join("cache");
    std::fs::create_dir(&open).expect("mkdir");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let err = one_run_then_stop(start_host_with(bundle.path(), &open));
    assert!(err.contains("writable by everyone"), "{err}");
    assert_eq!(cache_entries(&open), (0, 0), "nothing was written there");
}
