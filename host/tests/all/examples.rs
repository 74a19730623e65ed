//! The example workflows, run through the real host against local servers standing in for
//! the APIs their contracts declare.

use std::path::Path;

use serde_json::json;

use crate::servers::{Reply, TestServer};
use crate::support::{Flow, flow, output_of, show};

/// The example `name` as a flow (workflow.yaml and every node file), `rewrite` applied to
/// its workflow.yaml.
pub(crate) fn example(name: &str, rewrite: impl Fn(String) -> String) -> Flow {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    let yaml = std::fs::read_to_string(dir.join("workflow.yaml")).expect("workflow.yaml");
    let mut example = flow(&rewrite(yaml));
    let mut pending = vec![dir.join("nodes")];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(&dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                example = example.file(
                    &relative,
                    &std::fs::read_to_string(&path).expect("read node"),
                );
            }
        }
    }
    example
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn news_digest_fans_out_to_its_declared_apis_and_fans_in() {
    let stories = TestServer::https(|seen| match seen.path() {
        "/v0/topstories.json" => Reply::json(json!([11, 12, 13, 14, 15, 16, 17])),
        path => {
            let id: u64 = path.trim_start_matches("/v0/item/").trim_end_matches(".json").parse().unwrap_or(0);
            Reply::json(json!({"id": id, "title": format!("Story {id}"), "url": "https://example.org", "score": id * 100}))
        }
    })
    .await;
    let weather = TestServer::https(|seen| {
        assert_eq!(seen.query("latitude"), Some("52.52"));
        Reply::json(json!({"daily": {"temperature_2m_max": [21.5], "temperature_2m_min": [12]}}))
    })
    .await;
    let (stories_port, weather_port) = (stories.port(), weather.port());
    let deployed = example("news-digest", |yaml| {
        yaml.replace(
            "host: hacker-news.firebaseio.com",
            &format!("host: 127.0.0.1\n      port: {stories_port}"),
        )
        .replace(
            "host: api.open-meteo.com",
            &format!("host: 127.0.0.1\n      port: {weather_port}"),
        )
    })
    .deploy();

    let result = deployed
        .run(json!({"trigger": "weekday-morning", "stories": 3}))
        .await;
    assert!(result.success, "{}", show(&result));
    let lines = output_of(&result, "compose")["lines"].clone();
    assert_eq!(
        lines,
        json!([
            "Berlin: 12–21.5 °C",
            "1. Story 11 (1,100 points)",
            "2. Story 12 (1,200 points)",
            "3. Story 13 (1,300 points)"
        ])
    );
    // Fan-out: each fetcher reached only its own API.
    assert_eq!(stories.hits(), 4, "the top stories list plus three items");
    assert_eq!(weather.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn news_digest_fetchers_cannot_reach_each_others_api() {
    let stories = TestServer::https(|_| Reply::json(json!([]))).await;
    let weather = TestServer::https(|_| Reply::json(json!({}))).await;
    let (stories_port, weather_port) = (stories.port(), weather.port());
    // fetch-weather declares only weather-api: the stories API is not in its sandbox.
    let deployed = example("news-digest", |yaml| {
        yaml.replace(
            "host: hacker-news.firebaseio.com",
            &format!("host: 127.0.0.1\n      port: {stories_port}"),
        )
        .replace("host: api.open-meteo.com", &format!("host: 127.0.0.1\n      port: {weather_port}"))
    })
    .file(
        "nodes/fetch-weather.ts",
        "import type { Context } from \"tentacular\";\nexport default async function run(ctx: Context) {\n  // Not this node's dependency: its sandbox has no policy for it.\n  return (await ctx.dependency(\"stories-api\").fetch!(\"/v0/topstories.json\")).json();\n}\n",
    )
    .deploy();
    let result = deployed.run(json!({})).await;
    assert!(!result.success, "{}", show(&result));
    assert_eq!(
        result.errors["fetch-weather"],
        "Dependency \"stories-api\" is declared in the contract but not available to node \"fetch-weather\". Add it to workflow.yaml nodes.fetch-weather.dependencies."
    );
    assert_eq!(
        stories.hits(),
        1,
        "only fetch-stories' own request reaches the stories API"
    );
}
