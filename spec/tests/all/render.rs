//! Snapshots of what people read: the rendered diagnostics of broken workflows.

use tntc_spec::diagnostic::render;

use super::check;

fn rendered(yaml: &str) -> String {
    let (source, result) = check(yaml);
    let diagnostics = match result {
        Ok(checked) => checked.warnings,
        Err(d) => d,
    };
    diagnostics
        .iter()
        .map(|d| render(&source, d, false))
        .collect::<Vec<_>>()
        .join("\n")
        // The temp dir differs per run; keep the snapshot stable.
        .replace(&source.name().display().to_string(), "workflow.yaml")
}

#[test]
fn broken_workflow_renders_every_error_with_carets_and_hints() {
    let yaml = r#"name: My Flow
version: 1
triggers:
  - type: cron
    schedule: "0 25 * * *"
  - type: manul
nodes:
  fetch:
    path: ./nodes/fetch.ts
    dependencies: [gihub]
  summarize:
    path: ../escape.ts
edges:
  - from: fetch
    to: sumarize
config:
  timeout: 30
contract:
  version: "1"
  dependencies:
    github:
      protocol: htps
      host: https://api.github.com/
"#;
    insta::assert_snapshot!(rendered(yaml));
}

#[test]
fn malformed_yaml_renders_at_the_syntax_error() {
    insta::assert_snapshot!(rendered(
        "name: demo\nversion: \"1.0\"\ntriggers:\n  - type: manual\n   bad: indent\n"
    ));
}

#[test]
fn warnings_render_with_suggestions() {
    let yaml = format!("{}edges:\n  - {{from: hello, to: hello2}}\n", super::MINIMAL)
        .replace("nodes:\n", "nodez: {}\nnodes:\n")
        .replace("  hello:\n    path: ./nodes/hello.ts\n", "  hello:\n    path: ./nodes/hello.ts\n  hello2:\n    path: ./nodes/hello.ts\n    retries: 3\n")
        + "  - {from: hello, to: hello2}\n";
    insta::assert_snapshot!(rendered(&yaml));
}
