//! The HTTP API with a real deployment behind it: readiness, run ids, and a graceful stop
//! that lets an in-flight run finish.

use std::time::Duration;

use serde_json::json;

use crate::api::Served;
use crate::support::dag;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_workflow_is_ready_and_each_run_answer_carries_a_run_id() {
    let flow = dag(
        &[(
            "echo",
            "export default async (_ctx: unknown, input: unknown) => input;",
        )],
        &[],
        "",
    )
    .deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let ready = served.get("/ready").await;
    assert_eq!(
        (ready.status, ready.json()),
        (200, json!({"status": "ready"}))
    );

    let mut ids = Vec::new();
    for n in 0..2 {
        let answer = served.post("/run", &json!({ "n": n })).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.json()["outputs"]["echo"], json!({ "n": n }));
        let header = |name: &str| {
            answer
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("content-type").as_deref(), Some("application/json"));
        ids.push(header("x-tntc-run-id").expect("a run id"));
    }
    assert_ne!(ids[0], ids[1], "run ids are distinct: {ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_server_lets_an_in_flight_run_finish() {
    let flow = dag(
        &[(
            "slow",
            "export default async () => { await new Promise((r) => setTimeout(r, 700)); return \"done\"; };",
        )],
        &[],
        "",
    )
    .deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let addr = served.addr;
    let in_flight =
        tokio::spawn(async move { crate::api::request(addr, "POST", "/run", Some(b"{}")).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    served.stop().await.expect("the server stops cleanly");
    let answer = in_flight.await.expect("the in-flight request");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["outputs"]["slow"], "done");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}
