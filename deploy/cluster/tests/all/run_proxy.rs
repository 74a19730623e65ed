//! `invoke`: what the real API server answers when the workflow cannot take a run (no
//! endpoints, no Service), and a run through `ServiceProxy`, the stand-in for the API
//! server's service proxy (the real one refuses loopback endpoints, and every test server is on
//! 127.0.0.1), to a small HTTP server answering `/run` as tntc-host does (the tntc crate's
//! end-to-end test puts the real tntc-host there).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::json;
use tntc_cluster::{ApplyOptions, ClusterError};
use tntc_cluster::{Cluster, ConnectOptions};
use tntc_kube_testkit::kubelet::{self, Kubelet, PodState};
use tntc_kube_testkit::{ADMIN_CONTEXT, ServiceProxy, namespace};

use crate::{connect, server, workflow};

/// Answers every request with `status` and `body`, recording the request bodies.
fn engine(status: u16, body: serde_json::Value) -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Head, then the body by content-length.
            let (head_end, length) = loop {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break (buf.len(), 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    break (end + 4, length);
                }
            };
            while buf.len() < head_end + length {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let _ = tx.send(String::from_utf8_lossy(&buf[head_end..]).into_owned());
            let text = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (port, rx)
}

/// A client for `proxy` with the test server's credentials.
async fn through(proxy: &ServiceProxy, dir: &tempfile::TempDir) -> Cluster {
    let server = server().expect("server");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig_text(Some(&proxy.url))).unwrap();
    Cluster::connect(&ConnectOptions {
        context: None,
        kubeconfig: Some(kubeconfig),
    })
    .await
    .expect("connect")
}

async fn deployed(ns_prefix: &str) -> Option<(tntc_cluster::Cluster, kube::Client, String)> {
    let server = server()?;
    let admin = server.admin().await;
    let ns = namespace(&admin, ns_prefix).await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("word-count", &ns, "sha256:1", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("apply");
    let _ = Kubelet::shared(server).await;
    kubelet::pod(
        &admin,
        &ns,
        "word-count",
        "word-count-r1",
        PodState::Running {
            ready: true,
            restarts: 0,
        },
    )
    .await;
    Some((cluster, admin, ns))
}

#[tokio::test]
async fn a_run_goes_through_the_service_proxy_and_returns_the_execution_result() {
    let Some((_, _, ns)) = deployed("run-ok").await else {
        return;
    };
    let result =
        json!({"success": true, "outputs": {"count": {"words": 3}}, "timing": {"durationMs": 2}});
    let (port, requests) = engine(200, result.clone());
    let proxy = ServiceProxy::start(port);
    let tmp = tempfile::tempdir().unwrap();
    let cluster = through(&proxy, &tmp).await;
    let input = json!({"text": "a b a"});
    let answer = cluster
        .invoke(&ns, "word-count", &input, Duration::from_secs(10))
        .await
        .expect("run");
    assert_eq!(answer, result);
    let body = requests
        .recv_timeout(Duration::from_secs(5))
        .expect("the engine was called");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        input
    );
}

#[tokio::test]
async fn a_failed_run_is_an_answer_not_an_error() {
    let Some((_, _, ns)) = deployed("run-fail").await else {
        return;
    };
    let result = json!({"success": false, "outputs": {}, "errors": {"count": "boom"}});
    let (port, _) = engine(500, result.clone());
    let proxy = ServiceProxy::start(port);
    let tmp = tempfile::tempdir().unwrap();
    let cluster = through(&proxy, &tmp).await;
    let answer = cluster
        .invoke(&ns, "word-count", &json!({}), Duration::from_secs(10))
        .await
        .expect("an ExecutionResult");
    assert_eq!(answer["success"], false);
}

#[tokio::test]
async fn a_workflow_without_a_ready_pod_cannot_be_run_and_says_why() {
    let Some((cluster, _admin, ns)) = deployed("run-none").await else {
        return;
    };
    let err = cluster
        .invoke(&ns, "word-count", &json!({}), Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(matches!(err, ClusterError::RunUnavailable { .. }), "{err}");
    assert!(err.to_string().contains("tntc status word-count"), "{err}");
    let err = cluster
        .invoke(&ns, "not-deployed", &json!({}), Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClusterError::WorkflowNotFound { .. }),
        "{err}"
    );
}
