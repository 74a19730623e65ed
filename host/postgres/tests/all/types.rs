//! Every supported type goes in as text and comes back as the JSON its kind says.

use serde_json::{Value, json};
use tntc_pg_testkit::PgServer;

use crate::support::{connect, policy, pools, query, run, target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_supported_type_round_trips_and_reports_its_kind() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    let run = run(&pools, &policy);
    let s = connect(&run).await.expect("connects");
    query(
        &run,
        s,
        "CREATE TABLE every_type (b bool, i2 int2, i4 int4, i8 int8, big int8, f4 float4, \
         f8 float8, n numeric, t text, v varchar(10), u uuid, j json, jb jsonb, tz timestamptz, \
         ts timestamp, d date, by bytea, ai int4[], at text[], nested int4[][], nul text)",
        &[],
    )
    .await
    .expect("creates");
    let insert = query(
        &run,
        s,
        "INSERT INTO every_type VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20, $21) RETURNING i4",
        &[
            Some("true"),
            Some("-7"),
            Some("2147483647"),
            Some("9007199254740991"),
            Some("9223372036854775807"),
            Some("1.5"),
            Some("1234.567890123"),
            Some("12345678901234567890.000123"),
            Some("héllo; 'quoted'"),
            Some("short"),
            Some("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            Some(r#"{"a": [1, 2]}"#),
            Some(r#"{"nested": {"ok": true}, "n": null}"#),
            Some("2025-01-15T12:00:00.123Z"),
            Some("2025-01-15T12:00:00"),
            Some("2025-01-15"),
            Some("\\x00ff10"),
            Some("{1,NULL,3}"),
            Some(r#"{"a,b","c\"d",NULL}"#),
            Some("{{1,2},{3,4}}"),
            None,
        ],
    )
    .await
    .expect("inserts");
    assert_eq!(insert.command, "INSERT");
    assert_eq!(insert.row_count, Some(1));
    assert_eq!(insert.rows, vec![vec![json!(2147483647)]]);

    let select = query(&run, s, "SELECT * FROM every_type", &[])
        .await
        .expect("selects");
    assert_eq!(select.command, "SELECT");
    assert_eq!(select.row_count, Some(1));
    let kinds: Vec<&str> = select.columns.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "bool",
            "int",
            "int",
            "int8",
            "int8",
            "float",
            "float",
            "numeric",
            "text",
            "text",
            "text",
            "json",
            "json",
            "timestamptz",
            "timestamp",
            "date",
            "bytea",
            "int[]",
            "text[]",
            "int[]",
            "text"
        ]
    );
    let row = &select.rows[0];
    let expected: Vec<Value> = vec![
        json!(true),
        json!(-7),
        json!(2147483647),
        json!(9007199254740991i64),
        json!("9223372036854775807"),
        json!(1.5),
        json!(1234.567890123),
        json!("12345678901234567890.000123"),
        json!("héllo; 'quoted'"),
        json!("short"),
        json!("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        json!({"a": [1, 2]}),
        json!({"n": null, "nested": {"ok": true}}),
        json!(1736942400123.0),
        json!(1736942400000.0),
        json!(1736899200000.0),
        json!("AP8Q"),
        json!([1, null, 3]),
        json!(["a,b", "c\"d", null]),
        json!([[1, 2], [3, 4]]),
        Value::Null,
    ];
    for (i, (got, want)) in row.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "column {}", select.columns[i].name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_statements_without_arguments_run_as_one_batch() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    let run = run(&pools, &policy);
    let s = connect(&run).await.expect("connects");
    let batch = query(
        &run,
        s,
        "CREATE TABLE IF NOT EXISTS snapshots (id SERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL);\n\
         CREATE INDEX IF NOT EXISTS idx_at ON snapshots (at DESC);",
        &[],
    )
    .await
    .expect("the batch runs");
    assert_eq!(batch.command, "CREATE");
    let indexes = server.psql(
        tntc_pg_testkit::APP_DB,
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_at'",
    );
    assert_eq!(indexes, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsupported_type_names_the_column_and_the_cast() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let pools = pools();
    let policy = policy(target(&server));
    let run = run(&pools, &policy);
    let s = connect(&run).await.expect("connects");
    let error = query(&run, s, "SELECT interval '1 day' AS span", &[])
        .await
        .unwrap_err();
    assert!(error.message.contains("span::text"), "{error}");
    let ok = query(&run, s, "SELECT (interval '1 day')::text AS span", &[])
        .await
        .expect("cast to text");
    assert_eq!(ok.rows, vec![vec![json!("1 day")]]);
}
