//! Special-purpose addresses: refused without a connection attempt, whatever form they
//! arrive in (DNS answer, IP literal, IPv4-mapped, NAT64, numeric shorthand).

use std::sync::Arc;

use tntc_fetch::{FetchError, RefusalReason, SystemResolver};

use crate::support::*;

const FORBIDDEN: &[&str] = &[
    "169.254.169.254",
    "::ffff:169.254.169.254",
    "169.254.1.1",
    "fe80::1",
    "fd00:ec2::254",
    "100.100.100.200",
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "ff02::1",
    "255.255.255.255",
    "240.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "::7f00:1",
];

#[tokio::test]
async fn a_declared_name_resolving_to_a_forbidden_address_is_never_connected_to() {
    for ip in FORBIDDEN
        .iter()
        .chain(&["127.0.0.1", "::1", "::ffff:127.0.0.1"])
    {
        let resolver = StubResolver::with(&[("evil.test", &[ip])]);
        let connector = RecordingConnector::new();
        let client = client(resolver, connector.clone());
        let policy = policy(&["evil.test"], &[]);
        let err = get(&client, &policy, "http://evil.test/latest/meta-data")
            .await
            .expect_err("forbidden address fetched");
        let msg = err.to_string();
        assert!(
            matches!(
                err.refusal().map(|r| &r.reason),
                Some(RefusalReason::Addresses { .. })
            ),
            "{ip}: {msg}"
        );
        assert!(msg.contains("which workflows may not reach"), "{ip}: {msg}");
        assert!(connector.calls().is_empty(), "{ip}: connection attempted");
    }
}

#[tokio::test]
async fn a_catch_all_cidr_does_not_open_special_addresses() {
    let policy = policy(&[], &[("0.0.0.0/0", &["80/TCP"]), ("::/0", &["80/TCP"])]);
    for ip in FORBIDDEN.iter().chain(&["127.0.0.1", "::1"]) {
        let resolver = StubResolver::with(&[("any.test", &[ip])]);
        let connector = RecordingConnector::new();
        let err = get(
            &client(resolver, connector.clone()),
            &policy,
            "http://any.test/",
        )
        .await
        .expect_err("special address fetched");
        assert!(matches!(err, FetchError::Refused(_)), "{ip}: {err}");
        assert!(connector.calls().is_empty(), "{ip}: connection attempted");
    }
}

#[tokio::test]
async fn ip_literal_forms_of_the_metadata_address_are_refused_without_lookup_or_connection() {
    let resolver = StubResolver::with(&[]);
    let connector = RecordingConnector::new();
    let client = client(resolver.clone(), connector.clone());
    let policy = policy(
        &["*.example.test"],
        &[("0.0.0.0/0", &["80/TCP"]), ("::/0", &["80/TCP"])],
    );
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://0251.0376.0251.0376/",
        "http://0xa9.0xfe.0xa9.0xfe/",
        "http://2852039166/",
        "http://169.254.43518/",
        "http://[fd00:ec2::254]/",
        "http://[64:ff9b::169.254.169.254]/",
        "http://0/",
        "http://127.1/",
    ] {
        let err = get(&client, &policy, url).await.expect_err(url);
        assert!(matches!(err, FetchError::Refused(_)), "{url}: {err}");
    }
    assert_eq!(resolver.lookups(), 0);
    assert!(connector.calls().is_empty());
}

#[tokio::test]
async fn a_mixed_dns_answer_connects_only_to_the_allowed_addresses() {
    let server = Server::http(|_| Reply::ok("reached")).await;
    let resolver = StubResolver::with(&[(
        "mixed.test",
        &[
            "169.254.169.254",
            "127.0.0.1",
            "fd00:ec2::254",
            "10.9.9.9",
            "0.0.0.0",
        ],
    )]);
    let connector = RecordingConnector::routing_to(&server);
    let client = client(resolver, connector.clone());
    let policy = policy(&["mixed.test:8443"], &[]);
    let response = get(&client, &policy, "http://mixed.test:8443/")
        .await
        .expect("fetch");
    assert_eq!(text(&response), "reached");
    let calls: Vec<String> = connector.calls().iter().map(|a| a.to_string()).collect();
    assert_eq!(calls, ["10.9.9.9:8443"]);
}

#[tokio::test]
async fn a_loopback_cidr_reaches_loopback_but_not_the_metadata_address_in_the_same_answer() {
    let server = Server::http(|_| Reply::ok("local")).await;
    let resolver = StubResolver::with(&[("mixed.test", &["169.254.169.254", "127.0.0.1"])]);
    let connector = RecordingConnector::new();
    let client = client(resolver, connector.clone());
    let policy = policy(
        &[],
        &[("127.0.0.1/32", &[&format!("{}/TCP", server.port())])],
    );
    let url = format!("http://mixed.test:{}/", server.port());
    let response = get(&client, &policy, &url).await.expect("fetch");
    assert_eq!(text(&response), "local");
    assert_eq!(connector.calls(), [server.addr]);
}

#[tokio::test]
async fn a_declared_name_resolving_to_loopback_is_refused() {
    let server = Server::http(|_| Reply::ok("pod internals")).await;
    let resolver = StubResolver::with(&[("rebind.test", &["127.0.0.1"])]);
    let client = client(resolver, Arc::new(tntc_fetch::TcpConnector));
    let policy = policy(&[&format!("rebind.test:{}", server.port())], &[]);
    let err = get(
        &client,
        &policy,
        &format!("http://rebind.test:{}/", server.port()),
    )
    .await
    .expect_err("rebinding succeeded");
    assert!(
        err.to_string()
            .contains("may not resolve to this pod itself"),
        "{err}"
    );
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn an_ipv4_mapped_literal_reaches_a_declared_ipv4_server_over_ipv4() {
    let server = Server::http(|_| Reply::ok("mapped")).await;
    let connector = RecordingConnector::new();
    let client = client(Arc::new(SystemResolver), connector.clone());
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let url = format!("http://[::ffff:127.0.0.1]:{}/", server.port());
    let response = get(&client, &policy, &url).await.expect("fetch");
    assert_eq!(text(&response), "mapped");
    assert_eq!(response.url, server.url("/"));
    assert_eq!(connector.calls(), [server.addr]);
}

#[tokio::test]
async fn ipv4_mapped_dns_answers_are_checked_and_dialled_as_ipv4() {
    let server = Server::http(|_| Reply::ok("v4")).await;
    let resolver = StubResolver::with(&[("svc.internal", &["::ffff:10.1.2.3"])]);
    let connector = RecordingConnector::routing_to(&server);
    let client = client(resolver, connector.clone());
    let policy = policy(&[], &[("10.0.0.0/8", &["80/TCP"])]);
    assert!(get(&client, &policy, "http://svc.internal/").await.is_ok());
    let calls: Vec<String> = connector.calls().iter().map(|a| a.to_string()).collect();
    assert_eq!(calls, ["10.1.2.3:80"]);
}

#[tokio::test]
async fn localhost_is_loopback_without_asking_the_resolver() {
    let server = Server::http(|_| Reply::ok("localhost")).await;
    let resolver = StubResolver::with(&[("localhost", &["169.254.169.254"])]);
    let connector = RecordingConnector::new();
    let client = client(resolver.clone(), connector.clone());
    let policy = policy(&[&format!("localhost:{}", server.port())], &[]);
    let url = format!("http://localhost:{}/", server.port());
    let response = get(&client, &policy, &url).await.expect("fetch");
    assert_eq!(text(&response), "localhost");
    assert_eq!(resolver.lookups(), 0);
    assert_eq!(connector.calls(), [server.addr]);
}
