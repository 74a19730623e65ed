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
    assert!(note.to_string().contains("corrupt"), "{note}");
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

/// A valid runtime entry, copied from the shared test cache into `dir` under its own name.
#[cfg(unix)]
fn plant_runtime_entry(dir: &std::path::Path) -> std::path::PathBuf {
    let valid = crate::support::sandbox()
        .runtime_load()
        .cache_path
        .clone()
        .expect("the shared sandbox has a cache entry");
    let planted = dir.join(valid.file_name().expect("a file name"));
    std::fs::copy(&valid, &planted).unwrap();
    planted
}

#[cfg(unix)]
#[test]
fn a_runtime_entry_planted_in_a_world_writable_directory_is_never_mapped() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir().unwrap();
    let shared = scratch.path().join("cache");
    std::fs::create_dir(&shared).unwrap();
    let planted = plant_runtime_entry(&shared);
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let before = std::fs::read(&planted).unwrap();

    let sandbox = Sandbox::new(config(scratch.path())).unwrap();
    let load = sandbox.runtime_load();
    assert!(
        matches!(load.source, RuntimeSource::Built { .. }),
        "a valid entry in a directory anyone can write was used: {load:?}"
    );
    let note = load
        .cache_note
        .clone()
        .expect("a note saying why")
        .to_string();
    assert!(note.contains("writable by everyone"), "{note}");
    assert_eq!(load.cache_path, None, "nothing is written there either");
    assert_eq!(std::fs::read(&planted).unwrap(), before);
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn a_group_writable_entry_in_a_private_directory_is_rebuilt_not_mapped() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();
    let planted = plant_runtime_entry(&cache);
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o664)).unwrap();

    let sandbox = Sandbox::new(config(scratch.path())).unwrap();
    assert!(matches!(
        sandbox.runtime_load().source,
        RuntimeSource::Built { .. }
    ));
    let note = sandbox.runtime_load().cache_note.clone().expect("a note");
    assert!(note.to_string().contains("writable by its group"), "{note}");
    drop(sandbox);
    // Replaced by this process's own entry, which the next start maps.
    let mode = std::fs::metadata(&planted).unwrap().permissions().mode();
    assert_eq!(mode & 0o022, 0, "mode {mode:o}");
    let warm = Sandbox::new(config(scratch.path())).unwrap();
    assert_eq!(warm.runtime_load().source, RuntimeSource::Cache);
}

#[cfg(unix)]
#[test]
fn an_entry_owned_by_another_user_is_not_mapped() {
    use std::os::unix::fs::MetadataExt;
    let scratch = tempfile::tempdir().unwrap();
    if std::fs::metadata(scratch.path()).unwrap().uid() != 0 {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let cache = scratch.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    let planted = plant_runtime_entry(&cache);
    std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();

    let sandbox = Sandbox::new(config(scratch.path())).unwrap();
    assert!(matches!(
        sandbox.runtime_load().source,
        RuntimeSource::Built { .. }
    ));
    let note = sandbox.runtime_load().cache_note.clone().expect("a note");
    assert!(note.to_string().contains("belongs to user 65534"), "{note}");
}

#[test]
fn two_builds_of_the_runtime_cache_are_the_same_bytes() {
    // Pre-initialization reads fixed randomness and clocks, so an image baking the cache
    // (`tntc image build`) has the same digest at every build.
    let entry = |dir: &std::path::Path| {
        let sandbox = Sandbox::new(config(dir)).unwrap();
        assert!(matches!(
            sandbox.runtime_load().source,
            RuntimeSource::Built { .. }
        ));
        std::fs::read(sandbox.runtime_load().cache_path.clone().unwrap()).unwrap()
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert!(entry(a.path()) == entry(b.path()), "the two entries differ");
}
