//! Escape suite, the network: a node reaches what its workflow declares and nothing else,
//! not through a redirect and not by calling the runtime's native bridge directly. The
//! local servers standing in for "elsewhere" count connections: a refused fetch must
//! leave them at zero. Every run goes through the real HTTP API, whose `/health` must
//! keep answering.

use serde_json::json;

use crate::api::Served;
use crate::servers::{Reply, TestServer};
use crate::support::{Deployed, one_node};

async fn counting_server() -> TestServer {
    TestServer::http(|seen| Reply::json(json!({"path": seen.target}))).await
}

fn net(server: &TestServer) -> String {
    format!(
        "    capabilities:\n      net: 127.0.0.1:{}\n",
        server.port()
    )
}

async fn run_served(flow: &Deployed, input: serde_json::Value) -> (u16, serde_json::Value) {
    let served = Served::start(flow.deployment.clone()).await;
    served.run_while_healthy(&input).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetching_an_undeclared_host_is_refused_before_any_connection() {
    let plain = counting_server().await;
    let tls = TestServer::https(|_| Reply::json(json!({"stolen": true}))).await;
    let flow = one_node("fetcher", "fetch_undeclared_host", "", "").deploy();

    let (status, result) = run_served(&flow, json!({"url": plain.url("/exfil?data=1")})).await;
    assert_eq!(status, 500);
    let error = result["errors"]["fetcher"].as_str().expect("an error");
    assert!(
        error.starts_with(&format!("fetch to 127.0.0.1:{} refused: ", plain.port())),
        "{error}"
    );
    assert!(
        error.contains("nodes.fetcher.capabilities.net"),
        "says what to do: {error}"
    );
    assert!(!error.contains("exfil"), "the path is not echoed: {error}");

    let (status, result) = run_served(&flow, json!({"url": tls.url("/")})).await;
    assert_eq!(status, 500);
    let error = result["errors"]["fetcher"].as_str().expect("an error");
    assert!(
        error.contains("not declared in the workflow contract"),
        "{error}"
    );
    assert!(error.contains("contract.dependencies"), "{error}");

    assert_eq!(
        plain.connections(),
        0,
        "no connection to the undeclared host"
    );
    assert_eq!(tls.connections(), 0, "no connection to the undeclared host");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_host_redirecting_to_an_undeclared_one_cannot_take_the_node_there() {
    let elsewhere = counting_server().await;
    let target = elsewhere.url("/collect");
    let declared = TestServer::http(move |_| Reply::redirect(&target)).await;
    let flow = one_node(
        "fetcher",
        "fetch_redirect_to_undeclared",
        &net(&declared),
        "",
    )
    .deploy();

    let (status, result) = run_served(&flow, json!({"url": declared.url("/start")})).await;
    assert_eq!(status, 500, "{result}");
    let error = result["errors"]["fetcher"].as_str().expect("an error");
    assert!(
        error.starts_with(&format!(
            "fetch to 127.0.0.1:{} refused: ",
            elsewhere.port()
        )),
        "the refusal names the redirect's destination: {error}"
    );
    assert_eq!(declared.hits(), 1);
    assert_eq!(elsewhere.connections(), 0, "the redirect was not followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calling_the_native_bridge_directly_still_goes_through_the_egress_policy() {
    let undeclared = counting_server().await;
    let declared = counting_server().await;
    let flow = one_node(
        "sneaky",
        "fetch_through_the_native_bridge",
        &net(&declared),
        "",
    )
    .deploy();

    let (status, result) = run_served(&flow, json!({"url": undeclared.url("/raw")})).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        undeclared.connections(),
        0,
        "the bridge bypassed the policy"
    );

    // The same node does reach a declared host: the wait in the node is long enough.
    let (status, _) = run_served(&flow, json!({"url": declared.url("/raw")})).await;
    assert_eq!(status, 200);
    assert_eq!(declared.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_ctx_fetch_reaches_a_declared_host_with_the_services_auth_headers() {
    let upstream = TestServer::http(|seen| Reply::json(json!({"path": seen.target}))).await;
    let flow = one_node("legacy", "legacy_fetch_with_auth", &net(&upstream), "")
        .secret("github", json!({"token": "gh-token-0001"}))
        .secret("weather", json!({"api_key": "wx-key-0002"}))
        .deploy();

    let (status, result) = run_served(&flow, json!({"url": upstream.url("")})).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        result["outputs"]["legacy"],
        json!({"github": {"path": "/github"}, "weather": {"path": "/weather"}})
    );
    let seen = upstream.seen();
    let github = seen
        .iter()
        .find(|s| s.path() == "/github")
        .expect("github hit");
    assert_eq!(github.header("authorization"), Some("Bearer gh-token-0001"));
    assert_eq!(github.header("x-api-key"), None);
    let weather = seen
        .iter()
        .find(|s| s.path() == "/weather")
        .expect("weather hit");
    assert_eq!(weather.header("x-api-key"), Some("wx-key-0002"));
    assert_eq!(weather.header("x-extra"), Some("1"));
    assert_eq!(weather.header("authorization"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dependency_fetch_reaches_its_https_host_and_port_with_the_path() {
    let api = TestServer::https(|seen| {
        Reply::json(json!({"items": [1, 2], "auth": seen.header("authorization")}))
    })
    .await;
    let contract = format!(
        "contract:\n  version: \"1\"\n  dependencies:\n    api:\n      protocol: https\n      host: 127.0.0.1\n      port: {}\n      auth:\n        type: bearer-token\n        secret: api.token\n",
        api.port()
    );
    let flow = one_node("caller", "dependency_fetch", "", &contract)
        .secret("api", json!({"token": "dep-token-0003"}))
        .deploy();

    let (status, result) = run_served(&flow, json!({})).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        result["outputs"]["caller"],
        json!({
            "status": 200,
            "body": {"items": [1, 2], "auth": "Bearer dep-token-0003"},
            "host": "127.0.0.1",
            "port": api.port(),
        })
    );
    let seen = api.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "/v1/items?limit=2");
    assert_eq!(seen[0].method, "GET");
}
