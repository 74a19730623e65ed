//! Policies and calls for the tests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tntc_abi::postgres::{PgConnected, PgQueryResult};
use tntc_pg_testkit::{APP_DB, APP_PASSWORD, APP_USER, PgServer};
use tntc_postgres::{CallError, PgConfig, PgPolicy, PgPools, PgTarget, RunSessions, SslMode};

pub fn target(server: &PgServer) -> PgTarget {
    PgTarget {
        dependency: "db".into(),
        host: "127.0.0.1".into(),
        port: server.port,
        database: APP_DB.into(),
        user: APP_USER.into(),
        password: Some(APP_PASSWORD.into()),
        sslmode: SslMode::Prefer,
    }
}

pub fn policy(target: PgTarget) -> Arc<PgPolicy> {
    let mut policy = PgPolicy::new("store");
    policy.allow(target);
    Arc::new(policy)
}

pub fn pools() -> PgPools {
    PgPools::new(PgConfig::default()).expect("pools")
}

pub fn run(pools: &PgPools, policy: &Arc<PgPolicy>) -> Arc<RunSessions> {
    RunSessions::new(
        pools.clone(),
        policy.clone(),
        Instant::now() + Duration::from_secs(20),
    )
}

pub async fn connect(run: &Arc<RunSessions>) -> Result<u32, CallError> {
    let meta = run.connect("{}").await?;
    let connected: PgConnected = serde_json::from_str(&meta).expect("PgConnected");
    Ok(connected.session)
}

pub async fn query(
    run: &Arc<RunSessions>,
    session: u32,
    text: &str,
    params: &[Option<&str>],
) -> Result<PgQueryResult, CallError> {
    let request = json!({"session": session, "text": text, "params": params});
    let meta = run.query(&request.to_string()).await?;
    Ok(serde_json::from_str(&meta).expect("PgQueryResult"))
}

/// Waits until the pools hold `n` idle connections (resets run in the background).
pub async fn idle(pools: &PgPools, n: usize) {
    let started = Instant::now();
    while pools.idle_connections() != n {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the pool has {} idle connections, expected {n}",
            pools.idle_connections()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
