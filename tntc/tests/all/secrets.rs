//! `tntc secrets check`.

use std::fs;
use std::path::Path;

use super::{json, stderr, stdout, tntc};

/// Two dependencies with `auth.secret`, and a node using the legacy `ctx.fetch("slack", ...)`.
const WORKFLOW: &str = "name: vault
version: \"1.0\"
triggers:
  - type: manual
nodes:
  call:
    path: ./nodes/call.ts
    dependencies: [github-api, stripe-api]
  notify:
    path: ./nodes/notify.ts
    dependencies: []
    capabilities:
      net: api.slack.com
edges:
  - {from: call, to: notify}
contract:
  version: \"1\"
  dependencies:
    github-api:
      protocol: https
      host: api.github.com
      auth: {type: bearer-token, secret: github.token}
    stripe-api:
      protocol: https
      host: api.stripe.com
      auth: {type: api-key, secret: stripe.api_key}
";

const CALL: &str = "import type { Context } from \"tentacular\";
export default async function run(ctx: Context) {
  return { github: Boolean(ctx.dependency(\"github-api\").secret), stripe: Boolean(ctx.dependency(\"stripe-api\").secret) };
}
";

const NOTIFY: &str = "import type { Context } from \"tentacular\";
export default async function run(ctx: Context) {
  return (await ctx.fetch(\"slack\", \"/chat.postMessage\")).status;
}
";

/// Secret values used in these tests; none may ever appear in any output.
pub const VALUES: &[&str] = &["ghp_s3cr3t_t0ken", "sk_live_s3cr3t", "xoxb-s3cr3t"];

/// A scratch directory holding the workflow `vault/`.
pub fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join("vault");
    fs::create_dir_all(wf.join("nodes")).expect("mkdir");
    fs::write(wf.join("workflow.yaml"), WORKFLOW).expect("write");
    fs::write(wf.join("nodes/call.ts"), CALL).expect("write");
    fs::write(wf.join("nodes/notify.ts"), NOTIFY).expect("write");
    dir
}

/// Writes `text` to `vault/<path>`.
pub fn put(dir: &Path, path: &str, text: &str) {
    let file = dir.join("vault").join(path);
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(file, text).expect("write");
}

fn assert_no_value(out: &std::process::Output) {
    for value in VALUES {
        assert!(
            !stdout(out).contains(value),
            "{value} printed: {}",
            stdout(out)
        );
        assert!(
            !stderr(out).contains(value),
            "{value} printed: {}",
            stderr(out)
        );
    }
}

#[test]
fn check_reports_each_secret_with_its_file_and_length_but_never_its_value() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\n",
    );
    put(
        dir.path(),
        ".secrets/stripe",
        "{\"api_key\": \"sk_live_s3cr3t\"}\n",
    );
    put(dir.path(), ".secrets/slack", "{\"token\": \"xoxb-s3cr3t\"}");
    put(dir.path(), ".secrets/old-service", "plain-old-value\n");
    let out = tntc(dir.path(), &["secrets", "check", "vault"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_no_value(&out);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn a_missing_or_empty_secret_exits_1_and_is_named() {
    let dir = vault();
    put(dir.path(), ".secrets.yaml", "github:\n  token: \"\"\n");
    let out = tntc(dir.path(), &["secrets", "check", "vault"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(format!(
        "{}\n--- stderr ---\n{}",
        stdout(&out),
        stderr(&out)
    ));
}

#[test]
fn a_plain_text_file_without_the_key_gets_a_hint_and_shadowing_is_noted() {
    let dir = vault();
    put(dir.path(), ".secrets/stripe", "sk_live_s3cr3t\n");
    put(
        dir.path(),
        ".secrets/github",
        "{\"token\": \"ghp_s3cr3t_t0ken\"}",
    );
    put(dir.path(), ".secrets.yaml", "github:\n  user: bot\n");
    let out = tntc(dir.path(), &["secrets", "check", "vault"]);
    assert_eq!(out.status.code(), Some(1));
    assert_no_value(&out);
    let text = stdout(&out);
    assert!(
        text.contains("= that file is plain text, read as {\"value\": ...}; write a JSON object there, like {\"api_key\": \"...\"}"),
        "{text}"
    );
    assert!(
        text.contains("= service \"github\" has no key \"token\" (its keys: user)"),
        "{text}"
    );
    assert!(
        text.contains("note: .secrets.yaml replaces service \"github\" of .secrets/github whole"),
        "{text}"
    );
}

#[test]
fn json_output_has_status_length_source_and_dependencies() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\nstripe:\n  api_key: null\n",
    );
    let out = tntc(dir.path(), &["-o", "json", "secrets", "check", "vault"]);
    assert_eq!(out.status.code(), Some(1));
    assert_no_value(&out);
    let value = json(&out);
    assert_eq!(value["ok"], false);
    let source = Path::new("vault")
        .join(".secrets.yaml")
        .display()
        .to_string();
    assert_eq!(
        value["references"],
        serde_json::json!([
            {"secret": "github.token", "service": "github", "key": "token", "status": "ok", "length": 16,
             "source": source, "dependencies": [{"name": "github-api", "authType": "bearer-token"}], "hint": null},
            {"secret": "stripe.api_key", "service": "stripe", "key": "api_key", "status": "empty", "length": null,
             "source": source, "dependencies": [{"name": "stripe-api", "authType": "api-key"}], "hint": null},
        ])
    );
    assert_eq!(
        value["legacy"],
        serde_json::json!([{"service": "slack", "nodes": ["notify"], "headers": [], "source": null}])
    );
}

#[test]
fn a_broken_secrets_file_is_reported_with_its_position_and_no_value() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\n  other: [unclosed, sk_live_s3cr3t\n",
    );
    let out = tntc(dir.path(), &["secrets", "check", "vault"]);
    assert_eq!(out.status.code(), Some(1));
    assert_no_value(&out);
    insta::assert_snapshot!(stderr(&out));

    let out = tntc(dir.path(), &["secrets", "check", "vault", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_no_value(&out);
    let value = json(&out);
    assert_eq!(value["ok"], false);
    assert_eq!(value["position"]["line"], 4);
    assert_eq!(value["position"]["column"], 1);
}

#[test]
fn an_almost_json_directory_file_is_a_positioned_warning() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets/stripe",
        "{\n  \"api_key\": \"sk_live_s3cr3t\",\n}\n",
    );
    let out = tntc(dir.path(), &["secrets", "check", "vault"]);
    assert_no_value(&out);
    let expected = format!(
        "warning: {}:3:1: starts like JSON but is not valid JSON (trailing comma)",
        Path::new("vault").join(".secrets/stripe").display()
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
}

#[test]
fn an_explicit_secrets_path_replaces_the_local_cascade() {
    let dir = vault();
    put(dir.path(), ".secrets.yaml", "github:\n  token: \"\"\n");
    fs::write(
        dir.path().join("prod.yaml"),
        "github:\n  token: ghp_s3cr3t_t0ken\nstripe:\n  api_key: sk_live_s3cr3t\n",
    )
    .expect("write");
    let out = tntc(
        dir.path(),
        &[
            "-o",
            "json",
            "secrets",
            "check",
            "vault",
            "--secrets",
            "prod.yaml",
        ],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let value = json(&out);
    assert_eq!(value["sources"].as_array().map(Vec::len), Some(1));
    assert_eq!(value["references"][0]["source"], "prod.yaml");

    let missing = tntc(
        dir.path(),
        &["secrets", "check", "vault", "--secrets", "nope.yaml"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("--secrets nope.yaml: no such file or directory"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_workflow_without_references_passes() {
    let dir = super::initialised("plain");
    let out = tntc(dir.path(), &["secrets", "check", "plain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("No contract dependency references a secret"));
}

#[test]
fn a_node_that_does_not_compile_is_noted_and_the_check_goes_on() {
    let dir = vault();
    put(
        dir.path(),
        "nodes/notify.ts",
        "export default async function run(ctx) { return ctx.fetch(\"slack\", ; }\n",
    );
    put(
        dir.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\nstripe:\n  api_key: sk_live_s3cr3t\n",
    );
    let out = tntc(dir.path(), &["secrets", "check", "vault"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "note: node \"notify\": its code does not compile, so its ctx.fetch calls are unknown"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn init_with_nothing_referenced_writes_nothing() {
    let dir = super::initialised("plain");
    let out = tntc(dir.path(), &["secrets", "init", "plain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "plain references no secret (no auth.secret, no ctx.fetch service): nothing to write\n"
    );
    assert!(!dir.path().join("plain/.secrets.yaml").exists());
}
