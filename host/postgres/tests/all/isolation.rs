//! Runs on the same dependency share pooled connections but never a session's state.

use serde_json::json;
use tntc_pg_testkit::PgServer;

use crate::support::{connect, idle, policy, pools, query, run, target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_connection_has_none_of_the_previous_runs_temp_tables_or_settings() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    let first = run(&pools, &policy);
    let s = connect(&first).await.expect("connects");
    let pid = query(&first, s, "SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .rows[0][0]
        .clone();
    query(&first, s, "CREATE TEMP TABLE scratch (x int)", &[])
        .await
        .unwrap();
    query(&first, s, "SET application_name = 'leaked'", &[])
        .await
        .unwrap();
    query(&first, s, "PREPARE leaked_plan AS SELECT 1", &[])
        .await
        .unwrap();
    // The run ends without end(): dropping its sessions gives the connection back.
    drop(first);
    idle(&pools, 1).await;

    let second = run(&pools, &policy);
    let s = connect(&second).await.expect("connects");
    let same = query(&second, s, "SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .rows[0][0]
        .clone();
    assert_eq!(same, pid, "the pooled connection is reused");
    let temp = query(
        &second,
        s,
        "SELECT to_regclass('pg_temp.scratch')::text",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(temp.rows, vec![vec![json!(null)]], "the temp table is gone");
    let name = query(&second, s, "SHOW application_name", &[])
        .await
        .unwrap();
    assert_eq!(name.rows, vec![vec![json!("tntc")]]);
    let plans = query(
        &second,
        s,
        "SELECT count(*) FROM pg_prepared_statements WHERE name = 'leaked_plan'",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(plans.rows, vec![vec![json!(0)]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_runs_do_not_see_each_others_temp_tables_or_settings() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    let (a, b) = (run(&pools, &policy), run(&pools, &policy));
    let (sa, sb) = (connect(&a).await.unwrap(), connect(&b).await.unwrap());
    query(&a, sa, "CREATE TEMP TABLE mine (x int)", &[])
        .await
        .unwrap();
    query(&a, sa, "SET statement_timeout = '1234ms'", &[])
        .await
        .unwrap();
    let (seen, setting) = tokio::join!(
        query(&b, sb, "SELECT to_regclass('pg_temp.mine')::text", &[]),
        query(&b, sb, "SHOW statement_timeout", &[]),
    );
    assert_eq!(seen.unwrap().rows, vec![vec![json!(null)]]);
    assert_eq!(setting.unwrap().rows, vec![vec![json!("0")]]);
    let own = query(&a, sa, "SHOW statement_timeout", &[]).await.unwrap();
    assert_eq!(own.rows, vec![vec![json!("1234ms")]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_transaction_is_rolled_back_before_the_connection_is_reused() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    let first = run(&pools, &policy);
    let s = connect(&first).await.unwrap();
    query(&first, s, "CREATE TABLE kept (x int)", &[])
        .await
        .unwrap();
    query(&first, s, "BEGIN", &[]).await.unwrap();
    query(&first, s, "INSERT INTO kept VALUES (1)", &[])
        .await
        .unwrap();
    first.end(s).await.unwrap();
    idle(&pools, 1).await;
    let second = run(&pools, &policy);
    let s = connect(&second).await.unwrap();
    let rows = query(&second, s, "SELECT count(*) FROM kept", &[])
        .await
        .unwrap();
    assert_eq!(rows.rows, vec![vec![json!(0)]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_to_back_runs_wait_for_the_reset_instead_of_opening_connections() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    for _ in 0..20 {
        let r = run(&pools, &policy);
        let s = connect(&r).await.unwrap();
        query(&r, s, "SELECT 1", &[]).await.unwrap();
        // end() hands the connection to a background reset; the next run starts at once.
        r.end(s).await.unwrap();
    }
    idle(&pools, 1).await;
    let open = server.psql(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'",
    );
    assert_eq!(open, "1", "one connection served every run");
}
