//! The on-disk runtime cache.

use crate::support::{RecordingHost, invocation, node_in, run_with};
use serde_json::json;
use tntc_sandbox::{RunLimits, RuntimeSource, Sandbox, SandboxConfig};

fn config(dir: &std::path::Path) -> SandboxConfig {
    SandboxConfig {
        cache_dir: Some(dir.join("cache")),
        max_concurrent_runs: 2,
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn a_warm_cache_restart_loads_without_wizer_or_jit() {
    let dir = tempfile::tempdir().unwrap();
    let cold = Sandbox::new(config(dir.path())).unwrap();
    assert!(
        matches!(cold.runtime_load().source, RuntimeSource::Built { .. }),
        "{:?}",
        cold.runtime_load()
    );
    assert_eq!(cold.runtime_load().cache_note, None);
    drop(cold);

    let warm = Sandbox::new(config(dir.path())).unwrap();
    assert_eq!(warm.runtime_load().source, RuntimeSource::Cache);
    let echo = node_in(
        &warm,
        "echo-warm",
        "export default async function run(ctx, input) { return input; }",
    );
    let output = run_with(
        &echo,
        invocation("echo-warm", json!([1, 2])),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await
    .unwrap();
    assert_eq!(output.output, "[1,2]");
}

#[test]
fn a_corrupt_cache_entry_is_rebuilt_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let first = Sandbox::new(config(dir.path())).unwrap();
    let path = first
        .runtime_load()
        .cache_path
        .clone()
        .expect("a cache path");
    drop(first);

    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();

    let rebuilt = Sandbox::new(config(dir.path())).unwrap();
    assert!(matches!(
        rebuilt.runtime_load().source,
        RuntimeSource::Built { .. }
    ));
    let note = rebuilt
        .runtime_load()
        .cache_note
        .clone()
        .expect("a note about the bad entry");
    assert!(note.contains("corrupt"), "{note}");
    drop(rebuilt);

    let warm = Sandbox::new(config(dir.path())).unwrap();
    assert_eq!(
        warm.runtime_load().source,
        RuntimeSource::Cache,
        "the entry was rewritten"
    );
}

#[cfg(unix)]
#[test]
fn the_cache_directory_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::new(config(dir.path())).unwrap();
    let mode = std::fs::metadata(dir.path().join("cache"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    assert_eq!(sandbox.runtime_digest().len(), 64);
}

#[test]
fn from_cache_never_builds_and_node_is_cached_tells_what_load_node_would_compile() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Sandbox::from_cache(config(dir.path())).unwrap().is_none());
    drop(Sandbox::new(config(dir.path())).unwrap());
    let sandbox = Sandbox::from_cache(config(dir.path()))
        .unwrap()
        .expect("the runtime is cached now");
    assert_eq!(sandbox.runtime_load().source, RuntimeSource::Cache);

    let bytecode = sandbox
        .compile_js("export default () => 1;", "nodes/one.js")
        .unwrap();
    let wasm =
        crate::support::node_module(&bytecode, r#"{"node": "one", "source": "nodes/one.ts"}"#);
    assert!(!sandbox.node_is_cached(&wasm));
    sandbox.load_node(&wasm).unwrap();
    assert!(sandbox.node_is_cached(&wasm));
}
