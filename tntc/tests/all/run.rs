//! `tntc run`: a workflow compiled and run once, in-process, in real sandboxes.

use super::{json, stderr, stdout, tntc_cached};

fn examples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

#[test]
fn run_prints_each_node_and_the_leaf_output() {
    let out = tntc_cached(
        &examples(),
        &["run", "word-count", "--input", r#"{"text": "b a b"}"#],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("✓ tokenize"), "{text}");
    assert!(
        text.contains("\"summary\": \"3 words, 2 distinct\""),
        "{text}"
    );
    assert!(
        stderr(&out).contains("[tokenize] INFO tokenized 3 words"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_output_is_the_execution_result() {
    let out = tntc_cached(
        &examples(),
        &[
            "run",
            "word-count",
            "-o",
            "json",
            "--input",
            r#"{"text": "x"}"#,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let value = json(&out);
    assert_eq!(value["success"], true);
    assert_eq!(value["outputs"]["count"]["total"], 1);
    assert!(value["timing"]["nodeTimings"]["report"]["durationMs"].is_u64());
}

#[test]
fn input_can_come_from_a_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("in.json");
    std::fs::write(&input, r#"{"text": "one"}"#).expect("write");
    let arg = format!("@{}", input.display());
    let out = tntc_cached(
        &examples(),
        &["run", "word-count", "-o", "json", "-i", &arg],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["outputs"]["report"]["total"], 1);
}

#[test]
fn a_failing_node_exits_1_with_its_typescript_stack() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("nodes")).expect("mkdir");
    std::fs::write(
        dir.path().join("workflow.yaml"),
        "name: boom\nversion: \"1.0\"\ntriggers: [{type: manual}]\nnodes:\n  first:\n    path: ./nodes/first.ts\n  second:\n    path: ./nodes/first.ts\nedges:\n  - {from: first, to: second}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("nodes/first.ts"),
        "import type { Context } from \"tentacular\";\n\nfunction explode(): never {\n  throw new Error(\"kaboom\");\n}\n\nexport default async function run(_ctx: Context, _input: unknown) {\n  explode();\n}\n",
    )
    .expect("write");
    let out = tntc_cached(dir.path(), &["run", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("✗ first") && text.contains("kaboom"),
        "{text}"
    );
    assert!(
        text.contains("nodes/first.ts:4:"),
        "stack should point at the TypeScript: {text}"
    );
    assert!(
        text.contains("- second") && text.contains("skipped"),
        "{text}"
    );
}

#[test]
fn invalid_input_json_is_a_clear_error() {
    let out = tntc_cached(&examples(), &["run", "word-count", "--input", "{oops"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the input from --input is not valid JSON"),
        "{}",
        stderr(&out)
    );
}
