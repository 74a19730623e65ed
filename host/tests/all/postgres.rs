//! Nodes using `jsr:@db/postgres`, compiled and run in the real sandbox against a real
//! PostgreSQL server (`tntc-pg-testkit`): the driver's values, transactions, pools, errors,
//! and the contract's limits.

use serde_json::{Value, json};
use tntc_pg_testkit::{APP_PASSWORD, PgServer};

use crate::support::{Deployed, dag, dag_with, error_of, output_of, show};

fn contract(server: &PgServer) -> String {
    format!(
        "contract:\n  version: \"1\"\n  dependencies:\n    db:\n      protocol: postgresql\n      \
         host: 127.0.0.1\n      port: {}\n      database: appdb\n      user: app\n      auth:\n        \
         type: password\n        secret: postgres.password\n",
        server.port
    )
}

fn deploy(server: &PgServer, node: &str, password: &str) -> Deployed {
    dag(&[("store", node)], &[], &contract(server))
        .secret("postgres", json!({"password": password}))
        .deploy()
}

const CONNECT: &str = r#"
    const dep = ctx.dependency("db");
    const client = new Client({
      hostname: dep.host, port: dep.port, database: dep.database, user: dep.user, password: dep.secret,
      tls: { enabled: false },
    });
    await client.connect();
"#;

fn node(body: &str) -> String {
    format!(
        "import type {{ Context }} from \"tentacular\";\nimport {{ Client, Pool, PostgresError, TransactionError }} from \"jsr:@db/postgres@0.19.5\";\n\
         export default async function run(ctx: Context, input: any) {{\n{CONNECT}\n  try {{\n{body}\n  }} finally {{\n    await client.end();\n  }}\n}}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_round_trips_between_javascript_and_postgresql() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let body = r#"
    await client.queryArray(`CREATE TABLE t (b bool, i2 int2, i4 int4, i8 int8, big int8, f4 float4, f8 float8,
      n numeric, t text, v varchar(20), u uuid, j json, jb jsonb, tz timestamptz, ts timestamp, d date, by bytea,
      ai int4[], at text[], nul text)`);
    const when = new Date("2025-01-15T12:00:00.123Z");
    const inserted = await client.queryArray(
      `INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
       RETURNING i4`,
      [true, -7, 2147483647, 42, 9007199254740993n, 1.5, 1234.567890123, "12345678901234567890.000123",
       "héllo 'q' \"dq\" \\ ;", "short", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", JSON.stringify([1, "two"]), { nested: { ok: true }, n: null },
       when, when, "2025-01-15", new Uint8Array([0, 255, 16]), [1, null, 3], ["a,b", 'c"d', null], null],
    );
    const { rows, columns, rowCount, command } = await client.queryObject("SELECT * FROM t");
    const r = rows[0];
    return {
      inserted: { command: inserted.command, rowCount: inserted.rowCount, rows: inserted.rows },
      command, rowCount, columns,
      b: r.b, i2: r.i2, i4: r.i4, i8: [typeof r.i8, r.i8], big: [typeof r.big, r.big.toString()],
      f4: r.f4, f8: r.f8, n: r.n, t: r.t, v: r.v, u: r.u, j: r.j, jb: r.jb,
      tz: r.tz instanceof Date ? r.tz.toISOString() : "not a Date",
      ts: r.ts instanceof Date ? r.ts.toISOString() : "not a Date",
      d: r.d instanceof Date ? r.d.toISOString() : "not a Date",
      by: r.by instanceof Uint8Array ? Array.from(r.by) : "not bytes",
      ai: r.ai, at: r.at, nul: r.nul,
    };
    "#;
    let deployed = deploy(&server, &node(body), APP_PASSWORD);
    let result = deployed.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(
        output_of(&result, "store"),
        &json!({
            "inserted": {"command": "INSERT", "rowCount": 1, "rows": [[2147483647]]},
            "command": "SELECT", "rowCount": 1,
            "columns": ["b", "i2", "i4", "i8", "big", "f4", "f8", "n", "t", "v", "u", "j", "jb", "tz", "ts", "d", "by", "ai", "at", "nul"],
            "b": true, "i2": -7, "i4": 2147483647, "i8": ["number", 42], "big": ["bigint", "9007199254740993"],
            "f4": 1.5, "f8": 1234.567890123, "n": "12345678901234567890.000123",
            "t": "héllo 'q' \"dq\" \\ ;", "v": "short", "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "j": [1, "two"], "jb": {"n": null, "nested": {"ok": true}},
            "tz": "2025-01-15T12:00:00.123Z", "ts": "2025-01-15T12:00:00.123Z", "d": "2025-01-15T00:00:00.000Z",
            "by": [0, 255, 16], "ai": [1, null, 3], "at": ["a,b", "c\"d", null], "nul": null,
        })
    );
    // What the node wrote is really in the database.
    assert_eq!(
        server.psql(
            "appdb",
            "SELECT big::text || ' ' || (jb->>'nested') || ' ' || encode(by, 'hex') FROM t"
        ),
        "9007199254740993 {\"ok\": true} 00ff10"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_roll_back_commit_and_abort_on_errors() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let body = r#"
    await client.queryArray("CREATE TABLE items (id int PRIMARY KEY, name text)");
    const rolled = client.createTransaction("rolled");
    await rolled.begin();
    await rolled.queryArray("INSERT INTO items VALUES ($1, $2)", [1, "gone"]);
    await rolled.rollback();
    const kept = client.createTransaction("kept", { isolation_level: "serializable" });
    await kept.begin();
    await kept.queryArray`INSERT INTO items VALUES (${2}, ${"kept"})`;
    let locked = "";
    try { await client.queryArray("SELECT 1"); } catch (e) { locked = e.message; }
    await kept.commit();
    const failing = client.createTransaction("failing");
    await failing.begin();
    await failing.queryArray("INSERT INTO items VALUES (3, 'lost')");
    let aborted = null;
    try {
      await failing.queryArray("INSERT INTO items VALUES (2, 'duplicate')");
    } catch (e) {
      aborted = { name: e.name, isTransactionError: e instanceof TransactionError,
        cause: e.cause instanceof PostgresError ? e.cause.fields.code : null };
    }
    const { rows } = await client.queryObject({ text: "SELECT id, name AS item_name FROM items ORDER BY id", camelCase: true });
    const renamed = await client.queryObject({ text: "SELECT id, name FROM items", fields: ["key", "value"] });
    return { locked, aborted, rows, renamed: renamed.rows };
    "#;
    let deployed = deploy(&server, &node(body), APP_PASSWORD);
    let result = deployed.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(
        output_of(&result, "store"),
        &json!({
            "locked": "This connection is currently locked by the \"kept\" transaction",
            "aborted": {"name": "TransactionError", "isTransactionError": true, "cause": "23505"},
            "rows": [{"id": 2, "itemName": "kept"}],
            "renamed": [{"key": 2, "value": "kept"}],
        })
    );
    assert_eq!(server.psql("appdb", "SELECT count(*) FROM items"), "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_hands_out_clients_that_release_their_sessions() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let node = r#"
import { Pool } from "jsr:@db/postgres@0.19.5";
export default async function run(ctx: any) {
  const pool = new Pool("postgres://app@127.0.0.1:PORT/appdb", 2, true);
  const a = await pool.connect();
  const b = await pool.connect();
  const [x, y] = await Promise.all([
    a.queryArray("SELECT pg_backend_pid()"),
    b.queryArray("SELECT pg_backend_pid()"),
  ]);
  const available = pool.available;
  a.release();
  b.release();
  await pool.end();
  return { distinct: x.rows[0][0] !== y.rows[0][0], available };
}
"#
    .replace("PORT", &server.port.to_string());
    // The code names no dependency (a connection string): workflow.yaml grants it.
    let deployed = dag_with(
        &[("store", &node)],
        &[("store", "    dependencies: [db]\n")],
        &[],
        &contract(&server),
    )
    .secret("postgres", json!({"password": APP_PASSWORD}))
    .deploy();
    let result = deployed.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(
        output_of(&result, "store"),
        &json!({"distinct": true, "available": 0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_become_the_nodes_error_with_their_fields() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let caught = r#"
    try {
      await client.queryArray("SELEC 1");
    } catch (e) {
      return { name: e.name, message: e.message, code: e.fields.code, position: e.fields.position, isPg: e instanceof PostgresError };
    }
    "#;
    let deployed = deploy(&server, &node(caught), APP_PASSWORD);
    let result = deployed.run(json!({})).await;
    assert_eq!(
        output_of(&result, "store"),
        &json!({"name": "PostgresError", "message": "syntax error at or near \"SELEC\"", "code": "42601", "position": "1", "isPg": true})
    );
    let timeout = r#"
    await client.queryArray("SET statement_timeout = '50ms'");
    await client.queryArray("SELECT pg_sleep(3)");
    "#;
    let deployed = deploy(&server, &node(timeout), APP_PASSWORD);
    let result = deployed.run(json!({})).await;
    assert_eq!(
        error_of(&result, "store"),
        "canceling statement due to statement timeout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_fails_the_node_with_the_servers_message_and_never_the_password() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let deployed = deploy(&server, &node("return 1;"), "wrong-pw-5150");
    let result = deployed.run(json!({})).await;
    let error = error_of(&result, "store");
    assert!(
        error.contains("password authentication failed for user \"app\""),
        "{error}"
    );
    assert!(
        !show(&result).contains("wrong-pw-5150"),
        "{}",
        show(&result)
    );
    assert!(
        !deployed
            .logs
            .formatted()
            .join("\n")
            .contains("wrong-pw-5150")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_or_nodes_outside_the_contract_are_refused_before_connecting() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let other_host = r#"
import { Client } from "jsr:@db/postgres@0.19.5";
export default async function run() {
  const client = new Client({ hostname: "db.evil.example", port: 5432, database: "appdb", user: "app", password: "x" });
  await client.connect();
  return "connected";
}
"#;
    let deployed = dag_with(
        &[("store", other_host)],
        &[("store", "    dependencies: [db]\n")],
        &[],
        &contract(&server),
    )
    .secret("postgres", json!({"password": APP_PASSWORD}))
    .deploy();
    let result = deployed.run(json!({})).await;
    let error = error_of(&result, "store");
    assert!(
        error.contains("host db.evil.example")
            && error.contains(&format!(
                "db (host 127.0.0.1:{}, database appdb, user app)",
                server.port
            )),
        "{error}"
    );
    // A node scoped away from the dependency: the contract declares it, the node may not use it.
    let unscoped = r#"
import { Client } from "jsr:@db/postgres@0.19.5";
export default async function run() {
  const client = new Client();
  await client.connect();
  return "connected";
}
"#;
    let scoped = dag_with(
        &[
            ("store", unscoped),
            ("other", "export default async () => 1;"),
        ],
        &[("store", "    dependencies: []\n")],
        &[],
        &contract(&server),
    )
    .secret("postgres", json!({"password": APP_PASSWORD}))
    .deploy();
    let result = scoped.run(json!({})).await;
    let error: &Value = &result.errors["store"];
    let error = error.as_str().unwrap_or_default();
    assert!(
        error.contains("nodes.store.dependencies"),
        "{}",
        show(&result)
    );
    let connections = server.psql(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'",
    );
    assert_eq!(connections, "0", "no session was opened for a refused node");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deno_file_and_env_apis_fail_as_without_the_file_so_fallbacks_run() {
    // The original's nodes read the in-cluster token and fall back when it is not mounted.
    let node = r#"
import type { Context } from "tentacular";
const TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
export default async function run(ctx: Context) {
  let token = "none";
  let kind = "";
  try {
    token = await Deno.readTextFile(TOKEN);
  } catch (e) {
    kind = e instanceof Deno.errors.NotFound ? "NotFound" : String(e);
    token = (ctx.config.token as string) ?? "none";
  }
  let bytes = "";
  try { await Deno.readFile(new URL("file:///etc/hostname")); } catch (e) { bytes = (e as Error).message; }
  let stat = "";
  try { await Deno.stat(TOKEN); } catch (e) { stat = (e as Error).name; }
  return { token, kind, bytes, stat, env: Deno.env.get("KUBERNETES_SERVICE_HOST") ?? null };
}
"#;
    let deployed = dag(&[("probe", node)], &[], "config:\n  token: from-config\n").deploy();
    let result = deployed.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(
        output_of(&result, "probe"),
        &json!({
            "token": "from-config",
            "kind": "NotFound",
            "bytes": "No such file or directory (os error 2): readfile '/etc/hostname'",
            "stat": "NotFound",
            "env": null,
        })
    );
}
