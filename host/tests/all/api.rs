//! The host's real HTTP API for the tests: [`tntc_host::server::serve`] with an
//! [`live::LiveDeployment`] on 127.0.0.1, a minimal HTTP/1.1 client, and a `/health` watcher that
//! proves the server keeps answering while a node misbehaves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tntc_host::deployment::Deployment;
use tntc_host::live::LiveDeployment;
use tntc_host::server::{ServerConfig, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a `/health` answer may take while a node misbehaves: generous for 2 shared
/// cores, far below any node timeout used in the tests.
pub const HEALTH_LATENCY: Duration = Duration::from_millis(1500);

/// A response.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// The host's HTTP server, serving one deployment. Stops when dropped.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Served {
    /// Serves `deployment` on a free port of 127.0.0.1.
    pub async fn start(deployment: Arc<Deployment>) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        let engine = Arc::new(LiveDeployment::new(deployment));
        let task = tokio::spawn(serve(listener, engine, ServerConfig::default(), async {
            let _ = rx.await;
        }));
        Served {
            addr,
            shutdown: Some(tx),
            task,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Answer {
        request(self.addr, "GET", path, None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        request(self.addr, "POST", path, Some(body.to_string().as_bytes())).await
    }

    /// `POST /run` with `input`: the status and the `ExecutionResult` JSON.
    pub async fn run(&self, input: &Value) -> (u16, Value) {
        let answer = self.post("/run", input).await;
        (answer.status, answer.json())
    }

    /// `POST /run` while `/health` is probed every 50 ms; asserts every probe answered
    /// `200 {"status":"ok"}` within [`HEALTH_LATENCY`], and once more after the run.
    pub async fn run_while_healthy(&self, input: &Value) -> (u16, Value) {
        let (result, probes) = self.while_probing_health(self.run(input)).await;
        assert!(probes >= 1, "/health was never probed during the run");
        result
    }

    /// Awaits `work` while probing `/health`; returns its output and the number of probes
    /// made during it. Panics when a probe fails or is slow, during or after `work`.
    pub async fn while_probing_health<F: Future>(&self, work: F) -> (F::Output, usize) {
        let addr = self.addr;
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let prober = tokio::spawn(async move {
            let mut probes = 0usize;
            loop {
                assert_healthy(addr).await;
                probes += 1;
                tokio::select! {
                    _ = &mut stop_rx => return probes,
                    () = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
        });
        let output = work.await;
        let _ = stop_tx.send(());
        let probes = match prober.await {
            Ok(probes) => probes,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        assert_healthy(addr).await;
        (output, probes)
    }

    /// Stops accepting, lets in-flight requests finish, and returns the server's result.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.expect("the server task")
    }
}

/// One `/health` request that must answer 200 `{"status":"ok"}` within [`HEALTH_LATENCY`].
async fn assert_healthy(addr: SocketAddr) {
    let answer = tokio::time::timeout(HEALTH_LATENCY, request(addr, "GET", "/health", None))
        .await
        .unwrap_or_else(|_| panic!("/health did not answer within {HEALTH_LATENCY:?}"));
    assert_eq!(answer.status, 200, "/health status");
    assert_eq!(answer.json(), serde_json::json!({"status": "ok"}));
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`), read to the end.
pub async fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&[u8]>) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect to the host");
    let body = body.unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("send head");
    stream.write_all(body).await.expect("send body");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .expect("read the response");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..(start + size).min(raw.len())]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
    out
}
