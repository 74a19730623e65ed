//! `tntc validate`.

use super::{initialised, json, stderr, stdout, tntc, write};

/// A workflow.yaml with five errors.
pub const BROKEN: &str = "name: Broken Flow\nversion: \"1.0\"\ntriggers:\n  - type: cron\n    schedule: \"every day\"\nnodes:\n  hello:\n    path: ./nodes/nope.ts\nedges:\n  - {from: hello, to: helo}\nconfig:\n  timeout: soon\n";

#[test]
fn invalid_workflow_exits_3_with_every_error_rendered() {
    let dir = initialised("demo");
    std::fs::write(dir.path().join("demo/workflow.yaml"), BROKEN).expect("write");
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stdout(&out), "");
    insta::assert_snapshot!(stderr(&out));
}

#[test]
fn json_output_has_positions_and_paths_of_every_error() {
    let dir = initialised("demo");
    std::fs::write(dir.path().join("demo/workflow.yaml"), BROKEN).expect("write");
    let out = tntc(dir.path(), &["validate", "demo", "-o", "json"]);
    assert_eq!(out.status.code(), Some(3));
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
    assert_eq!(out.status.code(), Some(4));
    insta::assert_snapshot!(stderr(&out));
    let out = tntc(dir.path(), &["validate", "nowhere", "-o", "json"]);
    assert_eq!(out.status.code(), Some(4));
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

/// A workflow whose contract declares only `api`.
pub const WITH_CONTRACT: &str = "name: demo\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  hello:\n    path: ./nodes/hello.ts\ncontract:\n  version: \"1\"\n  dependencies:\n    api:\n      protocol: https\n      host: api.example.com\n";

#[test]
fn a_literal_dependency_the_contract_does_not_declare_is_reported_at_its_typescript_position() {
    let dir = initialised("demo");
    write(dir.path(), "demo/workflow.yaml", WITH_CONTRACT);
    write(
        dir.path(),
        "demo/nodes/hello.ts",
        "import type { Context } from \"tentacular\";\n\nexport default async function run(ctx: Context) {\n  const api = ctx.dependency(\"api\");\n  const gh = ctx.dependency(\"github\");\n  return { api: api.host, gh: gh.host };\n}\n",
    );
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stdout(&out), "");
    insta::assert_snapshot!(stderr(&out));

    let value = json(&tntc(dir.path(), &["validate", "demo", "-o", "json"]));
    assert_eq!(value["valid"], false);
    let error = &value["errors"][0];
    assert_eq!(
        (
            &error["line"],
            &error["column"],
            &error["path"],
            &error["file"]
        ),
        (
            &serde_json::json!(5),
            &serde_json::json!(29),
            &serde_json::json!("nodes/hello.ts"),
            &serde_json::json!("demo/nodes/hello.ts")
        )
    );
    assert_eq!(value["errors"].as_array().map(Vec::len), Some(1));
}

#[test]
fn typescript_compile_errors_are_validation_errors() {
    let dir = initialised("demo");
    write(
        dir.path(),
        "demo/nodes/hello.ts",
        "import fs from \"node:fs\";\nexport default async function run() {\n  return fs.readFileSync(\"x\");\n}\n",
    );
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stderr(&out);
    assert!(text.contains(" --> nodes/hello.ts:1:16\n"), "{text}");
    assert!(
        text.ends_with("error: demo/workflow.yaml is invalid: 1 error in its nodes' code\n"),
        "{text}"
    );

    let value = json(&tntc(dir.path(), &["validate", "demo", "-o", "json"]));
    let error = &value["errors"][0];
    assert_eq!(
        (&error["line"], &error["column"], &error["path"]),
        (
            &serde_json::json!(1),
            &serde_json::json!(16),
            &serde_json::json!("nodes/hello.ts")
        )
    );
}

#[test]
fn a_flag_the_command_does_not_take_is_a_usage_error_not_ignored() {
    // -n and -r were global flags that only `configure` read: `validate -n x` ran and
    // silently ignored the namespace.
    let dir = initialised("demo");
    let out = tntc(dir.path(), &["validate", "demo", "-n", "team-a"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unexpected argument '-n'"),
        "{}",
        stderr(&out)
    );
}

const PG_NODE: &str = "import { Client } from \"jsr:@db/postgres@0.19.5\";\n\nexport default async function run() {\n  const client = new Client();\n  await client.connect();\n  return 1;\n}\n";

#[test]
fn a_node_using_the_postgres_driver_needs_a_postgresql_dependency_it_may_reach() {
    let dir = initialised("demo");
    write(dir.path(), "demo/nodes/hello.ts", PG_NODE);
    // No contract: nothing to reach.
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("node `hello` uses jsr:@db/postgres but may reach no postgresql dependency")
            && text.contains("nodes/hello.ts:1:24")
            && text.contains("declare the database under contract.dependencies"),
        "{text}"
    );
    // A contract with the database, but the code names nothing: the node must list it.
    let yaml = std::fs::read_to_string(dir.path().join("demo/workflow.yaml")).expect("read");
    let with_db = format!(
        "{yaml}\ncontract:\n  version: \"1\"\n  dependencies:\n    db:\n      protocol: postgresql\n      host: db.internal\n      database: app\n      user: app\n"
    );
    write(dir.path(), "demo/workflow.yaml", &with_db);
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("nodes.hello.dependencies: [db]"),
        "{}",
        stderr(&out)
    );
    // Listed for the node: valid.
    let listed = with_db.replace(
        "    path: ./nodes/hello.ts\n",
        "    path: ./nodes/hello.ts\n    dependencies: [db]\n",
    );
    assert_ne!(listed, with_db, "the node's entry was found");
    write(dir.path(), "demo/workflow.yaml", &listed);
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn deno_file_reads_are_warnings_at_the_call_and_the_workflow_stays_valid() {
    let dir = initialised("demo");
    write(
        dir.path(),
        "demo/nodes/hello.ts",
        "export default async function run() {\n  try {\n    return await Deno.readTextFile(\"/var/run/secrets/token\");\n  } catch {\n    return Deno.env.get(\"TOKEN\") ?? \"fallback\";\n  }\n}\n",
    );
    let out = tntc(dir.path(), &["validate", "demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("warning: `Deno.readTextFile` always fails in the sandbox")
            && text.contains("nodes/hello.ts:3:18")
            && text.contains("warning: `Deno.env` always fails in the sandbox"),
        "{text}"
    );
    let out = tntc(dir.path(), &["build", "demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: `Deno.readTextFile` always fails in the sandbox"),
        "{}",
        stderr(&out)
    );
}
