//! Web API conformance in the real sandbox: every node of `guest-runtime/js/conformance`
//! is compiled like a workflow node, run with `NodeModule::run` on the shared invocation
//! (`invocation.json`, `{{BASE_URL}}` pointing at a local echo server), its fetches going
//! through `tntc_fetch::FetchClient`, and its output must equal what V8/Deno returned
//! (`<name>.expected.json`) exactly.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tntc_compiler::{compile_node, emit_node_module};
use tntc_fetch::{EgressPolicy, FetchClient};
use tntc_sandbox::{BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeHost, RunLimits};
use tntc_sandbox::{NodeFailure, RunRequest};

use crate::servers::{Reply, Seen, TestServer};
use crate::support::{fetch_client, sandbox};

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest-runtime/js/conformance")
}

/// The routes documented at the top of `conformance/echo-server.ts`.
fn echo(request: &Seen) -> Reply {
    const DROPPED: &[&str] = &[
        "host",
        "user-agent",
        "accept-encoding",
        "accept-language",
        "accept",
        "content-length",
        "connection",
        "sec-fetch-mode",
    ];
    let path = request.path();
    if path == "/echo" {
        // As Deno's `Headers` iterates them: lower-case, sorted, repeated names joined.
        let mut headers: Vec<(String, String)> = Vec::new();
        for (name, value) in &request.headers {
            let name = name.to_ascii_lowercase();
            if DROPPED.contains(&name.as_str()) {
                continue;
            }
            match headers.iter_mut().find(|(n, _)| *n == name) {
                Some((_, joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                None => headers.push((name, value.clone())),
            }
        }
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        let headers: serde_json::Map<String, Value> = headers
            .into_iter()
            .map(|(n, v)| (n, Value::String(v)))
            .collect();
        return Reply::json(json!({
            "method": request.method,
            "path": request.target,
            "headers": headers,
            "body": String::from_utf8_lossy(&request.body),
        }));
    }
    if let Some(code) = path.strip_prefix("/status/") {
        let status: u16 = code.parse().unwrap_or(400);
        let mut reply = Reply::status_json(status, json!({ "status": status }));
        if status == 204 {
            reply.body.clear();
        }
        return reply;
    }
    if path == "/text" {
        return Reply {
            status: 200,
            headers: [
                ("content-type", "text/plain; charset=utf-8"),
                ("x-multi", "a"),
                ("x-multi", "b"),
                ("set-cookie", "a=1"),
                ("set-cookie", "b=2"),
            ]
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
            body: "héllo wörld".as_bytes().to_vec(),
            delay: Duration::ZERO,
            held_until_seen: 0,
        };
    }
    if path == "/slow" {
        let delay = request
            .query("delay")
            .and_then(|d| d.parse().ok())
            .unwrap_or(0);
        return Reply::json(json!({"slow": true})).after(Duration::from_millis(delay));
    }
    Reply::status_json(404, json!({"error": "not found"}))
}

/// The host side of a conformance run: fetches through the real client and policy, log
/// lines kept.
struct ConformanceHost {
    client: FetchClient,
    policy: Arc<EgressPolicy>,
    lines: Mutex<Vec<String>>,
}

impl NodeHost for ConformanceHost {
    fn log(&self, level: LogLevel, message: &str) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(format!("{} {message}", level.as_str()));
        }
    }

    fn fetch(&self, request: FetchRequest) -> BoxFuture<'static, Result<FetchResponse, String>> {
        let client = self.client.clone();
        let policy = self.policy.clone();
        Box::pin(async move {
            let request = tntc_fetch::FetchRequest {
                url: request.url,
                method: request.method,
                headers: request.headers,
                body: request.body,
                timeout: request.timeout,
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            client
                .fetch(&policy, request, deadline)
                .await
                .map(|r| FetchResponse {
                    status: r.status,
                    status_text: r.status_text,
                    headers: r.headers,
                    url: r.url,
                    redirected: r.redirected,
                    body: r.body,
                })
                .map_err(|e| e.to_string())
        })
    }
}

/// Compiles conformance node `name` and runs it; returns `{"ok": output}` or
/// `{"error": {"message"}}` as `run-deno.ts` records them, and the node's log lines.
async fn run_conformance(name: &str, echo: &TestServer) -> (Value, Vec<String>) {
    let dir = conformance_dir();
    let node = compile_node(&dir, name, Path::new(&format!("{name}.ts")))
        .unwrap_or_else(|e| panic!("{name} compiles: {e:?}"));
    let bytecode = sandbox()
        .compile_js(&node.js, &node.filename)
        .unwrap_or_else(|e| panic!("{name} compiles to bytecode: {e}"));
    let wasm =
        emit_node_module(&node, &bytecode, Some(sandbox().runtime_digest())).expect("node module");
    let module = sandbox().load_node(&wasm).expect("the node module loads");

    let template =
        std::fs::read_to_string(dir.join("invocation.json")).expect("read invocation.json");
    let base_url = format!("http://127.0.0.1:{}", echo.port());
    let mut invocation: Value =
        serde_json::from_str(&template.replace("{{BASE_URL}}", &base_url)).expect("JSON");
    invocation["node"] = json!(name);

    let mut policy = EgressPolicy::new(name);
    policy
        .allow_capability_net(&format!("127.0.0.1:{}", echo.port()))
        .expect("echo server rule");
    // fetch.ts expects a connection to 127.0.0.1:1 to fail: let the client try it.
    policy
        .allow_capability_net("127.0.0.1:1")
        .expect("port 1 rule");
    let host = Arc::new(ConformanceHost {
        client: fetch_client(),
        policy: Arc::new(policy),
        lines: Mutex::new(Vec::new()),
    });
    let request = RunRequest {
        invocation_json: invocation.to_string(),
        limits: RunLimits::default(),
        host: host.clone(),
    };
    let result = match module.run(request).await {
        Ok(out) => {
            let output: Value = serde_json::from_str(&out.output).expect("output is JSON");
            json!({ "ok": output })
        }
        Err(NodeFailure::Threw { message, .. }) => json!({"error": {"message": message}}),
        Err(other) => panic!("{name} failed in the sandbox: {other}"),
    };
    let lines = host.lines.lock().map(|l| l.clone()).unwrap_or_default();
    (result, lines)
}

fn expected(name: &str) -> Value {
    let path = conformance_dir().join(format!("{name}.expected.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("expected JSON")
}

/// Every path where `actual` differs from `expected`, with both values.
fn differences(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let mut keys: Vec<&String> = e.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (x, y) = (
                    e.get(key).unwrap_or(&Value::Null),
                    a.get(key).unwrap_or(&Value::Null),
                );
                if e.contains_key(key) != a.contains_key(key) {
                    out.push(format!("{path}.{key}: expected {x}, got {y} (presence)"));
                } else {
                    differences(x, y, &format!("{path}.{key}"), out);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                differences(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (e, a) if e != a => out.push(format!("{path}: expected {e}, got {a}")),
        _ => {}
    }
}

/// Runs conformance node `name` and asserts it returns exactly what V8 returned.
async fn conforms(name: &str) {
    let echo = TestServer::http(echo).await;
    let (actual, lines) = run_conformance(name, &echo).await;
    let expected = expected(name);
    let mut diff = Vec::new();
    differences(&expected, &actual, "", &mut diff);
    assert!(
        diff.is_empty(),
        "{name} differs from V8:\n{}\nlogs:\n{}",
        diff.join("\n"),
        lines.join("\n")
    );
    // Values are equal; the text must be too (object key order, as JSON.stringify wrote it).
    assert_eq!(
        actual.to_string(),
        expected.to_string(),
        "{name}: same values as V8 but in another key order"
    );
}

macro_rules! conformance {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                conforms($name).await;
            }
        )*

        /// Every conformance node in the directory has a test here.
        #[test]
        fn every_conformance_node_is_run_in_the_sandbox() {
            let tested = [$($name),*];
            let mut missing = Vec::new();
            for entry in std::fs::read_dir(conformance_dir()).expect("read conformance dir") {
                let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
                let Some(stem) = name.strip_suffix(".ts") else { continue };
                if stem != "run-deno" && stem != "echo-server" && !tested.contains(&stem) {
                    missing.push(stem.to_string());
                }
            }
            assert!(missing.is_empty(), "conformance nodes without a sandbox test: {missing:?}");
        }
    };
}

conformance! {
    abort_matches_v8 => "abort",
    body_matches_v8 => "body",
    crypto_matches_v8 => "crypto",
    ctx_matches_v8 => "ctx",
    encoding_matches_v8 => "encoding",
    errors_matches_v8 => "errors",
    fetch_matches_v8 => "fetch",
    headers_matches_v8 => "headers",
    intl_misc_matches_v8 => "intl-misc",
    language_matches_v8 => "language",
    locale_date_matches_v8 => "locale-date",
    locale_number_matches_v8 => "locale-number",
    regexp_split_matches_v8 => "regexp-split",
    structured_clone_matches_v8 => "structured-clone",
    subtle_matches_v8 => "subtle",
    timers_matches_v8 => "timers",
    url_matches_v8 => "url",
    urlsearchparams_matches_v8 => "urlsearchparams",
}
