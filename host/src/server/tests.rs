use std::sync::atomic::{AtomicBool, AtomicUsize};

use serde_json::Map;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

use super::*;
use crate::executor::BoxFuture;
use crate::live::WorkflowRunner;
use crate::result::ExecutionResult;
use crate::result::Timing;

/// Echoes its input as the output of node "echo"; `{"fail": true}` makes the node fail,
/// `{"sleepMs": n}` makes it slow, `{"heldUntilRuns": n}` holds it until n such runs have
/// started, `{"internal": true}` is a host failure.
struct EchoEngine {
    ready: AtomicBool,
    held: Arc<AtomicUsize>,
}

impl WorkflowRunner for EchoEngine {
    fn execute(&self, input: Value) -> BoxFuture<Result<ExecutionResult, String>> {
        let held = self.held.clone();
        Box::pin(async move {
            if input["internal"] == true {
                return Err("bundle went away".to_string());
            }
            if let Some(ms) = input["sleepMs"].as_u64() {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            if let Some(runs) = input["heldUntilRuns"].as_u64() {
                held.fetch_add(1, Ordering::SeqCst);
                while (held.load(Ordering::SeqCst) as u64) < runs {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            let mut outputs = Map::new();
            let mut errors = Map::new();
            if input["fail"] == true {
                errors.insert("echo".into(), json!("Node \"echo\" failed"));
            } else {
                outputs.insert("echo".into(), input);
            }
            Ok(ExecutionResult {
                success: errors.is_empty(),
                outputs,
                errors,
                timing: Timing {
                    started_at: 1,
                    completed_at: 2,
                    duration_ms: 1,
                    node_timings: Vec::new(),
                },
                stacks: Default::default(),
            })
        })
    }

    fn ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }
}

struct Running {
    addr: SocketAddr,
    engine: Arc<EchoEngine>,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(config: ServerConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let engine = Arc::new(EchoEngine {
        ready: AtomicBool::new(true),
        held: Arc::default(),
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(serve(listener, engine.clone(), config, async move {
        let _ = stopped.await;
    }));
    Running {
        addr,
        engine,
        stop: Some(stop),
        done,
    }
}

/// A raw HTTP/1.1 exchange: returns (status, headers text, body).
async fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn json_body(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

#[tokio::test]
async fn post_run_passes_the_body_as_input_and_returns_200() {
    let server = start(ServerConfig::default()).await;
    let (status, head, body) = request(server.addr, "POST", "/run", br#"{"name":"x"}"#).await;
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("content-type: application/json")
    );
    assert!(head.contains("x-tntc-run-id: run-000001"), "{head}");
    let value = json_body(&body);
    assert_eq!(value["success"], true);
    assert_eq!(value["outputs"]["echo"], json!({"name": "x"}));
}

#[tokio::test]
async fn a_lone_surrogate_in_the_body_is_read_as_a_replacement_character() {
    // What JavaScript clients send for a string cut inside a surrogate pair.
    let server = start(ServerConfig::default()).await;
    let (status, _, body) = request(server.addr, "POST", "/run", br#"{"t":"\ud83d!"}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        json_body(&body)["outputs"]["echo"],
        json!({"t": "\u{FFFD}!"})
    );
}

#[tokio::test]
async fn get_run_and_blank_bodies_give_an_empty_object() {
    let server = start(ServerConfig::default()).await;
    let (status, _, body) = request(server.addr, "GET", "/run", b"").await;
    assert_eq!(status, 200);
    assert_eq!(json_body(&body)["outputs"]["echo"], json!({}));
    let (_, _, body) = request(server.addr, "POST", "/run", b"  \n ").await;
    assert_eq!(json_body(&body)["outputs"]["echo"], json!({}));
}

#[tokio::test]
async fn failed_run_is_500_with_the_result() {
    let server = start(ServerConfig::default()).await;
    let (status, _, body) = request(server.addr, "POST", "/run", br#"{"fail":true}"#).await;
    assert_eq!(status, 500);
    let value = json_body(&body);
    assert_eq!(value["success"], false);
    assert_eq!(value["errors"]["echo"], "Node \"echo\" failed");
}

#[tokio::test]
async fn internal_failure_is_500_with_an_error_object() {
    let server = start(ServerConfig::default()).await;
    let (status, _, body) = request(server.addr, "POST", "/run", br#"{"internal":true}"#).await;
    assert_eq!(status, 500);
    assert_eq!(json_body(&body), json!({"error": "bundle went away"}));
}

#[tokio::test]
async fn invalid_json_is_400_with_the_parser_message() {
    let server = start(ServerConfig::default()).await;
    let (status, _, body) = request(server.addr, "POST", "/run", b"{\"a\": ").await;
    assert_eq!(status, 400);
    let error = json_body(&body)["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        error.starts_with("request body is not valid JSON: EOF while parsing"),
        "{error}"
    );
}

#[tokio::test]
async fn oversized_body_is_413() {
    let server = start(ServerConfig {
        max_body_bytes: 16,
        ..ServerConfig::default()
    })
    .await;
    let (status, _, body) = request(
        server.addr,
        "POST",
        "/run",
        br#"{"text":"this is longer than sixteen bytes"}"#,
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(
        json_body(&body)["error"],
        "request body is larger than 16 bytes"
    );
}

#[tokio::test]
async fn health_ready_and_unknown_paths() {
    let server = start(ServerConfig::default()).await;
    let (status, _, body) = request(server.addr, "GET", "/health", b"").await;
    assert_eq!((status, json_body(&body)), (200, json!({"status": "ok"})));
    let (status, _, _) = request(server.addr, "GET", "/ready", b"").await;
    assert_eq!(status, 200);
    server.engine.ready.store(false, Ordering::Relaxed);
    let (status, _, body) = request(server.addr, "GET", "/ready", b"").await;
    assert_eq!(
        (status, json_body(&body)),
        (503, json!({"status": "starting"}))
    );
    let (status, _, body) = request(server.addr, "GET", "/nope", b"").await;
    assert_eq!(
        (status, json_body(&body)),
        (404, json!({"error": "not found"}))
    );
    let (status, _, _) = request(server.addr, "PUT", "/run", b"{}").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn shutdown_lets_in_flight_runs_finish() {
    let mut server = start(ServerConfig::default()).await;
    let addr = server.addr;
    let in_flight =
        tokio::spawn(async move { request(addr, "POST", "/run", br#"{"sleepMs":300}"#).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = server.stop.take().map(|s| s.send(()));
    let (status, _, body) = in_flight.await.expect("request task");
    assert_eq!(status, 200);
    assert_eq!(json_body(&body)["outputs"]["echo"]["sleepMs"], 300);
    server.done.await.expect("server task").expect("serve ok");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "listener closed after shutdown"
    );
}

#[tokio::test]
async fn concurrent_runs_are_served_together() {
    let server = start(ServerConfig::default()).await;
    let mut calls = Vec::new();
    for _ in 0..20 {
        let addr = server.addr;
        calls.push(tokio::spawn(async move {
            request(addr, "POST", "/run", br#"{"heldUntilRuns":20}"#)
                .await
                .0
        }));
    }
    // Each run is held until all twenty have started, so served one after another none
    // would end: a count, not a wall-clock window, which a loaded machine could miss. The
    // bound only turns that hang into a failure.
    let statuses = tokio::time::timeout(Duration::from_secs(60), async {
        let mut statuses = Vec::new();
        for call in calls {
            statuses.push(call.await.expect("task"));
        }
        statuses
    })
    .await
    .expect("the twenty runs were served together");
    assert_eq!(statuses, [200; 20]);
}
