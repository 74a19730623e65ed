//! `tntc dev`: serves a workflow and reloads what changed; a broken edit keeps the previous
//! version serving.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::cache_dir;

struct Dev {
    child: Child,
    port: u16,
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn start(dir: &Path) -> Dev {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(["dev", ".", "--port", &port.to_string()])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TNTC_CACHE_DIR", cache_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tntc dev");
    Dev { child, port }
}

/// POST /run; `None` while the server is not answering.
fn post_run(port: u16, body: &str) -> Option<serde_json::Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "POST /run HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let body = response.split_once("\r\n\r\n")?.1;
    serde_json::from_str(body).ok()
}

/// Polls until `check` accepts the /run output (bounded).
fn wait_for(
    port: u16,
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = post_run(port, r#"{"text": "x y x"}"#)
            && check(&value)
        {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn summary(value: &serde_json::Value) -> String {
    value["outputs"]["report"]["summary"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A scratch copy of examples/word-count, and the example's own directory.
fn word_count_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/word-count");
    for file in [
        "workflow.yaml",
        "nodes/tokenize.ts",
        "nodes/count.ts",
        "nodes/report.ts",
    ] {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(examples.join(file), &to).expect("copy");
    }
    (dir, examples)
}

#[test]
fn an_edit_is_served_after_reload_and_a_broken_edit_keeps_the_old_version() {
    let (dir, examples) = word_count_copy();
    let dev = start(dir.path());
    wait_for(dev.port, "the first version", |v| {
        summary(v) == "3 words, 2 distinct"
    });

    let report = dir.path().join("nodes/report.ts");
    let source = std::fs::read_to_string(&report).expect("read");
    std::fs::write(&report, source.replace("words, ", "WORDS, ")).expect("edit");
    wait_for(dev.port, "the edited node", |v| {
        summary(v) == "3 WORDS, 2 distinct"
    });

    std::fs::write(
        dir.path().join("nodes/count.ts"),
        "export default async function run( {\n",
    )
    .expect("break");
    // Give the watcher time to see the broken file; the old version must keep answering.
    std::thread::sleep(Duration::from_millis(500));
    let value = wait_for(dev.port, "the previous version", |v| v["success"] == true);
    assert_eq!(summary(&value), "3 WORDS, 2 distinct");

    let yaml = dir.path().join("workflow.yaml");
    std::fs::write(
        dir.path().join("nodes/count.ts"),
        std::fs::read_to_string(examples.join("nodes/count.ts")).expect("read"),
    )
    .expect("fix");
    std::fs::write(
        &yaml,
        std::fs::read_to_string(&yaml)
            .expect("read")
            .replace("top: 3", "top: 1"),
    )
    .expect("edit yaml");
    wait_for(dev.port, "the new config", |v| {
        v["outputs"]["report"]["top"]
            .as_array()
            .is_some_and(|t| t.len() == 1)
    });
}

#[test]
fn ctrl_c_stops_dev_cleanly() {
    let (dir, _) = word_count_copy();
    let mut dev = start(dir.path());
    wait_for(dev.port, "the first version", |v| v["success"] == true);
    let status = Command::new("kill")
        .args(["-INT", &dev.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = dev.child.try_wait().expect("wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "tntc dev did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit status {exit:?}");
    let mut err = String::new();
    let _ = dev
        .child
        .stderr
        .take()
        .map(|mut s| s.read_to_string(&mut err));
    assert!(err.contains("stopping"), "{err}");
}
