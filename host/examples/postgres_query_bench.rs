//! The cost of a PostgreSQL query from a node, sandbox included, against the same query from
//! tokio-postgres directly: `cargo run --release -p tntc-host --example postgres_query_bench
//! [-- RUNS]` (default 1000 runs after 100 warm-up runs). It starts a real PostgreSQL server
//! (`tntc-pg-testkit`, Debian's postgresql), compiles a one-node workflow whose node connects
//! with `jsr:@db/postgres`, runs `SELECT $1::int + 1 AS n`, and ends the client, and times
//! each `Deployment::execute` (fresh sandbox, pooled connection checkout, the query, `end()`).
//! The peer runs the same text with the same parameter on one open tokio-postgres
//! connection (`Client::query`, which also prepares the statement each time). Prints p50,
//! p90 and p99 of both and their ratio.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tntc_host::deployment::{Deployment, NodeBuild, Shared};
use tntc_host::logs::CapturedLogs;
use tntc_host::secrets::Secrets;
use tntc_pg_testkit::{APP_DB, APP_PASSWORD, APP_USER, PgServer};
use tntc_sandbox::{Sandbox, SandboxConfig};

const NODE: &str = r#"import type { Context } from "tentacular";
import { Client } from "jsr:@db/postgres@0.19.5";

export default async function run(ctx: Context, input: { n: number }) {
  const db = ctx.dependency("db");
  const client = new Client({ hostname: db.host, port: db.port, database: db.database, user: db.user, password: db.secret });
  await client.connect();
  try {
    const { rows } = await client.queryObject<{ n: number }>("SELECT $1::int + 1 AS n", [input.n]);
    return { n: rows[0].n };
  } finally {
    await client.end();
  }
}
"#;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn summary(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let (p50, p90, p99) = (
        percentile(&samples, 0.5),
        percentile(&samples, 0.9),
        percentile(&samples, 0.99),
    );
    println!(
        "{name:<44} p50 {:>8.1} us   p90 {:>8.1} us   p99 {:>8.1} us   ({} runs)",
        p50.as_secs_f64() * 1e6,
        p90.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        samples.len()
    );
    p50
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().expect("RUNS is a number"));
    let warmup = 100;
    let server = PgServer::start_or_skip().expect("PostgreSQL is installed (scripts/setup)");
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = format!(
        "name: pg-bench\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  query:\n    path: ./nodes/query.ts\n\
         contract:\n  version: \"1\"\n  dependencies:\n    db:\n      protocol: postgresql\n      host: 127.0.0.1\n      \
         port: {}\n      database: {APP_DB}\n      user: {APP_USER}\n      auth:\n        type: password\n        secret: pg.password\n",
        server.port
    );
    std::fs::write(dir.path().join("workflow.yaml"), yaml).expect("workflow.yaml");
    std::fs::create_dir(dir.path().join("nodes")).expect("nodes dir");
    std::fs::write(dir.path().join("nodes/query.ts"), NODE).expect("node");
    let loaded = tntc_spec::load(dir.path()).expect("readable");
    let checked = loaded.result.expect("valid workflow");
    let cache = tempfile::tempdir().expect("cache dir");
    let sandbox =
        Sandbox::new(SandboxConfig::with_cache_dir(cache.path().to_path_buf())).expect("sandbox");
    let compiled =
        tntc_build::compile(dir.path(), &checked, &sandbox, |_| {}).expect("the node compiles");
    let modules: BTreeMap<String, NodeBuild> = compiled
        .into_iter()
        .map(|node| {
            let uses = Some(node.code_uses());
            (
                node.id,
                NodeBuild {
                    wasm: node.wasm,
                    uses,
                },
            )
        })
        .collect();
    let mut secrets = Secrets::new();
    secrets.insert(
        "pg",
        json!({"password": APP_PASSWORD})
            .as_object()
            .cloned()
            .expect("object"),
    );
    let shared = Shared {
        sandbox,
        fetch: tntc_fetch::FetchClient::new(tntc_fetch::FetchConfig::default()).expect("fetch"),
        postgres: tntc_host::deployment::postgres_pools(None).expect("pools"),
        logs: Arc::new(CapturedLogs::default()),
    };
    let deployment =
        Arc::new(Deployment::prepare(&shared, checked, modules, secrets).expect("deploys"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");

    let node = runtime.block_on(async {
        let mut samples = Vec::with_capacity(runs);
        for i in 0..warmup + runs {
            let started = Instant::now();
            let result = deployment.execute(json!({"n": i})).await;
            let elapsed = started.elapsed();
            assert!(result.success, "run {i}: {:?}", result.errors);
            assert_eq!(result.outputs["query"], json!({"n": i + 1}));
            if i >= warmup {
                samples.push(elapsed);
            }
        }
        samples
    });

    let peer = runtime.block_on(async {
        let (client, connection) = tokio_postgres::Config::new()
            .host("127.0.0.1")
            .port(server.port)
            .user(APP_USER)
            .password(APP_PASSWORD)
            .dbname(APP_DB)
            .connect(tokio_postgres::NoTls)
            .await
            .expect("tokio-postgres connects");
        tokio::spawn(connection);
        let mut samples = Vec::with_capacity(runs);
        for i in 0..(warmup + runs) as i32 {
            let started = Instant::now();
            let rows = client
                .query("SELECT $1::int + 1 AS n", &[&i])
                .await
                .expect("query");
            let elapsed = started.elapsed();
            assert_eq!(rows[0].get::<_, i32>(0), i + 1);
            if i as usize >= warmup {
                samples.push(elapsed);
            }
        }
        samples
    });

    println!(
        "PostgreSQL 127.0.0.1:{}, {runs} runs after {warmup} warm-up",
        server.port
    );
    let a = summary("node run (sandbox + connect + query + end)", node);
    let b = summary("tokio-postgres, same query, open connection", peer);
    println!("ratio of p50s: {:.1}x", a.as_secs_f64() / b.as_secs_f64());
}
