//! Escape suite, the host's files and environment: nodes that try to read them are stopped
//! at compile time when the code says so plainly, and find nothing at run time otherwise
//! (`Deno.readTextFile` and `Deno.env` compile with a warning and find no file, no variable).
//! Every run goes through the real HTTP API, whose `/health` must keep answering.

use serde_json::{Value, json};

use crate::api::Served;
use crate::support::{error_of, one_node, repo_nodes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_host_file_with_deno_finds_no_file() {
    // Deno.readTextFile compiles (with a build warning) and fails as Deno does without the
    // file: the sandbox has no files at all.
    let flow = one_node("reader", "read_file_with_deno", "", "").deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 500);
    assert_eq!(
        result["errors"]["reader"],
        "No such file or directory (os error 2): readfile '/etc/passwd'"
    );
    assert!(!result.to_string().contains("root:"), "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_the_environment_with_deno_finds_no_variable() {
    let flow = one_node("reader", "read_env_with_deno", "", "").deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["outputs"]["reader"], Value::Null);
    let home = std::env::var("HOME").unwrap_or_default();
    assert!(home.len() < 2 || !result.to_string().contains(&home));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_the_environment_with_process_env_finds_no_process() {
    let flow = one_node("reader", "read_env_with_process", "", "").deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 500);
    assert_eq!(result["errors"]["reader"], "process is not defined");
    let path = std::env::var("PATH").unwrap_or_default();
    assert!(!result.to_string().contains(&path));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_global_reaches_the_hosts_files_or_environment() {
    let flow = one_node("prober", "probe_host_globals", "", "").deploy();
    let served = Served::start(flow.deployment.clone()).await;
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 200, "{result}");
    let report = &result["outputs"]["prober"];

    for (name, kind) in report["globals"].as_object().expect("globals") {
        // Deno exists with only the APIs that fail as without files or environment.
        let expected = if name == "Deno" {
            "object"
        } else {
            "undefined"
        };
        assert_eq!(kind, expected, "globalThis.{name} in the sandbox");
    }
    assert_eq!(report["environment"], json!([{}, null, null, null]));
    assert_eq!(
        report["deno"],
        json!({
            "keys": ["env", "errors", "readFile", "readTextFile", "stat"],
            "read": "NotFound: No such file or directory (os error 2): readfile '/etc/passwd'",
            "stat": "NotFound: No such file or directory (os error 2): stat '/'",
            "env": null,
        })
    );
    let file_fetch = report["fileFetch"].as_str().expect("fileFetch");
    assert!(
        file_fetch.starts_with("TypeError: ") && file_fetch.contains("file"),
        "a file: URL is refused as a network error: {file_fetch}"
    );
    let import = report["dynamicImport"].as_str().expect("dynamicImport");
    assert!(
        !import.starts_with("no error"),
        "import('os') worked: {import}"
    );
    let javy = report["javyRead"].as_str().expect("javyRead");
    assert!(javy.starts_with("TypeError: "), "Javy.IO exists: {javy}");
    // The native bridge offers the host interface and nothing more.
    assert_eq!(
        report["bridge"],
        json!([
            "cancel",
            "fetch",
            "log",
            "pgConnect",
            "pgEnd",
            "pgQuery",
            "randomFill",
            "timer"
        ])
    );
    let names: Vec<&str> = report["globalNames"]
        .as_array()
        .expect("globalNames")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for forbidden in ["process", "require", "std", "os", "Javy", "WebAssembly"] {
        assert!(!names.contains(&forbidden), "globalThis has {forbidden}");
    }
    let (home, path) = (
        std::env::var("HOME").unwrap_or_default(),
        std::env::var("PATH").unwrap_or_default(),
    );
    let text = result.to_string();
    assert!(!path.is_empty() && !text.contains(&path));
    assert!(home.len() < 2 || !text.contains(&format!("\"{home}\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_failing_to_read_the_environment_leaves_its_sibling_unaffected() {
    let flow = repo_nodes(
        &[
            ("reader", "read_env_with_process"),
            ("worker", "quick_compute"),
        ],
        &[],
    )
    .deploy();
    let result = flow.run(json!({"n": 70})).await;
    assert_eq!(error_of(&result, "reader"), "process is not defined");
    assert_eq!(result.outputs["worker"], json!({"total": 210}));
}
