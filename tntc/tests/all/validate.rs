//! `tntc validate`.

use super::{initialised, json, stderr, stdout, tntc};

const BROKEN: &str = "name: Broken Flow\nversion: \"1.0\"\ntriggers:\n  - type: cron\n    schedule: \"every day\"\nnodes:\n  hello:\n    path: ./nodes/nope.ts\nedges:\n  - {from: hello, to: helo}\nconfig:\n  timeout: soon\n";

#[test]
fn invalid_workflow_exits_1_with_every_error_rendered() {
    let dir = initialised("demo");
    std::fs::write(dir.path().join("demo/workflow.yaml"), BROKEN).expect("write");
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    insta::assert_snapshot!(stderr(&out));
}

#[test]
fn json_output_has_positions_and_paths_of_every_error() {
    let dir = initialised("demo");
    std::fs::write(dir.path().join("demo/workflow.yaml"), BROKEN).expect("write");
    let out = tntc(dir.path(), &["validate", "demo", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    assert_eq!(value["stages"], serde_json::Value::Null);
    let errors: Vec<(u64, u64, &str)> = value["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                e["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (1, 7, "name"),
            (5, 15, "triggers[0].schedule"),
            (8, 11, "nodes.hello.path"),
            (10, 23, "edges[0].to"),
            (12, 12, "config.timeout")
        ]
    );
    assert!(
        value["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Broken Flow"))
    );
}

#[test]
fn json_output_of_a_valid_workflow_has_its_stages() {
    let dir = initialised("demo");
    let out = tntc(
        dir.path(),
        &["-o", "json", "validate", "demo/workflow.yaml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        json(&out),
        serde_json::json!({"valid": true, "name": "demo", "version": "1.0", "errors": [], "warnings": [], "stages": [["hello"]]})
    );
}

#[test]
fn missing_workflow_is_a_clear_error_in_both_formats() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["validate", "nowhere"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out));
    let out = tntc(dir.path(), &["validate", "nowhere", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["valid"], false);
}

#[test]
fn warnings_do_not_fail_validation() {
    let dir = initialised("demo");
    let path = dir.path().join("demo/workflow.yaml");
    let yaml = std::fs::read_to_string(&path)
        .expect("read")
        .replace("edges: []", "edges: []\nedgez: []");
    std::fs::write(&path, yaml).expect("write");
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("warning: unknown key `edgez` is ignored"));
}

#[test]
fn every_example_workflow_validates() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&examples).expect("examples dir") {
        let dir = entry.expect("entry").path();
        if !dir.join("workflow.yaml").is_file() {
            continue;
        }
        seen += 1;
        let out = tntc(&examples, &["validate", dir.to_str().expect("utf-8 path")]);
        assert!(
            out.status.success(),
            "{} is invalid:\n{}",
            dir.display(),
            stderr(&out)
        );
        assert!(
            stderr(&out).is_empty(),
            "{} has warnings:\n{}",
            dir.display(),
            stderr(&out)
        );
    }
    assert!(seen >= 2, "expected at least two examples, found {seen}");
}
