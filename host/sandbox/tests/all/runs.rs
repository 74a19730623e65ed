//! Ordinary runs: input, output, logging, isolation between runs, errors thrown by nodes.

use crate::support::{RecordingHost, invocation, node, run, run_with};
use serde_json::json;
use tntc_sandbox::{LogLevel, NodeFailure, RunLimits};

#[tokio::test]
async fn a_trivial_node_returns_its_input() {
    let echo = node(
        "echo",
        "export default async function run(ctx, input) { return input; }",
    );
    let input = json!({"a": 1, "list": [true, null, "x"], "nested": {"b": 2.5}});
    assert_eq!(run(&echo, input.clone()).await.unwrap(), input);
}

#[tokio::test]
async fn returning_undefined_gives_null() {
    let nothing = node("nothing", "export default async function run() {}");
    assert_eq!(run(&nothing, json!({})).await.unwrap(), json!(null));
}

#[tokio::test]
async fn function_to_string_gives_the_source_text_as_in_v8() {
    // Libraries tell native functions from their own by `[native code]` in this text.
    let printer = node(
        "printer",
        "const add = (a, b) => a + b;
        export default async function run() {
            return [String(add), Function.prototype.toString.call(Math.max).includes('[native code]')];
        }",
    );
    assert_eq!(
        run(&printer, json!({})).await.unwrap(),
        json!(["(a, b) => a + b", true])
    );
}

#[tokio::test]
async fn the_node_sees_config_secrets_and_its_input() {
    let reader = node(
        "reader",
        "export default async function run(ctx, input) {
            return { config: ctx.config.region, secret: ctx.secrets.github.token, input };
        }",
    );
    let invocation = json!({
        "node": "reader", "input": 7, "config": {"region": "eu"},
        "secrets": {"github": {"token": "t0k"}}, "dependencies": {}
    });
    let output = run_with(
        &reader,
        invocation.to_string(),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await
    .unwrap();
    let output: serde_json::Value = serde_json::from_str(&output.output).unwrap();
    assert_eq!(output, json!({"config": "eu", "secret": "t0k", "input": 7}));
}

#[tokio::test]
async fn state_does_not_survive_between_runs() {
    let counter = node(
        "counter",
        "globalThis.count = (globalThis.count ?? 0);
         export default async function run() { globalThis.count += 1; return globalThis.count; }",
    );
    for _ in 0..3 {
        assert_eq!(run(&counter, json!({})).await.unwrap(), json!(1));
    }
}

#[tokio::test]
async fn math_random_differs_between_runs() {
    let dice = node(
        "dice",
        "export default async function run() { return Math.random(); }",
    );
    let first = run(&dice, json!({})).await.unwrap();
    let second = run(&dice, json!({})).await.unwrap();
    assert_ne!(
        first, second,
        "every run starts from the same snapshot but must reseed"
    );
}

#[tokio::test]
async fn log_lines_reach_the_host_with_their_level() {
    let chatty = node(
        "chatty",
        "export default async function run(ctx) {
            ctx.log.info('hello', 42);
            ctx.log.error('bad');
            console.log('from console');
            return null;
        }",
    );
    let host = RecordingHost::new();
    run_with(
        &chatty,
        invocation("chatty", json!({})),
        RunLimits::default(),
        host.clone(),
    )
    .await
    .unwrap();
    let lines = host.lines();
    assert!(
        lines.contains(&(LogLevel::Info, "hello 42".to_string())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&(LogLevel::Error, "bad".to_string())),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|(_, line)| line.contains("from console")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_thrown_error_carries_its_message_and_a_stack_naming_the_file() {
    let thrower = node(
        "thrower",
        "function inner() { throw new Error('boom'); }
         export default async function run() { inner(); }",
    );
    match run(&thrower, json!({})).await {
        Err(NodeFailure::Threw { message, stack }) => {
            assert_eq!(message, "boom");
            let stack = stack.expect("a stack");
            assert!(stack.contains("nodes/thrower.js"), "{stack}");
            assert!(stack.contains("inner"), "{stack}");
        }
        other => panic!("expected Threw, got {other:?}"),
    }
}

#[tokio::test]
async fn a_rejected_promise_with_a_non_error_reports_its_value() {
    let rejecter = node(
        "rejecter",
        "export default async function run() { throw 'plain string'; }",
    );
    match run(&rejecter, json!({})).await {
        Err(NodeFailure::Threw { message, .. }) => assert_eq!(message, "plain string"),
        other => panic!("expected Threw, got {other:?}"),
    }
}

#[tokio::test]
async fn a_default_export_that_is_not_a_function_fails_to_load() {
    let broken = node("broken", "export default 42;");
    match run(&broken, json!({})).await {
        Err(NodeFailure::LoadFailed { message, .. }) => {
            assert!(message.contains("must be a function"), "{message}")
        }
        other => panic!("expected LoadFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn run_stats_account_for_the_phases() {
    let echo = node(
        "stats",
        "export default async function run(ctx, input) { return input; }",
    );
    let output = run_with(
        &echo,
        invocation("stats", json!(1)),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await
    .unwrap();
    let stats = output.stats;
    assert!(stats.memory_peak_bytes > 0);
    assert!(stats.run > std::time::Duration::ZERO);
    assert_eq!(stats.fuel_consumed, None);
}

#[tokio::test]
async fn split_uses_a_seeded_splitter_instead_of_compiling_one() {
    // The compiler starts a bundle by handing the runtime a sticky twin of each regex literal
    // (compiler/src/bundle/seeds.rs); the runtime must use it as split's splitter and ignore
    // anything that is not a plain RegExp.
    let splitter = node(
        "splitter",
        r#"const seed = new RegExp(",", "y");
        globalThis.__tntc_regexp_seeds?.(["not a regexp", Object.create(RegExp.prototype), seed]);
        export default async function run() {
            const exec = RegExp.prototype.exec;
            const seen = [];
            RegExp.prototype.exec = function (text) { seen.push(this); return exec.call(this, text); };
            const parts = "a,b,,c".split(new RegExp(","));
            const other = "a;b".split(new RegExp(";"));
            RegExp.prototype.exec = exec;
            return {
                parts,
                other,
                seedUsed: seen.filter((r) => r === seed).length,
                execCalls: seen.length,
                hidden: Object.keys(globalThis).includes("__tntc_regexp_seeds"),
            };
        }"#,
    );
    assert_eq!(
        run(&splitter, json!({})).await.unwrap(),
        json!({
            "parts": ["a", "b", "", "c"],
            "other": ["a", "b"],
            // The splitter is tried at each of the six positions of "a,b,,c", then the
            // second split (no seed for ";") compiles its own and tries three.
            "seedUsed": 6,
            "execCalls": 9,
            "hidden": false
        })
    );
}
