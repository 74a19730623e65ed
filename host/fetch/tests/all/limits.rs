//! Timeouts and size caps.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tntc_fetch::{
    FetchConfig, FetchError, FetchRequest, SystemResolver, TcpConnector, TimeoutBound,
};

use crate::support::*;

fn default_client() -> tntc_fetch::FetchClient {
    client(Arc::new(SystemResolver), Arc::new(TcpConnector))
}

fn capped(request: usize, response: usize) -> tntc_fetch::FetchClient {
    client_with(FetchConfig {
        system_roots: false,
        max_request_body: request,
        max_response_body: response,
        ..FetchConfig::default()
    })
}

#[tokio::test]
async fn the_request_timeout_stops_a_slow_server() {
    let server = Server::http(|_| Reply::ok("late").delayed(Duration::from_secs(10))).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let request = FetchRequest {
        timeout: Some(Duration::from_millis(300)),
        ..FetchRequest::get(server.url("/"))
    };
    let started = Instant::now();
    let err = default_client()
        .fetch(&policy, request, in_secs(30))
        .await
        .expect_err("timeout");
    assert!(
        matches!(
            err,
            FetchError::Timeout {
                bound: TimeoutBound::Request,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("timed out after 300 ms"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_callers_deadline_bounds_a_longer_request_timeout() {
    let server = Server::http(|_| Reply::ok("late").delayed(Duration::from_secs(10))).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let request = FetchRequest {
        timeout: Some(Duration::from_secs(60)),
        ..FetchRequest::get(server.url("/"))
    };
    let deadline = Instant::now() + Duration::from_millis(300);
    let err = default_client()
        .fetch(&policy, request, deadline)
        .await
        .expect_err("timeout");
    assert!(
        matches!(
            err,
            FetchError::Timeout {
                bound: TimeoutBound::Deadline,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("the node's deadline"), "{err}");
}

#[tokio::test]
async fn a_spent_deadline_fails_without_connecting() {
    let server = Server::http(|_| Reply::ok("")).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let err = default_client()
        .fetch(&policy, FetchRequest::get(server.url("/")), Instant::now())
        .await
        .expect_err("timeout");
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn a_response_over_the_cap_is_an_error_not_a_truncation() {
    let server = Server::http(|seen| {
        let body = "x".repeat(if seen.target == "/exact" { 1024 } else { 4096 });
        Reply {
            chunked: seen.target == "/chunked",
            ..Reply::ok(&body)
        }
    })
    .await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let client = capped(1 << 20, 1024);
    for path in ["/declared", "/chunked"] {
        let err = get(&client, &policy, &server.url(path))
            .await
            .expect_err(path);
        assert!(
            matches!(err, FetchError::ResponseBodyTooLarge { limit: 1024, .. }),
            "{path}: {err}"
        );
    }
    let exact = get(&client, &policy, &server.url("/exact"))
        .await
        .expect("at the cap");
    assert_eq!(exact.body.len(), 1024);
}

#[tokio::test]
async fn a_request_body_over_the_cap_is_refused_before_connecting() {
    let server = Server::http(|_| Reply::ok("")).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let request = FetchRequest {
        method: "PUT".into(),
        body: vec![b'a'; 17],
        ..FetchRequest::get(server.url("/"))
    };
    let err = capped(16, 1 << 20)
        .fetch(&policy, request, in_secs(10))
        .await
        .expect_err("cap");
    assert!(
        matches!(
            err,
            FetchError::RequestBodyTooLarge {
                size: 17,
                limit: 16,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn a_response_with_too_many_headers_fails() {
    let server = Server::http(|_| Reply {
        headers: (0..200)
            .map(|i| (format!("x-h{i}"), "v".to_owned()))
            .collect(),
        ..Reply::ok("")
    })
    .await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let err = get(&default_client(), &policy, &server.url("/"))
        .await
        .expect_err("headers");
    assert!(matches!(err, FetchError::Http { .. }), "{err}");
}

#[tokio::test]
async fn a_get_with_a_body_or_an_injected_header_is_rejected_before_connecting() {
    let server = Server::http(|_| Reply::ok("")).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let with_body = FetchRequest {
        body: b"x".to_vec(),
        ..FetchRequest::get(server.url("/"))
    };
    let err = default_client()
        .fetch(&policy, with_body, in_secs(10))
        .await
        .expect_err("body");
    assert!(
        err.to_string().contains("GET request cannot have a body"),
        "{err}"
    );
    let injected = FetchRequest {
        headers: vec![("X-A".into(), "v\r\nX-Injected: sk-secret".into())],
        ..FetchRequest::get(server.url("/"))
    };
    let err = default_client()
        .fetch(&policy, injected, in_secs(10))
        .await
        .expect_err("crlf");
    assert!(!err.to_string().contains("sk-secret"), "{err}");
    assert_eq!(server.connections(), 0);
}
