//! Which destinations a policy admits, end to end.

use tntc_fetch::{EgressPolicy, FetchError, FetchRequest, SystemResolver, TcpConnector};

use crate::support::*;
use std::sync::Arc;

fn default_client() -> tntc_fetch::FetchClient {
    client(Arc::new(SystemResolver), Arc::new(TcpConnector))
}

#[tokio::test]
async fn a_declared_destination_is_fetched() {
    let server = Server::http(|_| Reply::ok("hello")).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let response = get(&default_client(), &policy, &server.url("/a?b=c"))
        .await
        .expect("fetch");
    assert_eq!(response.status, 200);
    assert_eq!(response.status_text, "OK");
    assert_eq!(text(&response), "hello");
    assert_eq!(response.url, server.url("/a?b=c"));
    assert!(!response.redirected);
    assert!(
        response
            .headers
            .iter()
            .any(|(n, v)| n == "content-type" && v == "text/plain")
    );
    let seen = &server.seen()[0];
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.target, "/a?b=c");
    assert_eq!(
        seen.header("host"),
        Some(format!("127.0.0.1:{}", server.port()).as_str())
    );
    assert_eq!(seen.header("connection"), Some("close"));
    assert!(
        seen.header("user-agent")
            .is_some_and(|ua| ua.starts_with("tntc/"))
    );
}

#[tokio::test]
async fn an_undeclared_destination_is_refused_before_any_connection() {
    let server = Server::http(|_| Reply::ok("secret")).await;
    let other_port = policy(&["127.0.0.1:1"], &[]);
    for policy in [EgressPolicy::new("test-node"), other_port] {
        let err = get(&default_client(), &policy, &server.url("/x?token=abc"))
            .await
            .expect_err("undeclared fetch succeeded");
        let msg = err.to_string();
        assert!(matches!(err, FetchError::Refused(_)), "{msg}");
        assert!(
            msg.contains(&format!("127.0.0.1:{} refused", server.port())),
            "{msg}"
        );
        assert!(msg.contains("nodes.test-node.capabilities.net"), "{msg}");
        assert!(!msg.contains("token=abc"), "{msg}");
    }
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn an_undeclared_host_name_is_never_looked_up() {
    let resolver = StubResolver::with(&[("exfil.attacker.test", &["127.0.0.1"])]);
    let connector = RecordingConnector::new();
    let client = client(resolver.clone(), connector.clone());
    let policy = policy(&["api.example.test"], &[]);
    let err = get(&client, &policy, "https://exfil.attacker.test/")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("not declared"), "{err}");
    assert_eq!(resolver.lookups(), 0);
    assert!(connector.calls().is_empty());
}

#[tokio::test]
async fn a_dynamic_target_admits_resolved_addresses_inside_its_cidr_on_its_ports() {
    let server = Server::http(|_| Reply::ok("internal")).await;
    let resolver = StubResolver::with(&[
        ("svc.internal", &["10.1.2.3"]),
        ("outside.internal", &["11.0.0.1"]),
    ]);
    let connector = RecordingConnector::routing_to(&server);
    let client = client(resolver.clone(), connector.clone());
    let policy = policy(&[], &[("10.0.0.0/8", &["8080/TCP", "9000-9010/TCP"])]);

    let ok = get(&client, &policy, "http://svc.internal:8080/")
        .await
        .expect("admitted");
    assert_eq!(text(&ok), "internal");
    assert_eq!(server.seen()[0].header("host"), Some("svc.internal:8080"));
    assert!(
        get(&client, &policy, "http://svc.internal:9005/")
            .await
            .is_ok()
    );
    assert!(
        get(&client, &policy, "https://10.200.0.1:9010/")
            .await
            .is_err_and(|e| !matches!(e, FetchError::Refused(_)))
    );

    let wrong_port = get(&client, &policy, "http://svc.internal:8081/")
        .await
        .expect_err("port");
    assert!(matches!(wrong_port, FetchError::Refused(_)), "{wrong_port}");
    let outside = get(&client, &policy, "http://outside.internal:8080/")
        .await
        .expect_err("outside");
    assert!(
        outside
            .to_string()
            .contains("outside every dynamic-target cidr"),
        "{outside}"
    );
    let calls: Vec<String> = connector.calls().iter().map(|a| a.to_string()).collect();
    assert_eq!(calls, ["10.1.2.3:8080", "10.1.2.3:9005", "10.200.0.1:9010"]);
}

#[tokio::test]
async fn a_wildcard_admits_subdomains_only() {
    let server = Server::http(|_| Reply::ok("sub")).await;
    let resolver = StubResolver::with(&[
        ("a.example.test", &["192.0.2.10"]),
        ("example.test", &["192.0.2.11"]),
    ]);
    let connector = RecordingConnector::routing_to(&server);
    let client = client(resolver.clone(), connector.clone());
    let policy = policy(&["*.example.test:8080"], &[]);

    let ok = get(&client, &policy, "http://A.Example.Test:8080/p")
        .await
        .expect("subdomain");
    assert_eq!(text(&ok), "sub");
    assert_eq!(ok.url, "http://a.example.test:8080/p");
    let apex = get(&client, &policy, "http://example.test:8080/")
        .await
        .expect_err("apex");
    assert!(apex.to_string().contains("not declared"), "{apex}");
    assert_eq!(resolver.lookups(), 1);
    assert_eq!(connector.calls().len(), 1);
}

#[tokio::test]
async fn an_https_dependency_does_not_allow_plain_http() {
    let server = Server::http(|_| Reply::ok("plain")).await;
    let mut policy = EgressPolicy::new("n");
    policy
        .allow_https_dependency("127.0.0.1", Some(server.port()))
        .expect("rule");
    let err = get(&default_client(), &policy, &server.url("/"))
        .await
        .expect_err("plain http");
    assert!(err.to_string().contains("allows https only"), "{err}");
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn the_node_cannot_override_connection_headers() {
    let server = Server::http(|_| Reply::ok("")).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let request = FetchRequest {
        url: server.url("/h"),
        method: "post".into(),
        headers: vec![
            ("Host".into(), "evil.example".into()),
            ("Content-Length".into(), "999".into()),
            ("Transfer-Encoding".into(), "chunked".into()),
            ("Connection".into(), "keep-alive, x-hop".into()),
            ("X-Hop".into(), "1".into()),
            ("X-Custom".into(), "kept".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: b"{\"a\":1}".to_vec(),
        timeout: None,
    };
    let response = default_client()
        .fetch(&policy, request, in_secs(10))
        .await
        .expect("fetch");
    assert_eq!(response.status, 200);
    let seen = &server.seen()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(
        seen.header("host"),
        Some(format!("127.0.0.1:{}", server.port()).as_str())
    );
    assert_eq!(seen.header("content-length"), Some("7"));
    assert_eq!(seen.header("transfer-encoding"), None);
    assert_eq!(seen.header("x-hop"), None);
    assert_eq!(seen.header("x-custom"), Some("kept"));
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.body, b"{\"a\":1}");
}
