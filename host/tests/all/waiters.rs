//! Many waiters, no threads: node runs waiting on the network suspend their sandbox's
//! fiber instead of holding a thread, so a hundred runs can wait on one upstream at once,
//! through the real host.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::servers::{Reply, TestServer};
use crate::support::{dag, show};

/// Threads of this process, from /proc (Linux).
fn thread_count() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_runs_waiting_on_a_dependency_wait_at_once_without_a_thread_each() {
    const RUNS: usize = 100;
    // The upstream answers nobody until all RUNS requests have arrived, so every run
    // finishing proves they all waited at the same time. This is the real host and
    // sandbox, whose clocks are not tokio's to pause; an answer held on a count rather
    // than a wall-clock window ("100 one-second waits took under 5 s") holds on a
    // loaded machine too.
    let slow =
        TestServer::https(|seen| Reply::json(json!({"waited": seen.target})).once_seen(RUNS)).await;
    let contract = format!(
        "contract:\n  version: \"1\"\n  dependencies:\n    slow:\n      protocol: https\n      host: 127.0.0.1\n      port: {}\n",
        slow.port()
    );
    let flow = dag(
        &[(
            "wait",
            "import type { Context } from \"tentacular\";
export default async function run(ctx: Context, input: { n: number }) {
  const response = await ctx.dependency(\"slow\").fetch!(`/wait?n=${input.n}`);
  return { n: input.n, body: await response.json() };
}
",
        )],
        &[],
        &contract,
    )
    .deploy();

    let threads_before = thread_count();
    let runs: Vec<_> = (0..RUNS)
        .map(|n| {
            let deployment = flow.deployment.clone();
            tokio::spawn(async move { deployment.execute(json!({ "n": n })).await })
        })
        .collect();
    // Once the upstream holds every request, every run is suspended: no thread per waiter.
    // (The bound only turns a hang into a failure that says what happened.)
    let deadline = Instant::now() + Duration::from_secs(60);
    while slow.hits() < RUNS {
        assert!(
            Instant::now() < deadline,
            "only {} of {RUNS} runs reached the upstream together",
            slow.hits()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let threads_waiting = thread_count();
    let mut outputs = Vec::new();
    for run in runs {
        let result = run.await.expect("a run");
        assert!(result.success, "{}", show(&result));
        outputs.push(result.outputs["wait"]["n"].as_u64().expect("n"));
    }

    assert_eq!(outputs, (0..RUNS as u64).collect::<Vec<_>>());
    assert_eq!(slow.hits(), RUNS);
    assert!(
        threads_waiting < threads_before + 20,
        "{} threads while {RUNS} runs waited (from {threads_before})",
        threads_waiting
    );
}
