//! Measures a fresh-sandbox run of a trivial node, phase by phase, and runtime start-up.
//!
//! ```text
//! cargo run --release -p tntc-sandbox --example run_bench [-- RUNS]
//! ```
//!
//! Prints: the cold start (wizer + JIT, into an empty cache), the warm start (cache hit),
//! then p50/p99 over RUNS sequential runs (default 5000, after 500 warm-up runs) of the
//! whole `NodeModule::run` and of each phase in `RunStats`, a CPU-heavy node, the trivial
//! node again after it (a memory-hungry neighbour must not slow it down), and the
//! throughput of concurrent runs on a two-thread executor.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tntc_sandbox::{
    BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeHost, NodeModule, RunLimits, RunRequest,
    RunStats, Sandbox, SandboxConfig,
};

struct QuietHost;

impl NodeHost for QuietHost {
    fn log(&self, _: LogLevel, _: &str) {}
    fn fetch(&self, _: FetchRequest) -> BoxFuture<'static, Result<FetchResponse, String>> {
        Box::pin(async { Err("no network in the benchmark".to_string()) })
    }
}

/// The module `tntc build` emits around `bytecode`.
fn node_module(bytecode: &[u8]) -> Vec<u8> {
    tntc_abi::glue::emit(
        bytecode,
        tntc_abi::NODE_SECTION,
        br#"{"node": "echo", "source": "nodes/echo.ts"}"#,
    )
    .expect("small bytecode")
}

/// The CPU-heavy node of TOOLCHAIN.md's QuickJS-vs-V8 comparison.
const HEAVY_NODE: &str = "
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
export default async function run() {
    const numbers = [];
    let seed = 42;
    for (let i = 0; i < 100000; i++) { seed = (seed * 1103515245 + 12345) % 2147483648; numbers.push(seed); }
    numbers.sort((a, b) => a - b);
    return { fib: fib(25), smallest: numbers[0] };
}";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "  {name:<12} p50 {:>8.1} us   p99 {:>8.1} us",
        percentile(&samples, 0.50).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6
    );
}

fn request() -> RunRequest {
    RunRequest {
        invocation_json:
            r#"{"node":"echo","input":{"n":1},"config":{},"secrets":{},"dependencies":{}}"#
                .to_string(),
        limits: RunLimits::default(),
        host: Arc::new(QuietHost),
    }
}

async fn sequential(node: &NodeModule, runs: usize) -> (Vec<Duration>, Vec<RunStats>) {
    for _ in 0..500 {
        node.run(request()).await.expect("warm-up run");
    }
    let mut totals = Vec::with_capacity(runs);
    let mut stats = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let output = node.run(request()).await.expect("run");
        totals.push(started.elapsed());
        stats.push(output.stats);
    }
    (totals, stats)
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5000);
    let cache = std::env::temp_dir().join(format!("tntc-run-bench-{}", std::process::id()));

    let config = SandboxConfig {
        cache_dir: Some(cache.clone()),
        max_concurrent_runs: 64,
        ..SandboxConfig::default()
    };
    let cold = Sandbox::new(config.clone()).expect("cold start");
    println!(
        "cold start (wizer + JIT, empty cache): {:?}",
        cold.runtime_load()
    );
    drop(cold);
    let sandbox = Sandbox::new(config).expect("warm start");
    println!(
        "warm start (cache hit):                {:?}",
        sandbox.runtime_load()
    );

    let compile_started = Instant::now();
    let bytecode = sandbox
        .compile_js(
            "export default async function run(ctx, input) { return input; }",
            "nodes/echo.js",
        )
        .expect("compiles");
    let compiled = compile_started.elapsed();
    let wasm = node_module(&bytecode);
    let load_started = Instant::now();
    let node = sandbox.load_node(&wasm).expect("loads");
    println!(
        "trivial node: {} bytes of module, compile_js {:?}, load_node {:?}",
        wasm.len(),
        compiled,
        load_started.elapsed()
    );

    let executor = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let (totals, stats) = executor.block_on(sequential(&node, runs));
    println!("fresh-sandbox run of a trivial node, {runs} sequential runs:");
    report("total", totals);
    report("instantiate", stats.iter().map(|s| s.instantiate).collect());
    report("load", stats.iter().map(|s| s.load).collect());
    report("input", stats.iter().map(|s| s.input).collect());
    report("run", stats.iter().map(|s| s.run).collect());
    report("output", stats.iter().map(|s| s.output).collect());
    report("teardown", stats.iter().map(|s| s.teardown).collect());
    let peak = stats.iter().map(|s| s.memory_peak_bytes).max().unwrap_or(0);
    println!("  linear memory per run: {} KiB", peak / 1024);

    let heavy_bytecode = sandbox
        .compile_js(HEAVY_NODE, "nodes/heavy.js")
        .expect("compiles");
    let heavy = sandbox
        .load_node(&node_module(&heavy_bytecode))
        .expect("loads");
    let heavy_runs: Vec<Duration> = executor.block_on(async {
        let mut samples = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            heavy.run(request()).await.expect("heavy run");
            samples.push(started.elapsed());
        }
        samples
    });
    println!("CPU-heavy node (fib(25) + sorting 100k numbers), 20 runs:");
    report("total", heavy_runs);

    // Sequential runs reuse one pool slot, and a slot keeps the pages any earlier run wrote
    // (up to the keep-resident budget): each later teardown would restore them again. The
    // heavy node grew its memory, so its runs moved to slots of their own (src/runtimes.rs).
    let (after_heavy, _) = executor.block_on(sequential(&node, runs));
    println!("the trivial node again, after the heavy node (which now runs on slots apart):");
    report("total", after_heavy);

    let threads = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let total_runs = runs * 2;
    let started = Instant::now();
    threads.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let node = node.clone();
                tokio::spawn(async move {
                    for _ in 0..total_runs / 8 {
                        node.run(request()).await.expect("run");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("no panic");
        }
    });
    let elapsed = started.elapsed();
    println!(
        "throughput, 2 executor threads, 8 concurrent streams: {:.0} runs/s",
        total_runs as f64 / elapsed.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(cache);
}
