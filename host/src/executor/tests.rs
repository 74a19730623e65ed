//! The executor with a fake runner. Its nodes sleep on tokio's clock and the executor's
//! backoff is tokio time too, so every test runs on paused time (`start_paused`): a delay
//! costs nothing, and when something happens is exact, not a window on a loaded machine.

use std::sync::Mutex;

use serde_json::json;
use tntc_spec::SourceFile;
use tokio::time::Instant;

use super::*;

type Behaviour = dyn Fn(&str, &Value, u32) -> Result<Value, NodeError> + Send + Sync;

/// A runner whose nodes are closures; records every attempt.
struct FakeRunner {
    behaviour: Box<Behaviour>,
    delays: BTreeMap<String, Duration>,
    calls: Mutex<Vec<Call>>,
    started: Instant,
}

#[derive(Clone, Debug)]
struct Call {
    node: String,
    input: Value,
    timeout: Duration,
    at: Duration,
}

impl FakeRunner {
    fn new(
        behaviour: impl Fn(&str, &Value, u32) -> Result<Value, NodeError> + Send + Sync + 'static,
    ) -> Arc<FakeRunner> {
        Arc::new(FakeRunner {
            behaviour: Box::new(behaviour),
            delays: BTreeMap::new(),
            calls: Mutex::new(Vec::new()),
            started: Instant::now(),
        })
    }

    fn with_delays(
        behaviour: impl Fn(&str, &Value, u32) -> Result<Value, NodeError> + Send + Sync + 'static,
        delays: &[(&str, u64)],
    ) -> Arc<FakeRunner> {
        Arc::new(FakeRunner {
            behaviour: Box::new(behaviour),
            delays: delays
                .iter()
                .map(|(n, ms)| (n.to_string(), Duration::from_millis(*ms)))
                .collect(),
            calls: Mutex::new(Vec::new()),
            started: Instant::now(),
        })
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("lock").clone()
    }
}

impl NodeRunner for FakeRunner {
    fn run(
        &self,
        node: &str,
        input: Value,
        timeout: Duration,
    ) -> BoxFuture<Result<Value, NodeError>> {
        let attempt = {
            let mut calls = self.calls.lock().expect("lock");
            let attempt = calls.iter().filter(|c| c.node == node).count() as u32;
            calls.push(Call {
                node: node.into(),
                input: input.clone(),
                timeout,
                at: self.started.elapsed(),
            });
            attempt
        };
        let result = (self.behaviour)(node, &input, attempt);
        let delay = self.delays.get(node).copied().unwrap_or_default();
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            result
        })
    }
}

fn plan(yaml_body: &str) -> Plan {
    let yaml = format!("name: t\nversion: \"1.0\"\ntriggers:\n  - type: manual\n{yaml_body}");
    let checked =
        tntc_spec::check(&SourceFile::new("workflow.yaml", yaml), None).expect("valid workflow");
    Plan::new(&checked.workflow, Arc::new(checked.dag))
}

fn nodes(ids: &[&str]) -> String {
    let mut s = String::from("nodes:\n");
    for id in ids {
        s.push_str(&format!("  {id}:\n    path: ./{id}.ts\n"));
    }
    s
}

fn edges(pairs: &[(&str, &str)]) -> String {
    let mut s = String::from("edges:\n");
    for (a, b) in pairs {
        s.push_str(&format!("  - {{from: {a}, to: {b}}}\n"));
    }
    s
}

/// Each node returns `{node, input}` so tests can see what it received.
fn echo(node: &str, input: &Value, _attempt: u32) -> Result<Value, NodeError> {
    Ok(json!({"node": node, "input": input}))
}

#[tokio::test(start_paused = true)]
async fn single_root_node_gets_the_trigger_input_and_null_becomes_an_object() {
    let plan = plan(&nodes(&["only"]));
    let result = execute(&plan, FakeRunner::new(echo), Value::Null).await;
    assert!(result.success);
    assert_eq!(result.outputs["only"], json!({"node": "only", "input": {}}));
    let result = execute(&plan, FakeRunner::new(echo), json!({"trigger": "daily"})).await;
    assert_eq!(result.outputs["only"]["input"], json!({"trigger": "daily"}));
}

#[tokio::test(start_paused = true)]
async fn chain_passes_each_output_as_is() {
    let plan = plan(&(nodes(&["a", "b"]) + &edges(&[("a", "b")])));
    let runner = FakeRunner::new(|node, input, _| {
        Ok(if node == "a" {
            json!([1, 2])
        } else {
            input.clone()
        })
    });
    let result = execute(&plan, runner.clone(), json!({})).await;
    assert_eq!(result.outputs["b"], json!([1, 2]));
    assert_eq!(runner.calls()[1].input, json!([1, 2]));
}

#[tokio::test(start_paused = true)]
async fn fan_in_gets_predecessors_keyed_in_edge_order() {
    let plan = plan(&(nodes(&["a", "z", "sink"]) + &edges(&[("z", "sink"), ("a", "sink")])));
    let runner = FakeRunner::new(|node, input, _| {
        Ok(if node == "sink" {
            input.clone()
        } else {
            json!(node)
        })
    });
    let result = execute(&plan, runner, json!({})).await;
    let keys: Vec<&String> = result.outputs["sink"]
        .as_object()
        .expect("object")
        .keys()
        .collect();
    assert_eq!(keys, ["z", "a"]);
}

#[tokio::test(start_paused = true)]
async fn fan_out_runs_siblings_concurrently() {
    let plan = plan(&(nodes(&["src", "x", "y"]) + &edges(&[("src", "x"), ("src", "y")])));
    let runner = FakeRunner::with_delays(echo, &[("x", 200), ("y", 200)]);
    let started = Instant::now();
    let result = execute(&plan, runner.clone(), json!({})).await;
    assert!(result.success);
    // Both start as soon as src settles, before either finishes: in sequence y would start
    // at 200 ms and the run take 400 ms.
    let calls = runner.calls();
    let x = calls.iter().find(|c| c.node == "x").expect("x ran").at;
    let y = calls.iter().find(|c| c.node == "y").expect("y ran").at;
    assert_eq!((x, y), (Duration::ZERO, Duration::ZERO));
    assert_eq!(started.elapsed(), Duration::from_millis(200));
}

#[tokio::test(start_paused = true)]
async fn diamond_outputs_are_in_dag_order_with_timings() {
    let plan = plan(
        &(nodes(&["fetch", "transform", "enrich", "notify"])
            + &edges(&[
                ("fetch", "transform"),
                ("fetch", "enrich"),
                ("transform", "notify"),
                ("enrich", "notify"),
            ])),
    );
    let result = execute(&plan, FakeRunner::new(echo), json!({})).await;
    let order: Vec<&String> = result.outputs.keys().collect();
    assert_eq!(order, ["fetch", "enrich", "transform", "notify"]);
    assert_eq!(result.timing.node_timings.len(), 4);
    let t = result.timing.node("notify").expect("timed");
    assert_eq!(t.duration_ms, t.completed_at - t.started_at);
    assert!(
        result.timing.started_at <= t.started_at && t.completed_at <= result.timing.completed_at
    );
}

#[tokio::test(start_paused = true)]
async fn failure_skips_later_stages_but_lets_its_stage_settle() {
    let plan = plan(
        &(nodes(&["a", "b", "c", "d"]) + &edges(&[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])),
    );
    let runner = FakeRunner::with_delays(
        |node, input, _| {
            if node == "b" {
                Err(NodeError::new("boom"))
            } else {
                echo(node, input, 0)
            }
        },
        &[("c", 100)],
    );
    let result = execute(&plan, runner.clone(), json!({})).await;
    assert!(!result.success);
    assert_eq!(result.errors["b"], "boom");
    assert!(
        result.outputs.contains_key("c"),
        "sibling in the failing stage settles"
    );
    assert!(!result.outputs.contains_key("d") && !result.errors.contains_key("d"));
    assert!(
        result.timing.node("d").is_none(),
        "skipped nodes have no timing"
    );
    assert!(!runner.calls().iter().any(|c| c.node == "d"));
}

#[tokio::test(start_paused = true)]
async fn retry_succeeds_after_backoff() {
    let plan = plan(&(nodes(&["flaky"]) + "config:\n  retries: 2\n"));
    let runner = FakeRunner::new(|_, _, attempt| {
        if attempt < 2 {
            Err(NodeError::new(format!("fail {attempt}")))
        } else {
            Ok(json!("ok"))
        }
    });
    let result = execute(&plan, runner.clone(), json!({})).await;
    assert!(result.success);
    assert_eq!(result.outputs["flaky"], "ok");
    let calls = runner.calls();
    assert_eq!(calls.len(), 3);
    // The documented backoff: 100 ms x 2^n between attempts.
    assert_eq!(calls[1].at - calls[0].at, Duration::from_millis(100));
    assert_eq!(calls[2].at - calls[1].at, Duration::from_millis(200));
}

#[tokio::test(start_paused = true)]
async fn a_backoff_base_scales_every_wait() {
    let plan = plan(&(nodes(&["flaky"]) + "config:\n  retries: 2\n"))
        .with_backoff(Duration::from_millis(5));
    let runner = FakeRunner::new(|_, _, attempt| Err(NodeError::new(format!("fail {attempt}"))));
    execute(&plan, runner.clone(), json!({})).await;
    let at: Vec<Duration> = runner.calls().iter().map(|c| c.at).collect();
    assert_eq!(
        at,
        [0, 5, 15].map(Duration::from_millis),
        "attempts at 0, +5 ms, +10 ms"
    );
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_report_the_last_error() {
    let plan = plan(&(nodes(&["bad"]) + "config:\n  retries: 1\n"));
    let runner = FakeRunner::new(|_, _, attempt| Err(NodeError::new(format!("fail {attempt}"))));
    let result = execute(&plan, runner.clone(), json!({})).await;
    assert_eq!(result.errors["bad"], "fail 1");
    assert_eq!(runner.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn each_attempt_gets_the_node_timeout_or_the_workflow_timeout() {
    let yaml = "nodes:\n  quick:\n    path: ./q.ts\n    timeout: 500ms\n  slow:\n    path: ./s.ts\nconfig:\n  timeout: 2m\n";
    let runner = FakeRunner::new(echo);
    execute(&plan(yaml), runner.clone(), json!({})).await;
    let timeout_of = |n: &str| {
        runner
            .calls()
            .iter()
            .find(|c| c.node == n)
            .map(|c| c.timeout)
    };
    assert_eq!(timeout_of("quick"), Some(Duration::from_millis(500)));
    assert_eq!(timeout_of("slow"), Some(Duration::from_secs(120)));
}

#[tokio::test(start_paused = true)]
async fn dataflow_gives_the_same_outputs_as_stages() {
    let body =
        nodes(&["a", "b", "c", "d"]) + &edges(&[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]);
    let stages = execute(&plan(&body), FakeRunner::new(echo), json!({"x": 1})).await;
    let dataflow = execute(
        &plan(&(body + "config:\n  scheduling: dataflow\n")),
        FakeRunner::new(echo),
        json!({"x": 1}),
    )
    .await;
    assert_eq!(stages.outputs, dataflow.outputs);
    assert_eq!(stages.errors, dataflow.errors);
}

#[tokio::test(start_paused = true)]
async fn dataflow_starts_a_node_as_soon_as_its_inputs_are_ready() {
    // a -> b, and an unrelated slow root c: with stages, b waits for c; with dataflow it does not.
    let body = nodes(&["a", "b", "c"]) + &edges(&[("a", "b")]);
    let start_of_b = |runner: &FakeRunner| {
        runner
            .calls()
            .iter()
            .find(|c| c.node == "b")
            .expect("b ran")
            .at
    };
    let runner = FakeRunner::with_delays(echo, &[("c", 300)]);
    let result = execute(
        &plan(&(body.clone() + "config:\n  scheduling: dataflow\n")),
        runner.clone(),
        json!({}),
    )
    .await;
    assert!(result.success);
    assert_eq!(start_of_b(&runner), Duration::ZERO, "dataflow");
    let runner = FakeRunner::with_delays(echo, &[("c", 300)]);
    execute(&plan(&body), runner.clone(), json!({})).await;
    assert_eq!(start_of_b(&runner), Duration::from_millis(300), "stages");
}

#[tokio::test(start_paused = true)]
async fn result_serializes_to_the_original_shape() {
    let plan = plan(&(nodes(&["a", "b"]) + &edges(&[("a", "b")])));
    let runner = FakeRunner::new(|node, _, _| {
        if node == "b" {
            Err(NodeError::new("nope"))
        } else {
            Ok(json!(1))
        }
    });
    let result = execute(&plan, runner, json!({})).await;
    let value = serde_json::to_value(&result).expect("json");
    assert_eq!(value["success"], false);
    assert_eq!(value["outputs"], json!({"a": 1}));
    assert_eq!(value["errors"], json!({"b": "nope"}));
    let timing = value["timing"].as_object().expect("timing");
    let keys: Vec<&String> = timing.keys().collect();
    assert_eq!(
        keys,
        ["startedAt", "completedAt", "durationMs", "nodeTimings"]
    );
    let node_keys: Vec<&String> = timing["nodeTimings"]["a"]
        .as_object()
        .expect("a")
        .keys()
        .collect();
    assert_eq!(node_keys, ["startedAt", "completedAt", "durationMs"]);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_runner_fails_its_node_not_the_host() {
    let plan = plan(&nodes(&["a", "b"]));
    let runner = FakeRunner::new(|node, _, _| {
        if node == "a" {
            panic!("runner bug")
        } else {
            Ok(json!(2))
        }
    });
    let result = execute(&plan, runner, json!({})).await;
    assert_eq!(result.errors["a"], "internal error: the node's task failed");
    assert_eq!(result.outputs["b"], 2);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_runner_in_a_stage_of_its_own_fails_its_node_and_stops_the_run() {
    let plan = plan(&format!("{}{}", nodes(&["a", "b"]), edges(&[("a", "b")])));
    let runner = FakeRunner::new(|node, _, _| {
        if node == "a" {
            panic!("runner bug")
        } else {
            Ok(json!(2))
        }
    });
    let result = execute(&plan, runner, json!({})).await;
    assert_eq!(result.errors["a"], "internal error: the node's task failed");
    assert!(!result.outputs.contains_key("b"), "{:?}", result.outputs);
}
