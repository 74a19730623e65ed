//! `tntc build`: every example compiles to a verified bundle; output is deterministic and
//! small; compile errors are positioned.

use std::path::Path;

use super::{json, stderr, stdout, tntc_cached};

fn examples() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .expect("examples")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("workflow.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn build_json(dir: &Path, out: &Path) -> serde_json::Value {
    let result = tntc_cached(
        dir,
        &[
            "build",
            ".",
            "--out",
            out.to_str().expect("utf-8"),
            "-o",
            "json",
        ],
    );
    assert!(
        result.status.success(),
        "{} failed:\n{}",
        dir.display(),
        stderr(&result)
    );
    json(&result)
}

#[test]
fn every_example_builds_into_a_bundle_the_host_accepts() {
    for dir in examples() {
        let tmp = tempfile::tempdir().expect("tmp");
        let summary = build_json(&dir, tmp.path());
        let bundle = tntc_bundle::open(tmp.path(), tntc_sandbox::RUNTIME_SHA256)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert_eq!(
            bundle.modules.len(),
            summary["nodes"].as_array().map_or(0, Vec::len)
        );
        for node in summary["nodes"].as_array().expect("nodes") {
            let size = node["size"].as_u64().expect("size");
            assert!(
                size <= 16 * 1024,
                "{} node {} is {size} bytes",
                dir.display(),
                node["id"]
            );
        }
    }
}

#[test]
fn two_builds_give_identical_digests() {
    let dir = &examples()[0];
    let (a, b) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let (first, second) = (build_json(dir, a.path()), build_json(dir, b.path()));
    let digests = |v: &serde_json::Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["sha256"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(digests(&first), digests(&second));
    assert_eq!(
        std::fs::read(a.path().join("manifest.json")).expect("read"),
        std::fs::read(b.path().join("manifest.json")).expect("read")
    );
}

fn workflow_with(node_source: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("nodes")).expect("mkdir");
    std::fs::write(
        dir.path().join("workflow.yaml"),
        "name: broken\nversion: \"1.0\"\ntriggers: [{type: manual}]\nnodes:\n  bad:\n    path: ./nodes/bad.ts\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("nodes/bad.ts"), node_source).expect("write");
    dir
}

#[test]
fn forbidden_imports_and_deno_use_are_positioned_errors() {
    let dir = workflow_with(
        "import { readFile } from \"node:fs\";\nimport x from \"https://deno.land/x/mod.ts\";\n\nexport default async function run() {\n  return Deno.cwd();\n}\n",
    );
    let out = tntc_cached(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!(stderr(&out));
    assert!(!dir.path().join("dist").exists(), "no bundle on failure");
}

#[test]
fn a_typescript_syntax_error_is_positioned() {
    let dir =
        workflow_with("export default async function run(ctx, input) {\n  return { a: 1 ;\n}\n");
    let out = tntc_cached(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("--> nodes/bad.ts:2:"), "{err}");
    assert!(
        err.contains("cannot build broken: 1 error in its nodes"),
        "{err}"
    );
}

#[test]
fn text_output_summarises_the_bundle() {
    let dir = &examples()[0];
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tntc_cached(
        dir,
        &["build", ".", "--out", tmp.path().to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Built "), "{}", stdout(&out));
    assert!(stderr(&out).contains("compiled"), "{}", stderr(&out));
}
