//! Escape suite, resources: a node that spins, hoards memory, recurses without end,
//! returns too much or never finishes is stopped, reported in words a person understands,
//! and costs nobody else anything. Every run goes through the real HTTP API, whose
//! `/health` must keep answering during and after.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::api::Served;
use crate::support::{one_node, repo_nodes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_loop_is_stopped_at_the_timeout_without_delaying_another_workflow() {
    let spinner = one_node("spin", "busy_loop", "    timeout: 3s\n", "").deploy();
    let worker = one_node("work", "quick_compute", "", "").deploy();
    let spinning = Served::start(spinner.deployment.clone()).await;
    let working = Served::start(worker.deployment.clone()).await;

    let started = Instant::now();
    let spin = tokio::spawn(async move {
        let outcome = spinning.run_while_healthy(&json!({})).await;
        (outcome, started.elapsed())
    });
    // While the node spins, a run of another workflow takes only its own time: started
    // once the node spins, it ends before the node is stopped. (An order, not a window:
    // the sandbox's deadline is the real clock, and a loaded machine stretches every run,
    // not the order.)
    let spinning_since = Instant::now();
    while !spinner
        .logs
        .formatted()
        .iter()
        .any(|l| l == "[spin] INFO spinning")
    {
        assert!(
            spinning_since.elapsed() < Duration::from_secs(60),
            "the node never started spinning"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, result) = working.run(&json!({"n": 100_000})).await;
    assert_eq!(status, 200, "{result}");
    assert!(
        !spin.is_finished(),
        "the other workflow's run ended only after the spinning node was stopped"
    );

    let ((status, result), spun) = tokio::time::timeout(Duration::from_secs(60), spin)
        .await
        .expect("the spinning node is stopped")
        .expect("the spinning run");
    assert_eq!(status, 500);
    assert_eq!(
        result["errors"]["spin"],
        "Node \"spin\" timed out after 3000ms"
    );
    // Not before its timeout; that it was stopped at all is the message above.
    assert!(spun >= Duration::from_secs(3), "stopped early: {spun:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_bomb_is_stopped_at_the_memory_limit() {
    let flow = one_node("bomb", "memory_bomb", "", "").deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 500);
    assert_eq!(
        result["errors"]["bomb"],
        "Node \"bomb\" exceeded its 64 MiB memory limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_memory_setting_sets_the_limit_it_is_stopped_at() {
    let flow = one_node("bomb", "memory_bomb", "    memory: 32Mi\n", "").deploy();
    let result = flow.run(json!({})).await;
    assert_eq!(
        result.errors["bomb"],
        "Node \"bomb\" exceeded its 32 MiB memory limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_recursion_is_reported_as_a_stack_overflow() {
    // Plain recursion, recursion through functions with many locals (which QuickJS keeps
    // on the runtime's in-memory stack, besides wasmtime's native one), and recursion
    // inside the engine (serialising deep data).
    let flow = repo_nodes(
        &[
            ("plain", "deep_recursion"),
            ("locals", "deep_recursion_with_many_locals"),
            ("nested", "deeply_nested_data"),
        ],
        &[],
    )
    .deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 500);
    for node in ["plain", "locals", "nested"] {
        assert_eq!(
            result["errors"][node],
            format!("Node \"{node}\" overflowed its stack (unbounded recursion?)"),
            "{result}"
        );
    }
    // The next run is a fresh sandbox and fails the same way.
    let (status, again) = served.run(&json!({})).await;
    assert_eq!((status, &again["errors"]), (500, &result["errors"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_over_the_cap_is_an_error_not_a_truncation() {
    let flow = one_node("huge", "huge_output", "    memory: 128Mi\n", "").deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let answer = served
        .while_probing_health(served.post("/run", &json!({})))
        .await
        .0;
    assert_eq!(answer.status, 500);
    assert!(
        answer.body.len() < 64 * 1024,
        "the output did not come back"
    );
    let result = answer.json();
    assert_eq!(
        result["errors"]["huge"],
        "Node \"huge\" returned 17.0 MiB of output, over its 16 MiB limit"
    );
    assert_eq!(result["outputs"], json!({}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promise_that_never_settles_ends_the_node_at_once() {
    let flow = one_node("stuck", "never_settles", "", "").deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let started = Instant::now();
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 500);
    assert_eq!(
        result["errors"]["stuck"],
        "Node \"stuck\" never settled: its promise was still pending with no timer or fetch left to wait for"
    );
    // Nothing could settle it, so there is no point waiting for the 30 s timeout.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cpu_budget_stops_a_busy_loop_before_its_timeout() {
    let flow = one_node(
        "spin",
        "busy_loop",
        "",
        "config:\n  timeout: 20s\n  fuel: 50000000\n",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    // Which limit stopped it is in the message: the 20 s timeout would say "timed out".
    assert_eq!(
        result.errors["spin"],
        "Node \"spin\" exceeded its CPU budget of 50000000 fuel units"
    );
}
