//! `tntc bench`: the figures' shape (text and JSON), never their values (no timed
//! assertions: benchmarks measure speed, tests pin behaviour).

use super::{copy_example, json, stderr, stdout, tntc_cached, write};

#[test]
fn bench_prints_each_nodes_breakdown_the_dag_and_runtime_start() {
    let dir = copy_example("word-count");
    let out = tntc_cached(
        dir.path(),
        &["bench", "word-count", "--runs", "3", "--warmup", "1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("word-count: 3 runs per node after 1 warm-up runs"),
        "{text}"
    );
    assert!(text.contains("runtime start   cold "), "{text}");
    for node in ["tokenize", "count", "report"] {
        assert!(
            text.contains(&format!("\n{node} ")),
            "{node} missing:\n{text}"
        );
    }
    for phase in [
        "total",
        "instantiate",
        "load",
        "input",
        "run",
        "output",
        "teardown",
    ] {
        assert!(text.contains(phase), "{phase} missing:\n{text}");
    }
    assert!(text.contains("input: fixture"), "{text}");
    assert!(text.contains("whole DAG (3 nodes"), "{text}");
    assert!(text.contains("(3 runs, 0 failed)"), "{text}");
}

#[test]
fn bench_json_has_percentiles_per_phase_and_the_limit_modes() {
    let dir = copy_example("word-count");
    let out = tntc_cached(
        dir.path(),
        &[
            "bench",
            "word-count",
            "-o",
            "json",
            "--runs",
            "2",
            "--warmup",
            "0",
            "--compare-limits",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["workflow"], "word-count");
    assert_eq!(report["runs"], 2);
    for key in [
        "cold_ms",
        "preinitialize_ms",
        "compile_ms",
        "warm_ms",
        "warm_min_ms",
    ] {
        assert!(report["runtime"][key].is_f64(), "runtime.{key}: {report}");
    }
    let nodes = report["nodes"].as_array().expect("nodes");
    let names: Vec<&str> = nodes.iter().filter_map(|n| n["node"].as_str()).collect();
    assert_eq!(names, ["tokenize", "count", "report"]);
    for node in nodes {
        assert_eq!(node["runs"], 2);
        assert_eq!(node["error"], serde_json::Value::Null);
        assert_eq!(node["curve_us"].as_array().map(Vec::len), Some(101));
        for phase in [
            "total",
            "instantiate",
            "load",
            "input",
            "run",
            "output",
            "teardown",
        ] {
            let d = &node["phases"][phase];
            assert_eq!(d["count"], 2, "{phase}: {node}");
            for key in ["p50_us", "p90_us", "p99_us", "max_us", "mean_us"] {
                assert!(d[key].is_f64(), "{phase}.{key}: {node}");
            }
            assert!(
                d["p50_us"].as_f64() <= d["max_us"].as_f64(),
                "{phase}: {node}"
            );
        }
    }
    assert_eq!(report["dag"]["nodes"], 3);
    assert_eq!(report["dag"]["failures"], 0);
    let modes: Vec<&str> = report["limits"]
        .as_array()
        .expect("limits")
        .iter()
        .filter_map(|m| m["mode"].as_str())
        .collect();
    assert_eq!(modes, ["none", "epoch", "epoch-fuel"]);
    for mode in report["limits"].as_array().into_iter().flatten() {
        assert_eq!(mode["nodes"].as_array().map(Vec::len), Some(3), "{mode}");
    }
}

#[test]
fn a_node_that_fails_is_reported_with_its_error_and_fails_the_command() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "flow/workflow.yaml",
        "name: flow\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  ok:\n    path: ./nodes/ok.ts\n  boom:\n    path: ./nodes/boom.ts\nedges: []\n",
    );
    write(
        dir.path(),
        "flow/nodes/ok.ts",
        "export default async function run(_ctx: unknown, input: unknown) { return input; }\n",
    );
    write(
        dir.path(),
        "flow/nodes/boom.ts",
        "export default async function run() { throw new Error(\"boom\"); }\n",
    );
    let out = tntc_cached(
        dir.path(),
        &[
            "bench", "flow", "-o", "json", "--runs", "2", "--warmup", "0",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let node = |id: &str| {
        report["nodes"]
            .as_array()
            .and_then(|nodes| nodes.iter().find(|n| n["node"] == id))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(node("ok")["runs"], 2);
    assert_eq!(node("boom")["runs"], 0);
    assert!(
        node("boom")["error"]
            .as_str()
            .is_some_and(|e| e.contains("boom")),
        "{report}"
    );
    assert!(report["dag"]["failures"].as_u64() > Some(0), "{report}");
}

#[test]
fn zero_runs_is_refused() {
    let dir = copy_example("word-count");
    let out = tntc_cached(dir.path(), &["bench", "word-count", "--runs", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--runs must be at least 1"),
        "{}",
        stderr(&out)
    );
}
