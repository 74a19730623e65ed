use tntc_spec::SourceFile;

use super::*;

const YAML: &str = "name: b\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  a:\n    path: ./nodes/a.ts\n  b:\n    path: ./nodes/b.ts\nedges:\n  - {from: a, to: b}\n";
const RUNTIME: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn checked() -> Checked {
    tntc_spec::check(&SourceFile::new("workflow.yaml", YAML), None).expect("valid")
}

fn nodes() -> Vec<BuiltNode> {
    ["a", "b"]
        .iter()
        .map(|id| BuiltNode {
            id: id.to_string(),
            wasm: format!("\0asm module {id}").into_bytes(),
            source: format!("./nodes/{id}.ts"),
            uses: Some(vec![]),
            services: vec![],
        })
        .collect()
}

fn built() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("dist");
    write(&out, YAML, &checked(), RUNTIME, &nodes(), "tntc test").expect("write");
    (tmp, out)
}

#[test]
fn written_bundle_opens_with_verified_modules() {
    let (_tmp, out) = built();
    let bundle = open(&out.join("workflow.yaml"), RUNTIME).expect("open");
    assert_eq!(bundle.modules["a"], b"\0asm module a");
    assert_eq!(bundle.manifest.nodes["b"].module, "nodes/b.wasm");
    assert_eq!(bundle.manifest.workflow.sha256, sha256_hex(YAML.as_bytes()));
    assert_eq!(bundle.checked.dag.stages.len(), 2);
}

#[test]
fn same_inputs_give_the_same_manifest_bytes() {
    let (_t1, a) = built();
    let (_t2, b) = built();
    let read = |p: &Path| std::fs::read(p.join(MANIFEST_FILE)).expect("read");
    assert_eq!(read(&a), read(&b));
}

#[test]
fn a_modified_module_is_refused() {
    let (_tmp, out) = built();
    std::fs::write(out.join("nodes/a.wasm"), b"\0asm evil").expect("tamper");
    let err = open(&out, RUNTIME).expect_err("tampered");
    assert!(
        matches!(err, BundleError::DigestMismatch { ref what, .. } if what == "nodes/a.wasm"),
        "{err}"
    );
}

#[test]
fn an_edited_workflow_is_refused() {
    let (_tmp, out) = built();
    std::fs::write(out.join("workflow.yaml"), YAML.replace("1.0", "1.1")).expect("edit");
    let err = open(&out, RUNTIME).expect_err("edited");
    assert!(
        err.to_string()
            .starts_with("workflow.yaml does not match the bundle manifest"),
        "{err}"
    );
}

#[test]
fn modules_for_another_runtime_are_refused() {
    let (_tmp, out) = built();
    let err = open(&out, &"2".repeat(64)).expect_err("other runtime");
    assert_eq!(
        err.to_string(),
        "the bundle was compiled for runtime 111111111111, but this host runs runtime 222222222222; rebuild it with the tntc that matches this host"
    );
}

#[test]
fn a_source_directory_points_at_tntc_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("workflow.yaml"), YAML).expect("write");
    let err = open(&tmp.path().join("workflow.yaml"), RUNTIME).expect_err("sources");
    assert!(matches!(err, BundleError::NotABundle { .. }));
    assert!(err.to_string().contains("tntc build"));
}

#[test]
fn a_source_directory_with_dist_finds_its_bundle() {
    let (tmp, _) = built();
    std::fs::write(tmp.path().join("workflow.yaml"), YAML).expect("write");
    let bundle = open(tmp.path(), RUNTIME).expect("open via dist/");
    assert_eq!(bundle.dir, tmp.path().join("dist"));
}

#[test]
fn module_paths_cannot_leave_the_bundle() {
    let (_tmp, out) = built();
    let path = out.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path)
        .expect("read")
        .replace("nodes/a.wasm", "../../etc/passwd");
    std::fs::write(&path, text).expect("write");
    let err = open(&out, RUNTIME).expect_err("escape");
    assert!(err.to_string().contains("leaves the bundle"), "{err}");
}

#[test]
fn manifest_and_workflow_must_name_the_same_nodes() {
    let (_tmp, out) = built();
    let path = out.join(MANIFEST_FILE);
    let mut manifest: Manifest =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    manifest.nodes.remove("b");
    std::fs::write(&path, serde_json::to_string(&manifest).expect("json")).expect("write");
    let err = open(&out, RUNTIME).expect_err("missing node");
    assert_eq!(
        err.to_string(),
        "the bundle manifest and workflow.yaml disagree: node \"b\" has no module; rebuild the bundle"
    );
}

#[test]
fn rebuilding_replaces_the_old_bundle_entirely() {
    let (tmp, out) = built();
    std::fs::write(out.join("nodes/stale.wasm"), b"old").expect("write");
    write(&out, YAML, &checked(), RUNTIME, &nodes(), "tntc test").expect("rewrite");
    assert!(!out.join("nodes/stale.wasm").exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("dist")]);
}

#[test]
fn a_corrupt_manifest_is_a_clear_error() {
    let (_tmp, out) = built();
    std::fs::write(out.join(MANIFEST_FILE), "{not json").expect("write");
    let err = open(&out, RUNTIME).expect_err("corrupt");
    assert!(
        err.to_string().contains("is not a valid bundle manifest"),
        "{err}"
    );
}
