//! Failures become the node's error with the server's message, never the password; a node
//! without the dependency is refused before any connection.

use std::sync::Arc;
use std::time::Duration;

use tntc_abi::postgres::PgConnectRequest;
use tntc_pg_testkit::{APP_PASSWORD, PgServer};
use tntc_postgres::PgPolicy;

use crate::support::{connect, policy, pools, query, run, target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_the_servers_message_without_the_password() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let mut wrong = target(&server);
    wrong.password = Some("not-the-password-42".into());
    let pools = pools();
    let run = run(&pools, &policy(wrong));
    let error = connect(&run).await.unwrap_err();
    let fields = error.fields.clone().expect("the server's fields");
    assert_eq!(fields.code, "28P01", "{error:?}");
    assert!(
        error
            .message
            .contains("password authentication failed for user \"app\""),
        "{error}"
    );
    let json = error.to_json();
    assert!(
        !json.contains("not-the-password-42") && !json.contains(APP_PASSWORD),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_names_the_dependency_and_address() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut policy = PgPolicy::new("store");
    policy.allow(tntc_postgres::PgTarget {
        dependency: "db".into(),
        host: "127.0.0.1".into(),
        port,
        database: "appdb".into(),
        user: "app".into(),
        password: Some("secret-pw".into()),
        sslmode: tntc_postgres::SslMode::Prefer,
    });
    let pools = pools();
    let run = run(&pools, &Arc::new(policy));
    let error = connect(&run).await.unwrap_err();
    assert!(
        error.message.starts_with(&format!(
            "cannot connect to PostgreSQL dependency \"db\" at 127.0.0.1:{port}"
        )) && error.message.to_lowercase().contains("refused"),
        "{error}"
    );
    assert!(!error.to_json().contains("secret-pw"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syntax_error_and_a_statement_timeout_carry_the_servers_fields() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let run = run(&pools, &policy(target(&server)));
    let s = connect(&run).await.unwrap();
    let error = query(&run, s, "SELEC 1", &[]).await.unwrap_err();
    let fields = error.fields.clone().expect("fields");
    assert_eq!(fields.code, "42601");
    assert_eq!(error.message, "syntax error at or near \"SELEC\"");
    assert_eq!(fields.position.as_deref(), Some("1"));

    query(&run, s, "SET statement_timeout = '50ms'", &[])
        .await
        .unwrap();
    let error = query(&run, s, "SELECT pg_sleep(2)", &[]).await.unwrap_err();
    assert_eq!(
        error.message,
        "canceling statement due to statement timeout"
    );
    assert_eq!(error.fields.expect("fields").code, "57014");
    // The session is still usable afterwards.
    query(&run, s, "SELECT 1", &[]).await.expect("usable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_naming_another_database_are_refused_before_any_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut policy = PgPolicy::new("store");
    policy.allow(tntc_postgres::PgTarget {
        dependency: "db".into(),
        host: "127.0.0.1".into(),
        port,
        database: "appdb".into(),
        user: "app".into(),
        password: None,
        sslmode: tntc_postgres::SslMode::Prefer,
    });
    let pools = pools();
    let run = run(&pools, &Arc::new(policy));
    let request = serde_json::to_string(&PgConnectRequest {
        database: Some("postgres".into()),
        ..PgConnectRequest::default()
    })
    .unwrap();
    let error = run.connect(&request).await.unwrap_err();
    assert!(error.message.contains("database postgres"), "{error}");
    assert!(
        error.message.contains(&format!(
            "db (host 127.0.0.1:{port}, database appdb, user app)"
        )),
        "{error}"
    );
    // No node without the dependency connects either.
    let none = crate::support::run(&pools, &Arc::new(PgPolicy::new("other")));
    assert!(connect(&none).await.is_err());
    let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(accepted.is_err(), "nothing connected to the database port");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_past_the_deadline_fails_and_its_connection_is_not_reused() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    let run = tntc_postgres::RunSessions::new(
        pools.clone(),
        policy.clone(),
        std::time::Instant::now() + Duration::from_millis(800),
    );
    let s = connect(&run).await.unwrap();
    let error = query(&run, s, "SELECT pg_sleep(5)", &[]).await.unwrap_err();
    assert!(
        error.message.contains("within the node's timeout"),
        "{error}"
    );
    drop(run);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pools.idle_connections(), 0);
    // The server's statement was cancelled, not left sleeping.
    let active = server.psql(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)' AND state = 'active'",
    );
    assert_eq!(active, "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_over_the_cap_fails_the_query_instead_of_being_truncated() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = tntc_postgres::PgPools::new(tntc_postgres::PgConfig {
        max_result_bytes: 4096,
        ..tntc_postgres::PgConfig::default()
    })
    .unwrap();
    let run = run(&pools, &policy(target(&server)));
    let s = connect(&run).await.unwrap();
    let small = query(&run, s, "SELECT g FROM generate_series(1, 10) g", &[])
        .await
        .unwrap();
    assert_eq!(small.rows.len(), 10);
    let error = query(
        &run,
        s,
        "SELECT repeat('x', 100) FROM generate_series(1, 100)",
        &[],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.message,
        "the query's result is larger than the 4096 bytes limit; select fewer rows (LIMIT) or columns"
    );
    // The same cap holds for a batch (simple protocol).
    let error = query(
        &run,
        s,
        "SELECT 1; SELECT repeat('x', 100) FROM generate_series(1, 100)",
        &[],
    )
    .await
    .unwrap_err();
    assert!(error.message.contains("4096 bytes limit"), "{error}");
}
