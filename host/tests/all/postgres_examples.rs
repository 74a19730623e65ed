//! The PostgreSQL examples (`examples/visit-log`, `examples/cluster-health`), built
//! unchanged and run through the real host against a real PostgreSQL server: their
//! contracts point at the test server, the secret is its password.

use serde_json::json;
use tntc_pg_testkit::{APP_DB, APP_PASSWORD, APP_USER, PgServer};

use crate::examples::example;
use crate::support::{output_of, show};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visit_log_writes_a_visit_and_reads_it_back() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let port = server.port;
    let deployed = example("visit-log", |yaml| {
        yaml.replace(
            "host: postgres.data.svc.cluster.local",
            &format!("host: 127.0.0.1\n      port: {port}"),
        )
        .replace("database: visits", &format!("database: {APP_DB}"))
        .replace("user: visit_log", &format!("user: {APP_USER}"))
    })
    .secret("visits", json!({"password": APP_PASSWORD}))
    .deploy();
    let input =
        json!({"visitor": "ada", "tags": ["docs", "a,b"], "details": {"referrer": "newsletter"}});
    let first = deployed.run(input.clone()).await;
    assert!(first.success, "{}", show(&first));
    let second = deployed.run(input).await;
    assert!(second.success, "{}", show(&second));
    let recorded = output_of(&second, "record");
    assert_eq!(recorded["stored"], json!(true), "{}", show(&second));
    let recent = output_of(&second, "recent");
    assert_eq!(recent["visits"], json!(2), "{}", show(&second));
    let latest = &recent["recent"][0];
    assert_eq!(latest["id"], recorded["id"]);
    assert_eq!(latest["tags"], json!(["docs", "a,b"]));
    assert_eq!(latest["details"], json!({"referrer": "newsletter"}));
    assert!(
        latest["visitedAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{latest}"
    );
    assert_eq!(
        server.psql(
            APP_DB,
            "SELECT count(*) || ' ' || max(details->>'referrer') FROM visits"
        ),
        "2 newsletter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_health_stores_a_snapshot_and_reads_the_days_history() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let port = server.port;
    let deployed = example("cluster-health", |yaml| {
        yaml.replace("postgres.monitoring.svc.cluster.local", "127.0.0.1")
            .replace("5432", &port.to_string())
            .replace("\"postgres\"", &format!("\"{APP_USER}\""))
            .replace("user: postgres", &format!("user: {APP_USER}"))
    })
    .secret("postgres", json!({"password": APP_PASSWORD}))
    .deploy();
    let input = json!({
        "nodes": [{"name": "n1", "ready": true}, {"name": "n2", "ready": false}],
        "pods": [
            {"namespace": "web", "name": "a", "phase": "Running"},
            {"namespace": "jobs", "name": "b", "phase": "CrashLoopBackOff"},
        ],
    });
    let result = deployed.run(input).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(
        output_of(&result, "store-health-data"),
        &json!({"stored": true, "rowId": 1})
    );
    let history = output_of(&result, "query-health-history");
    assert_eq!(history["snapshotCount"], json!(1), "{}", show(&result));
    let record = &history["records"][0];
    assert_eq!(record["id"], json!(1));
    assert_eq!(record["totalNodes"], json!(2));
    assert_eq!(record["readyNodes"], json!(1));
    assert_eq!(record["problemPods"], json!(1));
    assert_eq!(record["namespacesJson"], json!(["jobs", "web"]));
    assert_eq!(
        record["problemPodsJson"],
        json!([{"namespace": "jobs", "name": "b", "phase": "CrashLoopBackOff"}])
    );
    assert!(
        record["collectedAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(
        server.psql(
            APP_DB,
            "SELECT jsonb_array_length(nodes_json) FROM health_snapshots"
        ),
        "2"
    );
}
