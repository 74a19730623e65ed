//! `tntc visualize`.

use super::{json, stderr, stdout, tntc};

const FAN: &str = "name: fan\nversion: \"1.0\"\ntriggers:\n  - type: manual\n  - type: cron\n    name: nightly\n    schedule: \"0 2 * * *\"\nnodes:\n  source:\n    path: ./n.ts\n  left:\n    path: ./n.ts\n  right:\n    path: ./n.ts\n  end:\n    path: ./n.ts\nedges:\n  - {from: source, to: left}\n  - {from: source, to: right}\n  - {from: left, to: end}\n  - {from: right, to: end}\n";

fn fan() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("workflow.yaml"), FAN).expect("write");
    std::fs::write(dir.path().join("n.ts"), "export default async () => ({});").expect("write");
    dir
}

#[test]
fn mermaid_groups_stages_and_enters_through_triggers() {
    let dir = fan();
    let out = tntc(dir.path(), &["visualize"]);
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn dot_output_is_graphviz() {
    let dir = fan();
    let out = tntc(dir.path(), &["visualize", ".", "--format", "dot"]);
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn json_graph_has_nodes_edges_stages_and_entry_points() {
    let dir = fan();
    let out = tntc(dir.path(), &["visualize", "-o", "json"]);
    assert!(out.status.success());
    let value = json(&out);
    assert_eq!(
        value["stages"],
        serde_json::json!([["source"], ["left", "right"], ["end"]])
    );
    assert_eq!(value["entryNodes"], serde_json::json!(["source"]));
    assert_eq!(
        value["nodes"][3],
        serde_json::json!({"id": "end", "path": "./n.ts", "stage": 3})
    );
    assert_eq!(
        value["edges"][0],
        serde_json::json!({"from": "source", "to": "left"})
    );
    assert_eq!(
        value["triggers"][1],
        serde_json::json!({"type": "cron", "name": "nightly", "schedule": "0 2 * * *"})
    );
}

#[test]
fn visualize_refuses_an_invalid_workflow() {
    let dir = fan();
    std::fs::write(
        dir.path().join("workflow.yaml"),
        FAN.replace(
            "to: end}\n  - {from: right",
            "to: source}\n  - {from: right",
        ),
    )
    .expect("write");
    let out = tntc(dir.path(), &["visualize"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("edges form a cycle: left -> source -> left"),
        "{}",
        stderr(&out)
    );
}
