//! `tntc init`.

use super::{initialised, json, stderr, stdout, tntc};

#[test]
fn init_then_validate_then_visualize_works() {
    let dir = initialised("demo");
    for file in [
        "workflow.yaml",
        "nodes/hello.ts",
        "tests/fixtures/hello.json",
        ".secrets.yaml.example",
        ".gitignore",
    ] {
        assert!(
            dir.path().join("demo").join(file).is_file(),
            "{file} missing"
        );
    }
    let validate = tntc(dir.path(), &["validate", "demo"]);
    assert!(validate.status.success(), "{}", stderr(&validate));
    assert_eq!(stdout(&validate), "demo 1.0 is valid: 1 node in 1 stage\n");
    let visualize = tntc(dir.path(), &["visualize", "demo"]);
    assert!(visualize.status.success(), "{}", stderr(&visualize));
    assert!(stdout(&visualize).starts_with("graph TD\n"));
}

#[test]
fn scaffolded_node_is_typed_against_tentacular() {
    let dir = initialised("typed");
    let node = std::fs::read_to_string(dir.path().join("typed/nodes/hello.ts")).expect("read");
    assert!(node.contains("import type { Context } from \"tentacular\";"));
    assert!(node.contains("export default async function run(ctx: Context"));
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("typed/tests/fixtures/hello.json")).expect("read"),
    )
    .expect("fixture is JSON");
    assert!(fixture.get("input").is_some() && fixture.get("expected").is_some());
    let ignore = std::fs::read_to_string(dir.path().join("typed/.gitignore")).expect("read");
    assert!(ignore.lines().any(|l| l == ".secrets.yaml"));
}

#[test]
fn init_refuses_to_overwrite_an_existing_directory() {
    let dir = initialised("taken");
    std::fs::write(dir.path().join("taken/workflow.yaml"), "mine").expect("write");
    let again = tntc(dir.path(), &["init", "taken"]);
    assert_eq!(again.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&again));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken/workflow.yaml")).expect("read"),
        "mine"
    );
}

#[test]
fn init_rejects_names_that_are_not_kebab_case() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["init", "My_Flow"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&out));
    assert!(!dir.path().join("My_Flow").exists());
}

#[test]
fn init_json_lists_the_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["-o", "json", "init", "scripted"]);
    assert!(out.status.success());
    let value = json(&out);
    assert_eq!(value["name"], "scripted");
    assert_eq!(value["files"].as_array().map(Vec::len), Some(5));
}

#[test]
fn help_lists_only_working_commands() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["--help"]);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn completions_are_generated_for_bash() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["completions", "bash"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("_tntc()"));
}
