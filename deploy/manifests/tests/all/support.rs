//! Bundles for the tests and the target they deploy to.

use std::path::Path;

use tntc_bundle::{self as bundle, BuiltNode};
use tntc_manifests::{Manifest, Manifests, Target};
use tntc_spec::SourceFile;

/// The runtime digest the stand-in bundles claim.
pub const RUNTIME: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A bundle of `yaml` in a fresh directory; each node's module is `module_size` bytes.
pub fn bundle_sized(yaml: &str, module_size: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let source = SourceFile::new(dir.path().join("workflow.yaml"), yaml);
    let checked = tntc_spec::check(&source, None).unwrap_or_else(|d| {
        panic!(
            "invalid test workflow: {:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        )
    });
    let nodes: Vec<BuiltNode> = checked
        .workflow
        .nodes
        .iter()
        .map(|n| {
            let mut wasm = b"\0asm\x01\0\0\0".to_vec();
            wasm.extend(n.id.bytes());
            wasm.resize(module_size.max(wasm.len()), 0x2a);
            BuiltNode {
                id: n.id.clone(),
                wasm,
                source: n.path.clone(),
                uses: None,
                services: Vec::new(),
            }
        })
        .collect();
    bundle::write(
        &dir.path().join("dist"),
        yaml,
        &checked,
        RUNTIME,
        &nodes,
        "tntc test",
    )
    .expect("write bundle");
    dir
}

/// A bundle of `yaml` with small modules.
pub fn bundle(yaml: &str) -> tempfile::TempDir {
    bundle_sized(yaml, 64)
}

/// Namespace `team-a`, image `registry.test/tntc-host:1`, gVisor.
pub fn target() -> Target {
    Target {
        namespace: "team-a".into(),
        image: "registry.test/tntc-host:1".into(),
        runtime_class: Some("gvisor".into()),
        image_pull_policy: None,
    }
}

/// Renders the bundle in `dir` for [`target`] without secrets.
pub fn render(dir: &Path) -> Manifests {
    tntc_manifests::render(&dir.join("dist"), &target(), None).expect("render")
}

/// The object `Kind/name` as JSON.
pub fn object(manifests: &Manifests, kind: &str, name: &str) -> serde_json::Value {
    manifests
        .get(kind, name)
        .unwrap_or_else(|| panic!("no {kind}/{name} in {:?}", names(manifests)))
        .to_json()
}

/// `Kind/name` of every object, in order.
pub fn names(manifests: &Manifests) -> Vec<String> {
    manifests
        .objects
        .iter()
        .map(Manifest::display_name)
        .collect()
}

/// A workflow of two nodes with `extra` appended (triggers, contract, ...).
pub fn workflow(name: &str, triggers: &str, extra: &str) -> String {
    format!(
        "name: {name}\nversion: \"1.2\"\ntriggers:\n{triggers}nodes:\n  fetch:\n    path: ./nodes/fetch.ts\n  report:\n    path: ./nodes/report.ts\nedges:\n  - from: fetch\n    to: report\n{extra}"
    )
}

/// A manual trigger.
pub const MANUAL: &str = "  - type: manual\n";
