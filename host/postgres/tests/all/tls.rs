//! TLS per the dependency's `sslmode`, against a server with a self-signed certificate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tntc_abi::postgres::PgConnected;
use tntc_pg_testkit::PgServer;
use tntc_postgres::{PgConfig, PgPolicy, PgPools, RunSessions, SslMode};

use crate::support::{query, target};

async fn connect_with(
    server: &PgServer,
    mode: SslMode,
    extra_ca: Option<Vec<u8>>,
) -> (
    Arc<RunSessions>,
    Result<PgConnected, tntc_postgres::CallError>,
) {
    let mut t = target(server);
    t.sslmode = mode;
    let mut policy = PgPolicy::new("store");
    policy.allow(t);
    let pools = PgPools::new(PgConfig {
        extra_ca_pem: extra_ca,
        ..PgConfig::default()
    })
    .expect("pools");
    let run = RunSessions::new(
        pools,
        Arc::new(policy),
        Instant::now() + Duration::from_secs(20),
    );
    let connected = run
        .connect("{}")
        .await
        .map(|meta| serde_json::from_str(&meta).expect("PgConnected"));
    (run, connected)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefer_uses_tls_when_the_server_offers_it_and_disable_does_not() {
    let Some(server) = PgServer::start_with_tls_or_skip() else {
        return;
    };
    let (run, connected) = connect_with(&server, SslMode::Prefer, None).await;
    let connected = connected.expect("connects");
    assert!(connected.tls, "prefer encrypts when offered");
    let ssl = query(
        &run,
        connected.session,
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(ssl.rows, vec![vec![json!(true)]], "the server sees TLS");

    let (run, connected) = connect_with(&server, SslMode::Disable, None).await;
    let connected = connected.expect("connects");
    assert!(!connected.tls);
    let ssl = query(
        &run,
        connected.session,
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(ssl.rows, vec![vec![json!(false)]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_checks_the_certificate_against_the_trusted_cas() {
    let Some(server) = PgServer::start_with_tls_or_skip() else {
        return;
    };
    let (_, untrusted) = connect_with(&server, SslMode::VerifyFull, None).await;
    let error = untrusted.unwrap_err();
    assert!(
        error
            .message
            .contains("cannot connect to PostgreSQL dependency \"db\"")
            && error.message.to_lowercase().contains("certificate"),
        "{error}"
    );
    let (_, trusted) = connect_with(&server, SslMode::VerifyFull, server.ca_pem()).await;
    assert!(trusted.expect("the test CA is trusted").tls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_refuses_a_server_without_tls() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let (_, connected) = connect_with(&server, SslMode::Require, None).await;
    let error = connected.unwrap_err();
    assert!(
        error
            .message
            .contains("cannot connect to PostgreSQL dependency \"db\""),
        "{error}"
    );
    let (_, prefer) = connect_with(&server, SslMode::Prefer, None).await;
    assert!(!prefer.expect("prefer falls back to plain text").tls);
}
