//! HTTPS: the extra CA option, SNI and certificate names from the URL host.

use std::sync::Arc;

use tntc_fetch::{
    EgressPolicy, FetchClient, FetchConfig, FetchError, PemSource, SetupError, SystemResolver,
    TcpConnector,
};

use crate::support::*;

#[tokio::test]
async fn https_with_the_extra_ca_uses_the_url_host_for_sni_and_host() {
    let ca = TestCa::new();
    let server = Server::https(&ca, |_| Reply::ok("secure")).await;
    let resolver = StubResolver::with(&[("api.test", &["127.0.0.1"])]);
    let client = tls_client(&ca, resolver, Arc::new(TcpConnector));
    let policy = policy(
        &[],
        &[("127.0.0.1/32", &[&format!("{}/TCP", server.port())])],
    );
    let url = format!("https://api.test:{}/v1", server.port());
    let response = get(&client, &policy, &url).await.expect("https fetch");
    assert_eq!(text(&response), "secure");
    assert_eq!(response.url, url);
    assert_eq!(
        server.seen()[0].header("host"),
        Some(format!("api.test:{}", server.port()).as_str())
    );
}

#[tokio::test]
async fn an_https_dependency_on_localhost_is_fetched_over_tls() {
    let ca = TestCa::new();
    let server = Server::https(&ca, |_| Reply::ok("dep")).await;
    let client = tls_client(&ca, Arc::new(SystemResolver), Arc::new(TcpConnector));
    let mut policy = EgressPolicy::new("n");
    policy
        .allow_https_dependency("localhost", Some(server.port()))
        .expect("rule");
    let response = get(
        &client,
        &policy,
        &format!("https://localhost:{}/", server.port()),
    )
    .await
    .expect("fetch");
    assert_eq!(text(&response), "dep");
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_handshake() {
    let ca = TestCa::new();
    let server = Server::https(&ca, |_| Reply::ok("")).await;
    let client = client(Arc::new(SystemResolver), Arc::new(TcpConnector));
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let err = get(
        &client,
        &policy,
        &format!("https://127.0.0.1:{}/", server.port()),
    )
    .await
    .expect_err("untrusted CA accepted");
    assert!(matches!(err, FetchError::Tls { .. }), "{err}");
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn a_certificate_for_another_name_fails_the_handshake() {
    let ca = TestCa::new();
    let server = Server::https(&ca, |_| Reply::ok("")).await;
    let resolver = StubResolver::with(&[("other.test", &["127.0.0.1"])]);
    let client = tls_client(&ca, resolver, Arc::new(TcpConnector));
    let policy = policy(
        &[],
        &[("127.0.0.1/32", &[&format!("{}/TCP", server.port())])],
    );
    let err = get(
        &client,
        &policy,
        &format!("https://other.test:{}/", server.port()),
    )
    .await
    .expect_err("wrong name accepted");
    assert!(matches!(err, FetchError::Tls { .. }), "{err}");
    assert!(err.to_string().contains("other.test"), "{err}");
}

#[tokio::test]
async fn the_extra_ca_can_come_from_a_file_and_bad_bundles_are_reported() {
    let ca = TestCa::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &ca.ca_pem).expect("write");
    let server = Server::https(&ca, |_| Reply::ok("from file")).await;
    let client = FetchClient::new(FetchConfig {
        system_roots: false,
        extra_ca_pem: Some(PemSource::Path(path)),
        ..FetchConfig::default()
    })
    .expect("client");
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let response = get(
        &client,
        &policy,
        &format!("https://127.0.0.1:{}/", server.port()),
    )
    .await
    .expect("fetch");
    assert_eq!(text(&response), "from file");

    let missing = FetchClient::new(FetchConfig {
        extra_ca_pem: Some(PemSource::Path(dir.path().join("missing.pem"))),
        ..FetchConfig::default()
    });
    assert!(matches!(missing, Err(SetupError::ReadCa { .. })));
    let empty = FetchClient::new(FetchConfig {
        extra_ca_pem: Some(PemSource::Bytes(b"not pem".to_vec())),
        ..FetchConfig::default()
    });
    assert!(matches!(empty, Err(SetupError::BadCa { .. })));
}

#[tokio::test]
async fn system_roots_load_without_error() {
    assert!(FetchClient::new(FetchConfig::default()).is_ok());
}
