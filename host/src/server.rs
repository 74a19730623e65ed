//! The engine's HTTP API, compatible with the original:
//!
//! | request | response |
//! |---|---|
//! | `GET /run`, `POST /run` | the `ExecutionResult`; 200 when `success`, else 500. A non-blank body is JSON and becomes the root nodes' input (`{}` otherwise). |
//! | `GET /health` | 200 `{"status":"ok"}` (the process is up) |
//! | `GET /ready` | 200 `{"status":"ready"}` once the workflow is loaded and the runtime compiled, else 503 (new) |
//! | anything else | 404 `{"error":"not found"}` |
//!
//! Deliberate improvements that keep callers working: an invalid JSON body is a 400 with the
//! parser's message (the original ignored it and ran with `{}`); a body over the cap is a 413;
//! an internal failure (not a node's) is a 500 `{"error": ...}`. Every response carries an
//! `x-tntc-run-id` header for `/run`, and one structured log line per run (id, status, duration).
//! On SIGTERM/SIGINT the listener closes, in-flight runs finish (bounded by a grace period),
//! and [`serve`] returns.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::live::WorkflowRunner;

/// Server settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest accepted `/run` body, in bytes.
    pub max_body_bytes: usize,
    /// How long in-flight runs may take to finish after SIGTERM.
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            max_body_bytes: 10 << 20,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `engine` on `listener` until `shutdown` resolves, then drains in-flight requests
/// for at most `config.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<dyn WorkflowRunner>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let state = Arc::new(State {
        engine,
        config,
        runs: AtomicU64::new(0),
    });
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(conn) => conn,
                    Err(err) => {
                        // Out of file descriptors and the like: keep serving the others.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let service = service_fn(move |req| handle(state.clone(), peer, req));
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(err) = conn.await {
                        tracing::debug!(error = %err, "connection closed with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let grace = state.config.shutdown_grace;
    tracing::info!(
        grace_ms = grace.as_millis() as u64,
        "shutting down: finishing in-flight runs"
    );
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("in-flight runs did not finish within the grace period");
    }
    Ok(())
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

struct State {
    engine: Arc<dyn WorkflowRunner>,
    config: ServerConfig,
    runs: AtomicU64,
}

type Reply = Response<Full<Bytes>>;

async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Reply, Infallible> {
    let reply = match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::POST, "/run") => run(&state, peer, req).await,
        (&Method::GET | &Method::HEAD, "/health") => {
            json_reply(StatusCode::OK, &json!({"status": "ok"}))
        }
        (&Method::GET | &Method::HEAD, "/ready") => {
            if state.engine.ready() {
                json_reply(StatusCode::OK, &json!({"status": "ready"}))
            } else {
                json_reply(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &json!({"status": "starting"}),
                )
            }
        }
        _ => json_reply(StatusCode::NOT_FOUND, &json!({"error": "not found"})),
    };
    Ok(reply)
}

async fn run(state: &State, peer: SocketAddr, req: Request<Incoming>) -> Reply {
    let id = format!("run-{:06}", state.runs.fetch_add(1, Ordering::Relaxed) + 1);
    let started = Instant::now();
    let input = match read_input(req, state.config.max_body_bytes).await {
        Ok(input) => input,
        Err((status, message)) => {
            tracing::info!(run = %id, %peer, status = status.as_u16(), error = %message, "run rejected");
            return with_run_id(json_reply(status, &json!({"error": message})), &id);
        }
    };
    let outcome = state.engine.execute(input).await;
    let status = match &outcome {
        Ok(result) => {
            let status = if result.success {
                StatusCode::OK
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            let failed: Vec<&String> = result.errors.keys().collect();
            tracing::info!(
                run = %id,
                %peer,
                status = status.as_u16(),
                success = result.success,
                duration_ms = started.elapsed().as_millis() as u64,
                failed_nodes = ?failed,
                "run finished"
            );
            status
        }
        Err(message) => {
            tracing::error!(run = %id, %peer, error = %message, "run failed inside the host");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let body = crate::result::response_body(&outcome);
    with_run_id(bytes_reply(status, body), &id)
}

/// The root input: `{}` for GET or a blank body, else the body as JSON.
async fn read_input(req: Request<Incoming>, limit: usize) -> Result<Value, (StatusCode, String)> {
    if req.method() == Method::GET {
        return Ok(json!({}));
    }
    let body = Limited::new(req.into_body(), limit)
        .collect()
        .await
        .map_err(|err| {
            if err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("request body is larger than {} bytes", limit),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    format!("cannot read request body: {err}"),
                )
            }
        })?;
    let bytes = body.to_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    crate::json_text::to_value(&bytes).map_err(|err| {
        (
            StatusCode::BAD_REQUEST,
            format!("request body is not valid JSON: {err}"),
        )
    })
}

fn json_reply(status: StatusCode, body: &Value) -> Reply {
    bytes_reply(
        status,
        serde_json::to_vec(body).unwrap_or_else(|_| b"null".to_vec()),
    )
}

/// A reply whose body is already JSON text.
fn bytes_reply(status: StatusCode, text: Vec<u8>) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(text)));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}

fn with_run_id(mut reply: Reply, id: &str) -> Reply {
    if let Ok(value) = HeaderValue::from_str(id) {
        reply.headers_mut().insert("x-tntc-run-id", value);
    }
    reply
}

#[cfg(test)]
mod tests;
