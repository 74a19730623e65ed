//! Limits: the deadline, memory, stack, output and log caps, and fuel.

use crate::support::{RecordingHost, invocation, node, node_in, run, run_with, sandbox};
use serde_json::json;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tntc_sandbox::{LogLevel, NodeFailure, RunLimits, Sandbox, SandboxConfig};

fn limits(timeout_ms: u64) -> RunLimits {
    RunLimits {
        timeout: Duration::from_millis(timeout_ms),
        ..RunLimits::default()
    }
}

/// Bounds a run that a broken deadline would let go on for a minute or forever; far from the
/// limits under test, it only turns a run that was not stopped into a failure that says so.
/// These tests run on the real clock: the run deadline is checked on wasmtime epoch ticks
/// against `std::time::Instant`, which tokio's paused time does not move.
const STOPPED_WITHIN: Duration = Duration::from_secs(30);

#[tokio::test]
async fn busy_loop_is_stopped_at_the_node_timeout() {
    let spin = node(
        "spin",
        "export default async function run() { for (;;) {} }",
    );
    let started = Instant::now();
    let result = tokio::time::timeout(
        STOPPED_WITHIN,
        run_with(
            &spin,
            invocation("spin", json!({})),
            limits(300),
            RecordingHost::new(),
        ),
    )
    .await
    .expect("the busy loop is stopped");
    let elapsed = started.elapsed();
    assert_eq!(
        result.unwrap_err(),
        NodeFailure::Timeout {
            limit: Duration::from_millis(300)
        }
    );
    // Not before its limit (a lower bound holds on any machine).
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
}

// One executor thread: the busy node must yield for the other to make progress at all.
#[tokio::test(flavor = "current_thread")]
async fn busy_loop_does_not_delay_a_concurrent_run() {
    let spin = node(
        "spin2",
        "export default async function run() { for (;;) {} }",
    );
    let quick = node(
        "quick",
        "export default async function run() {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return 'done';
        }",
    );
    let busy = finished(run_with(
        &spin,
        invocation("spin2", json!({})),
        limits(2000),
        RecordingHost::new(),
    ));
    let light = finished(run_with(
        &quick,
        invocation("quick", json!({})),
        limits(2000),
        RecordingHost::new(),
    ));
    let ((busy, busy_ended), (light, light_ended)) = tokio::join!(busy, light);
    assert!(matches!(busy, Err(NodeFailure::Timeout { .. })), "{busy:?}");
    assert_eq!(light.unwrap().output, "\"done\"");
    // An order, not a window: had the spinning run held the thread, the light one could
    // only have finished after the spinner was stopped at its 2 s deadline.
    assert!(
        light_ended < busy_ended,
        "the light run waited on the busy one: it ended {:?} after it",
        light_ended - busy_ended
    );
}

/// `run`'s outcome and when it ended.
async fn finished<T>(run: impl std::future::Future<Output = T>) -> (T, Instant) {
    let outcome = run.await;
    (outcome, Instant::now())
}

#[tokio::test]
async fn waiting_past_the_deadline_times_out() {
    // The node's own timer is a minute: ending well before it shows the deadline did.
    let sleeper = node(
        "sleeper",
        "export default async function run() { await new Promise((r) => setTimeout(r, 60000)); }",
    );
    let result = tokio::time::timeout(
        STOPPED_WITHIN,
        run_with(
            &sleeper,
            invocation("sleeper", json!({})),
            limits(200),
            RecordingHost::new(),
        ),
    )
    .await
    .expect("the wait is ended at the run's deadline, not by the node's timer");
    assert!(
        matches!(result, Err(NodeFailure::Timeout { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_memory_bomb_hits_the_memory_limit() {
    let bomb = node(
        "bomb",
        "export default async function run() {
            const hoard = [];
            for (;;) hoard.push(new Array(100000).fill(1.5));
        }",
    );
    let limits = RunLimits {
        memory_bytes: 32 * 1024 * 1024,
        ..RunLimits::default()
    };
    let result = run_with(
        &bomb,
        invocation("bomb", json!({})),
        limits,
        RecordingHost::new(),
    )
    .await;
    let failure = result.unwrap_err();
    assert_eq!(
        failure,
        NodeFailure::MemoryLimit {
            limit_bytes: 32 * 1024 * 1024
        }
    );
    assert_eq!(failure.to_string(), "exceeded its 32 MiB memory limit");
}

#[tokio::test]
async fn deep_recursion_is_contained_and_the_next_run_is_unaffected() {
    let deep = node(
        "deep",
        "function down(n) { return down(n + 1) + 1; }
         export default async function run() { return down(0); }",
    );
    assert_eq!(
        run(&deep, json!({})).await.unwrap_err(),
        NodeFailure::StackOverflow
    );
    let echo = node(
        "after-deep",
        "export default async function run(ctx, input) { return input; }",
    );
    assert_eq!(run(&echo, json!(5)).await.unwrap(), json!(5));
}

#[tokio::test]
async fn recursion_a_few_thousand_frames_deep_works() {
    let deep = node(
        "recursive",
        "function down(n) { return n === 0 ? 0 : down(n - 1) + 1; }
         export default async function run(ctx, input) { return down(input); }",
    );
    assert_eq!(run(&deep, json!(3000)).await.unwrap(), json!(3000));
}

#[tokio::test]
async fn output_over_the_cap_is_an_error_not_a_truncation() {
    let big = node(
        "big",
        "export default async function run() { return 'x'.repeat(5000); }",
    );
    let limits = RunLimits {
        max_output_bytes: 1000,
        ..RunLimits::default()
    };
    let result = run_with(
        &big,
        invocation("big", json!({})),
        limits,
        RecordingHost::new(),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        NodeFailure::OutputTooLarge {
            size: 5002,
            limit: 1000
        }
    );
}

#[tokio::test]
async fn log_lines_past_the_cap_are_dropped_after_one_notice() {
    let chatty = node(
        "flood",
        "export default async function run(ctx) { for (let i = 0; i < 1000; i++) ctx.log.info('line ' + i); }",
    );
    let host = RecordingHost::new();
    let limits = RunLimits {
        max_log_bytes: 100,
        ..RunLimits::default()
    };
    run_with(
        &chatty,
        invocation("flood", json!({})),
        limits,
        host.clone(),
    )
    .await
    .unwrap();
    let lines = host.lines();
    let last = lines.last().expect("some lines");
    assert_eq!(last.0, LogLevel::Warn);
    assert!(last.1.contains("log limit of 100 bytes"), "{}", last.1);
    let logged: usize = lines[..lines.len() - 1].iter().map(|(_, l)| l.len()).sum();
    assert!(logged <= 100, "{logged}");
}

#[tokio::test]
async fn a_memory_limit_above_the_engine_maximum_is_refused() {
    let echo = node(
        "echo-limits",
        "export default async function run(ctx, input) { return input; }",
    );
    let limits = RunLimits {
        memory_bytes: sandbox().config().max_memory_bytes + 1,
        ..RunLimits::default()
    };
    let result = run_with(
        &echo,
        invocation("echo-limits", json!({})),
        limits,
        RecordingHost::new(),
    )
    .await;
    assert!(
        matches!(result, Err(NodeFailure::InvalidRequest(_))),
        "{result:?}"
    );
}

fn metered() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        Sandbox::new(SandboxConfig {
            cache_dir: Some(
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime-cache"),
            ),
            max_concurrent_runs: 4,
            cpu_fuel: true,
            ..SandboxConfig::default()
        })
        .expect("the metered sandbox starts")
    })
}

#[tokio::test]
async fn fuel_stops_a_busy_loop_and_is_reported() {
    let spin = node_in(
        metered(),
        "spin-fuel",
        "export default async function run() { for (;;) {} }",
    );
    let limits = RunLimits {
        fuel: Some(50_000_000),
        ..RunLimits::default()
    };
    let result = run_with(
        &spin,
        invocation("spin-fuel", json!({})),
        limits,
        RecordingHost::new(),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        NodeFailure::FuelExhausted { fuel: 50_000_000 }
    );

    let echo = node_in(
        metered(),
        "echo-fuel",
        "export default async function run(ctx, input) { return input; }",
    );
    let output = run_with(
        &echo,
        invocation("echo-fuel", json!(1)),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await
    .unwrap();
    assert!(output.stats.fuel_consumed.is_some_and(|fuel| fuel > 0));
}

#[tokio::test]
async fn without_epoch_interruption_a_node_runs_and_a_wait_is_still_bounded() {
    // The benchmark knob: no epoch checks in compiled code, no ticker thread.
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime-cache")),
        max_concurrent_runs: 2,
        epoch_interruption: false,
        ..SandboxConfig::default()
    })
    .expect("a sandbox without epoch interruption starts");
    let echo = node_in(
        &sandbox,
        "echo-no-epoch",
        "export default async function run(ctx, input) { return input; }",
    );
    let output = run_with(
        &echo,
        invocation("echo-no-epoch", json!({"n": 1})),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await
    .unwrap();
    assert_eq!(output.output, r#"{"n":1}"#);

    let sleeper = node_in(
        &sandbox,
        "sleep-no-epoch",
        "export default async function run() { await new Promise((r) => setTimeout(r, 60000)); }",
    );
    let result = run_with(
        &sleeper,
        invocation("sleep-no-epoch", json!({})),
        limits(100),
        RecordingHost::new(),
    )
    .await;
    assert!(
        matches!(result, Err(NodeFailure::Timeout { .. })),
        "{result:?}"
    );
}
