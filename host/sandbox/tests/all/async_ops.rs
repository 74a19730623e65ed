//! Timers, fetch and the wait loop.

use crate::support::{RecordingHost, invocation, node, run, run_with};
use serde_json::json;
use std::time::{Duration, Instant};
use tntc_sandbox::{FetchResponse, NodeFailure, RunLimits};

#[tokio::test]
async fn a_promise_that_never_settles_is_an_error() {
    let stuck = node(
        "stuck",
        "export default async function run() { await new Promise(() => {}); }",
    );
    assert_eq!(
        run(&stuck, json!({})).await.unwrap_err(),
        NodeFailure::NeverSettled
    );
}

#[tokio::test]
async fn set_timeout_really_waits() {
    let sleeper = node(
        "nap",
        "export default async function run() {
            const start = Date.now();
            await new Promise((resolve) => setTimeout(resolve, 200));
            return Date.now() - start;
        }",
    );
    // Real time on purpose: `Date.now()` is the WASI wall clock, which tokio cannot pause.
    // Lower bounds only, which a loaded machine cannot break.
    let started = Instant::now();
    let measured = run(&sleeper, json!({})).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(measured.as_f64().unwrap() >= 199.0, "{measured}");
}

#[tokio::test]
async fn leaking_timers_past_the_pending_limit_ends_the_run() {
    let leaker = node(
        "leaker",
        "export default async function run() { for (let i = 0; i < 20000; i++) setTimeout(() => {}, 60000); }",
    );
    match run(&leaker, json!({})).await {
        Err(NodeFailure::Trap { message }) => {
            assert!(message.contains("10000 timers, fetches"), "{message}")
        }
        other => panic!("expected the pending limit, got {other:?}"),
    }
}

#[tokio::test]
async fn cleared_timers_do_not_fire() {
    let clearer = node(
        "clearer",
        "export default async function run() {
            let fired = false;
            const id = setTimeout(() => { fired = true; }, 10);
            clearTimeout(id);
            await new Promise((resolve) => setTimeout(resolve, 50));
            return fired;
        }",
    );
    assert_eq!(run(&clearer, json!({})).await.unwrap(), json!(false));
}

#[tokio::test]
async fn timers_that_are_all_due_fire_in_deadline_order_not_start_order() {
    // Both timers are due by the time the node first waits (it is busy for 60 ms): the one
    // with the earlier deadline must fire first, as in V8, although it was set second.
    let busy = node(
        "busy",
        "export default async function run() {
            const order = [];
            setTimeout(() => order.push('late'), 40);
            setTimeout(() => order.push('early'), 5);
            const end = Date.now() + 60;
            while (Date.now() < end) {}
            await new Promise((resolve) => setTimeout(resolve, 10));
            return order;
        }",
    );
    assert_eq!(
        run(&busy, json!({})).await.unwrap(),
        json!(["early", "late"])
    );
}

// Node timers are tokio timers (see ops.rs), so on paused time the clock moves only when
// every run is waiting: the runs finish together exactly when one second has passed for
// all of them, where runs one after another would take a hundred, however fast the machine.
// One thread: paused time needs the current-thread runtime, and a hundred runs sharing one
// thread shows that a waiting run holds none.
#[tokio::test(start_paused = true)]
async fn a_hundred_runs_waiting_on_one_second_timers_finish_together() {
    let waiter = node(
        "waiter",
        "export default async function run(ctx, input) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            return input;
        }",
    );
    let started = tokio::time::Instant::now();
    let runs = (0..100).map(|i| {
        let waiter = waiter.clone();
        tokio::spawn(async move {
            run_with(
                &waiter,
                invocation("waiter", json!(i)),
                RunLimits::default(),
                RecordingHost::new(),
            )
            .await
        })
    });
    let outputs: Vec<_> = futures_join_all(runs).await;
    let elapsed = started.elapsed();
    for (i, output) in outputs.into_iter().enumerate() {
        assert_eq!(output.unwrap().output, i.to_string());
    }
    assert_eq!(
        elapsed,
        Duration::from_secs(1),
        "100 waiting runs took {elapsed:?}"
    );
}

async fn futures_join_all<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.expect("the run task does not panic"));
    }
    results
}

#[tokio::test]
async fn fetch_reaches_the_host_and_the_response_reaches_the_node() {
    let caller = node(
        "caller",
        "export default async function run() {
            const response = await fetch('https://api.example.test/items?x=1', {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-trace': 'abc' },
                body: JSON.stringify({ hello: 'world' }),
            });
            return { status: response.status, ok: response.ok, body: await response.json(),
                     type: response.headers.get('content-type') };
        }",
    );
    let host = RecordingHost::replying(Ok(FetchResponse {
        status: 201,
        status_text: "Created".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        url: "https://api.example.test/items?x=1".into(),
        redirected: false,
        body: br#"{"id": 9}"#.to_vec(),
    }));
    let output = run_with(
        &caller,
        invocation("caller", json!({})),
        RunLimits::default(),
        host.clone(),
    )
    .await
    .unwrap();
    let output: serde_json::Value = serde_json::from_str(&output.output).unwrap();
    assert_eq!(
        output,
        json!({"status": 201, "ok": true, "body": {"id": 9}, "type": "application/json"})
    );

    let requests = host.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.url, "https://api.example.test/items?x=1");
    assert_eq!(request.method, "POST");
    assert!(
        request.headers.contains(&("x-trace".into(), "abc".into())),
        "{:?}",
        request.headers
    );
    assert_eq!(request.body, br#"{"hello":"world"}"#);
}

#[tokio::test]
async fn a_failed_fetch_rejects_in_the_node_with_the_host_message() {
    let caller = node(
        "refused",
        "export default async function run() {
            try { await fetch('https://blocked.example.test/'); return 'fetched'; }
            catch (error) { return error.message; }
        }",
    );
    let host = RecordingHost::replying(Err("egress to blocked.example.test is not allowed".into()));
    let output = run_with(
        &caller,
        invocation("refused", json!({})),
        RunLimits::default(),
        host,
    )
    .await
    .unwrap();
    assert_eq!(
        output.output,
        "\"egress to blocked.example.test is not allowed\""
    );
}
