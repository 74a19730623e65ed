//! The executor's semantics with real compiled nodes in the real sandbox (the same cases
//! as the executor's unit tests, which use a fake runner): input resolution, stages,
//! fail-fast, retries, timeouts, dataflow scheduling.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::servers::{Reply, TestServer};
use crate::support::{dag, dag_with, error_of, output_of, show};

/// A node that returns its id and input.
fn echo_node(id: &str) -> String {
    format!(
        "import type {{ Context }} from \"tentacular\";
export default async function run(_ctx: Context, input: unknown) {{
  return {{ node: \"{id}\", input }};
}}
"
    )
}

/// A node that sleeps `ms` on a host timer and reports when it started and ended.
fn sleeper_node(ms: u64) -> String {
    format!(
        "export default async function run() {{
  const start = Date.now();
  await new Promise((resolve) => setTimeout(resolve, {ms}));
  return {{ start, end: Date.now() }};
}}
"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_node_gets_the_trigger_input_and_null_becomes_an_object() {
    let flow = dag(&[("only", &echo_node("only"))], &[], "").deploy();
    let result = flow.run(Value::Null).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(
        output_of(&result, "only"),
        &json!({"node": "only", "input": {}})
    );
    let result = flow.run(json!({"trigger": "daily"})).await;
    assert_eq!(
        output_of(&result, "only")["input"],
        json!({"trigger": "daily"})
    );
}

#[test]
fn the_compilers_node_modules_load_without_a_module_instance() {
    // The sandbox recognises the compiler's glue byte for byte; if the emitter changes
    // and the two drift apart, every run silently pays for instantiating it again.
    let compiled = dag(&[("only", &echo_node("only"))], &[], "")
        .compile()
        .expect("compiles");
    for (id, build) in &compiled.modules {
        let module = crate::support::sandbox().load_node(&build.wasm).unwrap();
        assert!(module.loads_bytecode_directly(), "node {id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_passes_each_output_as_is() {
    let flow = dag(
        &[
            ("a", "export default async () => [1, 2, 3];"),
            (
                "b",
                "export default async (_ctx: unknown, input: number[]) => input.map((n) => n * 10);",
            ),
            ("c", &echo_node("c")),
        ],
        &[("a", "b"), ("b", "c")],
        "",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(output_of(&result, "b"), &json!([10, 20, 30]));
    assert_eq!(output_of(&result, "c")["input"], json!([10, 20, 30]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lone_surrogates_in_outputs_become_replacement_characters_instead_of_failing() {
    // "👍".slice(0, 1) is half a surrogate pair; JSON.stringify writes it as "\ud83d".
    let flow = dag(
        &[
            ("cut", "export default async () => ({ text: \"👍\".slice(0, 1) + \"!\" });"),
            (
                "codes",
                "export default async (_ctx: unknown, input: { text: string }) =>\n  [...input.text].map((c) => c.codePointAt(0));",
            ),
        ],
        &[("cut", "codes")],
        "",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(output_of(&result, "cut"), &json!({"text": "\u{FFFD}!"}));
    assert_eq!(output_of(&result, "codes"), &json!([0xFFFD, 0x21]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_siblings_run_concurrently() {
    let flow = dag(
        &[
            ("src", "export default async () => 1;"),
            ("x", &sleeper_node(400)),
            ("y", &sleeper_node(400)),
        ],
        &[("src", "x"), ("src", "y")],
        "",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    let span = |n: &str| {
        let o = output_of(&result, n);
        (o["start"].as_u64().unwrap(), o["end"].as_u64().unwrap())
    };
    let ((x_start, x_end), (y_start, y_end)) = (span("x"), span("y"));
    // Sequential runs would not overlap; concurrent ones each start before the other ends.
    assert!(
        x_start < y_end && y_start < x_end,
        "x ran {x_start}..{x_end}, y ran {y_start}..{y_end}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_in_gets_predecessors_keyed_in_edge_order() {
    let flow = dag(
        &[
            ("a", "export default async () => 'from a';"),
            ("z", "export default async () => 'from z';"),
            (
                "sink",
                "export default async (_ctx: unknown, input: Record<string, string>) => ({ keys: Object.keys(input), input });",
            ),
        ],
        // z's edge is listed first: the keys follow the edge list, not the node names.
        &[("z", "sink"), ("a", "sink")],
        "",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(
        output_of(&result, "sink"),
        &json!({"keys": ["z", "a"], "input": {"z": "from z", "a": "from a"}})
    );
}

fn diamond(extra: &str) -> crate::support::Flow {
    dag(
        &[
            (
                "fetch",
                "export default async (_ctx: unknown, input: { n: number }) => ({ n: input.n });",
            ),
            (
                "transform",
                "export default async (_ctx: unknown, input: { n: number }) => input.n * 2;",
            ),
            (
                "enrich",
                "export default async (_ctx: unknown, input: { n: number }) => `n=${input.n}`;",
            ),
            ("notify", &echo_node("notify")),
        ],
        &[
            ("fetch", "transform"),
            ("fetch", "enrich"),
            ("transform", "notify"),
            ("enrich", "notify"),
        ],
        extra,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diamond_runs_in_stages_and_reports_outputs_in_dag_order() {
    let flow = diamond("").deploy();
    let result = flow.run(json!({"n": 21})).await;
    assert!(result.success, "{}", show(&result));
    let order: Vec<&String> = result.outputs.keys().collect();
    assert_eq!(order, ["fetch", "enrich", "transform", "notify"]);
    assert_eq!(
        output_of(&result, "notify")["input"],
        json!({"transform": 42, "enrich": "n=21"})
    );
    let timings: Vec<&String> = result.timing.node_timings.iter().map(|(n, _)| n).collect();
    assert_eq!(timings, order);
    let notify = result.timing.node("notify").expect("notify timed");
    let fetch = result.timing.node("fetch").expect("fetch timed");
    assert!(fetch.completed_at <= notify.started_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataflow_scheduling_gives_the_same_outputs_as_stages() {
    let stages = diamond("").deploy();
    let dataflow = diamond("config:\n  scheduling: dataflow\n").deploy();
    let input = json!({"n": 5});
    let (a, b) = (stages.run(input.clone()).await, dataflow.run(input).await);
    assert!(a.success && b.success, "{}\n{}", show(&a), show(&b));
    assert_eq!(a.outputs, b.outputs);
    assert_eq!(
        serde_json::to_string(&a.outputs).unwrap(),
        serde_json::to_string(&b.outputs).unwrap(),
        "same outputs in the same order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_lets_its_stage_settle_and_skips_later_stages() {
    let flow = dag(
        &[
            ("a", "export default async () => 1;"),
            (
                "b",
                "export default async () => { throw new Error(\"boom: b cannot go on\"); };",
            ),
            ("c", &sleeper_node(200)),
            (
                "d",
                "import type { Context } from \"tentacular\";
export default async function run(ctx: Context) { ctx.log.info(\"d ran\"); return 4; }",
            ),
        ],
        &[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
        "",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(!result.success);
    assert_eq!(error_of(&result, "b"), "boom: b cannot go on");
    assert!(
        result.outputs.contains_key("c"),
        "the sibling in the failing stage settles: {}",
        show(&result)
    );
    assert!(!result.outputs.contains_key("d") && !result.errors.contains_key("d"));
    assert!(
        result.timing.node("d").is_none(),
        "skipped nodes have no timing"
    );
    assert!(
        !flow.logs.formatted().iter().any(|l| l.contains("d ran")),
        "d never ran: {:?}",
        flow.logs.formatted()
    );
    assert!(
        result.stacks["b"].contains("nodes/b.ts"),
        "{:?}",
        result.stacks
    );
}

/// A node that fetches `url` and throws unless the answer is 2xx.
fn upstream_node(url: &str) -> String {
    format!(
        "export default async function run() {{
  const response = await fetch(\"{url}\");
  const body = await response.json();
  if (!response.ok) throw new Error(`upstream said ${{response.status}} on hit ${{body.hit}}`);
  return body;
}}
"
    )
}

/// Each node run is a fresh sandbox, so "fail on the first attempt" needs state outside
/// it: the upstream counts its hits.
async fn counting_upstream(failures: usize) -> (TestServer, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let server = TestServer::http(move |_| {
        let hit = counter.fetch_add(1, Ordering::SeqCst) + 1;
        let status = if hit <= failures { 500 } else { 200 };
        Reply::status_json(status, json!({ "hit": hit }))
    })
    .await;
    (server, hits)
}

fn net_capability(server: &TestServer) -> String {
    format!(
        "    capabilities:\n      net: 127.0.0.1:{}\n",
        server.port()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_fails_its_first_attempt_succeeds_on_retry() {
    let (upstream, hits) = counting_upstream(1).await;
    let flow = dag_with(
        &[("flaky", &upstream_node(&upstream.url("/")))],
        &[("flaky", &net_capability(&upstream))],
        &[],
        "config:\n  retries: 2\n",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(result.success, "{}", show(&result));
    assert_eq!(output_of(&result, "flaky"), &json!({"hit": 2}));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "one failed attempt, one retry"
    );
    // The 100 ms backoff lies between the attempts. The real sandbox and host run on the
    // real clock (the executor's unit tests pin the exact waits on paused time); a lower
    // bound holds however loaded the machine is.
    assert!(result.timing.node("flaky").unwrap().duration_ms >= 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_retries_report_the_last_error() {
    let (upstream, hits) = counting_upstream(usize::MAX).await;
    let flow = dag_with(
        &[("doomed", &upstream_node(&upstream.url("/")))],
        &[("doomed", &net_capability(&upstream))],
        &[],
        "config:\n  retries: 1\n",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(!result.success);
    assert_eq!(error_of(&result, "doomed"), "upstream said 500 on hit 2");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_past_its_timeout_is_reported_with_the_original_message() {
    // The node would sleep ten minutes: ending long before that, with the timeout's
    // message, is what shows the timeout stopped it. (The sandbox's deadline is the real
    // clock, checked on epoch ticks, so this cannot run on paused time; the bound is far
    // from the 300 ms limit, so only a run that did not stop at its timeout fails it.)
    let flow = dag_with(
        &[("x", &sleeper_node(600_000))],
        &[("x", "    timeout: 300ms\n")],
        &[],
        "",
    )
    .deploy();
    let result = tokio::time::timeout(Duration::from_secs(60), flow.run(json!({})))
        .await
        .expect("the run stops at the node's 300 ms timeout, not when the node would end");
    assert_eq!(error_of(&result, "x"), "Node \"x\" timed out after 300ms");
    assert!(result.outputs.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attempt_gets_its_own_timeout() {
    let flow = dag_with(
        &[("x", &sleeper_node(10_000))],
        &[("x", "    timeout: 200ms\n")],
        &[],
        "config:\n  retries: 1\n",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert_eq!(error_of(&result, "x"), "Node \"x\" timed out after 200ms");
    // Two attempts of 200 ms and a 100 ms backoff (a lower bound: the real clock, as above).
    let took = result.timing.node("x").unwrap().duration_ms;
    assert!(took >= 500, "two attempts took {took} ms");
}
