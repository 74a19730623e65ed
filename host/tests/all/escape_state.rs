//! Escape suite, state: every node run is a fresh sandbox, so nothing a node leaves behind
//! (globals, module variables, polluted prototypes, replaced built-ins) reaches the next
//! node of the same run, the next run, or a concurrent one.

use serde_json::{Value, json};

use crate::api::Served;
use crate::support::{repo_nodes, show};

fn stateful() -> crate::support::Deployed {
    repo_nodes(
        &[
            ("leave", "leave_state_behind"),
            ("observe", "observe_state"),
        ],
        &[("leave", "observe")],
    )
    .deploy()
}

/// What a node sees in a clean sandbox.
fn clean() -> Value {
    json!({
        "globalCounter": 0,
        "objectPrototype": null,
        "arrayPrototype": null,
        "jsonParse": {"a": 1},
        "fetchHijacked": false,
        "setTimeoutHijacked": false,
    })
}

fn assert_clean(result: &Value) {
    let mut first_run = clean();
    first_run["moduleRuns"] = json!(1);
    let leave = &result["outputs"]["leave"];
    let observe = &result["outputs"]["observe"];
    assert_eq!(leave, &first_run, "the next run saw state: {result}");
    assert_eq!(observe, &clean(), "the next node saw state: {result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_a_node_leaves_behind_reaches_the_next_node_or_the_next_run() {
    let flow = stateful();
    let served = Served::start(flow.deployment.clone()).await;
    for _ in 0..3 {
        let (status, result) = served.run_while_healthy(&json!({})).await;
        assert_eq!(status, 200, "{result}");
        assert_clean(&result);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_of_a_polluting_node_do_not_see_each_other() {
    let flow = stateful();
    let runs: Vec<_> = (0..16)
        .map(|_| {
            let deployment = flow.deployment.clone();
            tokio::spawn(async move { deployment.execute(json!({})).await })
        })
        .collect();
    for run in runs {
        let result = run.await.expect("a run");
        assert!(result.success, "{}", show(&result));
        let json = serde_json::to_value(&result).expect("JSON");
        assert_clean(&json);
    }
}
