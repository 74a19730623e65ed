//! Pool slot hygiene. A slot keeps every page ever mapped in it, and the teardown after
//! each run scans them all and restores the written ones, so whatever used a slot before
//! makes every later run on it slower. Tooling work must leave node runs' slots alone.

use crate::support::{RecordingHost, invocation, node_module, run_with};
use serde_json::json;
use tntc_sandbox::{RunLimits, RuntimeSource, Sandbox, SandboxConfig};

fn config(cache_dir: std::path::PathBuf) -> SandboxConfig {
    SandboxConfig {
        cache_dir: Some(cache_dir),
        max_concurrent_runs: 4,
        ..SandboxConfig::default()
    }
}

#[test]
fn a_cold_start_leaves_the_pools_slots_untouched() {
    // Pre-initializing in a pool slot left the zero page mapped over the whole shadow stack,
    // and the first node runs got that slot: each of their teardowns scanned ~1000 more pages.
    let dir = tempfile::tempdir().unwrap();
    let cold = Sandbox::new(config(dir.path().join("cache"))).unwrap();
    assert!(matches!(
        cold.runtime_load().source,
        RuntimeSource::Built { .. }
    ));
    assert_eq!(cold.idle_warm_slots(), 0);
}

#[tokio::test]
async fn compiling_never_shares_a_slot_with_node_runs() {
    // A compile dirties hundreds of pages (the parser's); on a slot node runs reuse, each
    // later teardown restored them all again.
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime-cache");
    let sandbox = Sandbox::new(config(cache)).unwrap();
    let source = "export default async function run(ctx, input) { return input; }";
    let bytecode = sandbox.compile_js(source, "nodes/echo.js").unwrap();
    assert_eq!(sandbox.idle_warm_slots(), 1, "the compile's slot");
    let echo = sandbox
        .load_node(&node_module(
            &bytecode,
            r#"{"node": "echo", "source": "nodes/echo.ts"}"#,
        ))
        .unwrap();
    for round in 0..3 {
        let output = run_with(
            &echo,
            invocation("echo", json!({ "round": round })),
            RunLimits::default(),
            RecordingHost::new(),
        )
        .await
        .unwrap();
        assert_eq!(output.output, format!(r#"{{"round":{round}}}"#));
        sandbox.compile_js(source, "nodes/echo.js").unwrap();
        assert_eq!(
            sandbox.idle_warm_slots(),
            2,
            "one slot for compiling and one for runs, each reused (round {round})"
        );
    }
}

#[tokio::test]
async fn a_node_that_grows_its_memory_runs_apart_and_leaves_other_nodes_slots_clean() {
    // One run of a memory-hungry node left 2 MiB of written pages in the slot the next nodes
    // reused, and every later teardown there restored them (a trivial run: 26 -> 42 us).
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime-cache");
    let sandbox = Sandbox::new(config(cache)).unwrap();
    let load = |id: &str, source: &str| {
        let bytecode = sandbox
            .compile_js(source, &format!("nodes/{id}.js"))
            .unwrap();
        let metadata = json!({"node": id, "source": format!("nodes/{id}.ts")}).to_string();
        sandbox
            .load_node(&node_module(&bytecode, &metadata))
            .unwrap()
    };
    let trivial = load(
        "trivial",
        "export default async function run(ctx, input) { return input; }",
    );
    let hungry = load(
        "hungry",
        "export default async function run() {
            const rows = [];
            for (let i = 0; i < 100000; i++) rows.push({ i, name: `row ${i}` });
            return rows.length;
        }",
    );
    let run = |node: &tntc_sandbox::NodeModule| {
        let node = node.clone();
        async move {
            run_with(
                &node,
                invocation("n", json!({})),
                RunLimits::default(),
                RecordingHost::new(),
            )
            .await
            .unwrap()
            .output
        }
    };

    run(&trivial).await;
    let before = sandbox.idle_resident_bytes();
    assert!(!hungry.runs_apart());
    assert_eq!(run(&hungry).await, "100000");
    assert!(hungry.runs_apart(), "its run grew the memory");
    run(&trivial).await;
    assert!(!trivial.runs_apart());
    let kept = sandbox.idle_resident_bytes().saturating_sub(before);
    assert!(
        kept < 256 * 1024,
        "the trivial node's slot holds {kept} bytes more than before the hungry run"
    );
    // The hungry node keeps its own slots, and its pages, from now on.
    assert_eq!(run(&hungry).await, "100000");
    assert!(sandbox.idle_resident_bytes() > before + 1024 * 1024);
}
