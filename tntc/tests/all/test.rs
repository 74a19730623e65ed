//! `tntc test`: fixtures run in the real sandbox, diffs, stacks, drift, `--pipeline`.

use std::path::Path;

use super::{copy_example, initialised, json, stderr, stdout, tntc, without_timings, write};

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

#[test]
fn word_count_fixtures_pass_and_passing_logs_stay_hidden() {
    let out = tntc(&examples(), &["test", "word-count"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    insta::assert_snapshot!(without_timings(&stdout(&out)));
    assert_eq!(stderr(&out), "");

    let verbose = tntc(&examples(), &["test", "word-count", "--verbose"]);
    assert!(stdout(&verbose).contains("    logs:\n      [tokenize] INFO tokenized 7 words\n"));
}

#[test]
fn news_digest_fixtures_pass_with_mocked_dependencies() {
    let out = tntc(&examples(), &["test", "news-digest"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    insta::assert_snapshot!(without_timings(&stdout(&out)));
    assert_eq!(stderr(&out), "", "every declared dependency is used");

    let value = json(&tntc(&examples(), &["test", "news-digest", "-o", "json"]));
    let stories = value["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["node"] == "fetch-stories"))
        .expect("fetch-stories result");
    assert_eq!(
        stories["trace"]["dependencyAccesses"],
        serde_json::json!([{"name": "stories-api", "fetches": ["/v0/topstories.json"]}])
    );
}

#[test]
fn a_mismatch_fails_with_the_paths_that_differ() {
    let dir = copy_example("word-count");
    write(
        dir.path(),
        "word-count/tests/fixtures/report.json",
        r#"{
  "input": { "total": 7, "counts": { "the": 3, "cat": 1, "and": 1, "hat": 1, "end": 1 } },
  "expected": { "total": "7", "top": [{ "word": "the", "count": 3 }, { "word": "brown", "count": 1 }], "words": 5 }
}"#,
    );
    let out = tntc(dir.path(), &["test", "word-count"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(without_timings(&stdout(&out)));
}

#[test]
fn a_throwing_node_shows_its_error_typescript_stack_and_logs() {
    let dir = initialised("greet");
    write(
        dir.path(),
        "greet/nodes/hello.ts",
        "import type { Context } from \"tentacular\";\nimport { shout } from \"../lib/shout.ts\";\n\nexport default async function run(ctx: Context, input: { name: string }) {\n  ctx.log.info(`greeting \"${input.name}\"`);\n  return { message: shout(input.name) };\n}\n",
    );
    write(
        dir.path(),
        "greet/lib/shout.ts",
        "export function shout(name: string): string {\n  if (name === \"\") throw new Error(\"nobody to greet\");\n  return name.toUpperCase();\n}\n",
    );
    write(
        dir.path(),
        "greet/tests/fixtures/hello.json",
        r#"{"input": {"name": ""}}"#,
    );
    let out = tntc(dir.path(), &["test", "greet"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(without_timings(&stdout(&out)));
}

/// A workflow whose contract declares `api` and `spare`.
pub const CONTRACT: &str = "name: drift\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  hello:\n    path: ./nodes/hello.ts\ncontract:\n  version: \"1\"\n  dependencies:\n    api:\n      protocol: https\n      host: api.example.com\n    spare:\n      protocol: https\n      host: spare.example.com\n";

/// Asks for `input.name` (a name validate cannot see); with `careful`, catches the throw.
pub const ASKS_BY_NAME: &str = "import type { Context } from \"tentacular\";\n\nexport default async function run(ctx: Context, input: { name: string; careful?: boolean }) {\n  const api = await (await ctx.dependency(\"api\").fetch!(\"/v1/ping\")).json();\n  if (input.careful) {\n    try {\n      ctx.dependency(input.name);\n    } catch {\n      return { api, skipped: input.name };\n    }\n  }\n  ctx.dependency(input.name);\n  return { api };\n}\n";

fn drift_workflow() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "drift/workflow.yaml", CONTRACT);
    write(dir.path(), "drift/nodes/hello.ts", ASKS_BY_NAME);
    dir
}

#[test]
fn using_an_undeclared_dependency_is_drift_even_when_the_node_catches_the_throw() {
    let dir = drift_workflow();
    write(
        dir.path(),
        "drift/tests/fixtures/hello.json",
        r#"{"input": {"name": "github"}}"#,
    );
    write(
        dir.path(),
        "drift/tests/fixtures/hello.careful.json",
        r#"{"input": {"name": "github", "careful": true},
            "expected": {"api": {"mock": true, "dependency": "api", "path": "/v1/ping"}, "skipped": "github"}}"#,
    );
    let out = tntc(dir.path(), &["test", "drift"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(without_timings(&stdout(&out)));

    let value = json(&tntc(dir.path(), &["test", "drift", "-o", "json"]));
    assert_eq!(value["summary"]["failed"], 2);
    let kinds: Vec<(&str, &str)> = value["drift"]["errors"]
        .as_array()
        .expect("drift errors")
        .iter()
        .map(|d| {
            (
                d["dependency"].as_str().unwrap_or(""),
                d["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(kinds, [("github", "undeclared"), ("github", "undeclared")]);
}

#[test]
fn declared_dependencies_no_node_used_are_a_warning_once_every_node_ran() {
    let dir = drift_workflow();
    write(
        dir.path(),
        "drift/tests/fixtures/hello.json",
        r#"{"input": {"name": "api"}, "expected": {"api": {"mock": true, "dependency": "api", "path": "/v1/ping"}}}"#,
    );
    let out = tntc(dir.path(), &["test", "drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    insta::assert_snapshot!(stderr(&out));
    let value = json(&tntc(dir.path(), &["test", "drift", "-o", "json"]));
    assert_eq!(value["drift"]["unused"], serde_json::json!(["spare"]));

    // Testing one node says nothing about the others' use of the contract.
    let single = tntc(dir.path(), &["test", "drift/hello"]);
    assert_eq!(single.status.code(), Some(0));
    assert_eq!(stderr(&single), "");
}

#[test]
fn one_node_is_selected_by_its_path_below_the_workflow() {
    let out = tntc(&examples(), &["test", "word-count/report"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = without_timings(&stdout(&out));
    assert!(
        text.starts_with("testing word-count (2 fixtures)\n✓ report [ms]\n✓ report.top-two [ms]\n"),
        "{text}"
    );
    assert!(!text.contains("tokenize"), "{text}");

    let unknown = tntc(&examples(), &["test", "word-count/repotr"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        stderr(&unknown),
        "error: word-count has no node \"repotr\"\n  help: its nodes are tokenize, count, report\n"
    );
}

#[test]
fn json_output_has_per_fixture_results_drift_and_a_summary() {
    let dir = copy_example("word-count");
    write(
        dir.path(),
        "word-count/tests/fixtures/count.json",
        r#"{"input": {"words": ["a", "b", "a"]}, "expected": {"total": 3, "counts": {"a": 1, "b": 1}}}"#,
    );
    let out = tntc(dir.path(), &["test", "word-count", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let value = json(&out);
    assert_eq!(value["workflow"], "word-count");
    assert_eq!(value["mode"], "nodes");
    assert_eq!(
        value["summary"]["passed"]
            .as_u64()
            .zip(value["summary"]["failed"].as_u64()),
        Some((3, 1))
    );
    let failed = value["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["passed"] == false))
        .expect("a failed result");
    assert_eq!(failed["node"], "count");
    assert_eq!(failed["fixture"], "tests/fixtures/count.json");
    assert!(failed["durationMs"].is_u64());
    assert_eq!(
        failed["diff"],
        serde_json::json!([{"path": "$.counts.a", "message": "$.counts.a: expected 1, got 2", "expected": 1, "got": 2}])
    );
    assert_eq!(
        value["drift"],
        serde_json::json!({"errors": [], "warnings": [], "unused": []})
    );
}

#[test]
fn pipeline_runs_the_dag_and_checks_the_leaves_of_both_examples() {
    let out = tntc(&examples(), &["test", "--pipeline", "word-count"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    insta::assert_snapshot!(without_timings(&stdout(&out)));

    let out = tntc(
        &examples(),
        &["-o", "json", "test", "--pipeline", "news-digest"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let value = json(&out);
    assert_eq!(value["mode"], "pipeline");
    assert_eq!(value["pipeline"]["input"], "tests/fixtures/plan.json");
    assert_eq!(value["pipeline"]["result"]["success"], true);
    assert_eq!(
        value["pipeline"]["result"]["outputs"]["compose"]["digest"],
        "Berlin: no forecast\nNo stories today."
    );
    assert_eq!(value["summary"]["passed"], 1);
}

#[test]
fn pipeline_fails_when_a_leaf_differs_from_its_fixture() {
    let dir = copy_example("word-count");
    let path = dir.path().join("word-count/tests/fixtures/report.json");
    let fixture = std::fs::read_to_string(&path).expect("read").replace(
        "\"total\": 7,\n    \"unique\"",
        "\"total\": 8,\n    \"unique\"",
    );
    std::fs::write(&path, fixture).expect("write");
    let out = tntc(dir.path(), &["test", "--pipeline", "word-count"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(without_timings(&stdout(&out)));
}

#[test]
fn pipeline_shows_the_failing_node_and_skips_the_rest() {
    let dir = copy_example("word-count");
    write(
        dir.path(),
        "word-count/nodes/count.ts",
        "export default async function run(ctx: any, input: { words: string[] }) {\n  ctx.log.info(`counting ${input.words.length} words`);\n  throw new Error(\"count is broken\");\n}\n",
    );
    let out = tntc(dir.path(), &["test", "--pipeline", "word-count"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(without_timings(&stdout(&out)));
}

#[test]
fn pipeline_without_a_root_fixture_says_which_file_to_create() {
    let dir = copy_example("word-count");
    std::fs::remove_file(dir.path().join("word-count/tests/fixtures/tokenize.json")).expect("rm");
    let out = tntc(dir.path(), &["test", "--pipeline", "word-count"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: --pipeline needs an input: no root node (tokenize) has a fixture\n  help: create tests/fixtures/tokenize.json with {\"input\": ...}\n"
    );
}

#[test]
fn nodes_without_fixtures_are_skipped_and_no_fixtures_is_not_a_failure() {
    let dir = copy_example("word-count");
    std::fs::remove_file(dir.path().join("word-count/tests/fixtures/count.json")).expect("rm");
    let out = tntc(dir.path(), &["test", "word-count"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        without_timings(&stdout(&out))
            .ends_with("\n3 passed, 0 failed, 1 skipped (count) in [time]\n"),
        "{}",
        stdout(&out)
    );

    std::fs::remove_dir_all(dir.path().join("word-count/tests")).expect("rm");
    let out = tntc(dir.path(), &["test", "word-count"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out)
            .starts_with("note: no fixtures in word-count/tests/fixtures: nothing to test\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn broken_fixtures_fail_with_the_reason_and_misspelled_keys_are_flagged() {
    let dir = copy_example("word-count");
    write(
        dir.path(),
        "word-count/tests/fixtures/count.json",
        "{\"input\": {\"words\": [}",
    );
    write(
        dir.path(),
        "word-count/tests/fixtures/tokenize.json",
        r#"{"input": {"text": "a"}, "expect": {"words": ["b"]}}"#,
    );
    write(dir.path(), "word-count/tests/fixtures/counter.json", "{}");
    let out = tntc(dir.path(), &["test", "word-count"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(without_timings(&stdout(&out)));
    assert_eq!(
        stderr(&out),
        "warning: tests/fixtures/counter.json is not the fixture of any node of word-count\n  = help: name fixtures tests/fixtures/<node>.json or tests/fixtures/<node>.<case>.json\n"
    );
}

#[test]
fn help_teaches_the_fixture_format() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["test", "--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for needle in [
        "tests/fixtures/<node>.<case>.json",
        "{ \"input\": <any>, \"config\": {...}, \"secrets\": {...}, \"expected\": <any> }",
        "tntc test examples/word-count/report",
        "--pipeline",
        "Exit status: 0 when nothing failed",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
}

#[test]
fn without_a_contract_every_dependency_is_mocked_and_only_warned_about() {
    let dir = initialised("legacy");
    write(
        dir.path(),
        "legacy/nodes/hello.ts",
        "export default async function run(ctx: any) {\n  const api = ctx.dependency(\"api\");\n  return { host: api.host, body: await (await api.fetch(\"/v1\")).json() };\n}\n",
    );
    write(
        dir.path(),
        "legacy/tests/fixtures/hello.json",
        r#"{"input": {}, "expected": {"host": "mock-api.example.com", "body": {"mock": true, "dependency": "api", "path": "/v1"}}}"#,
    );
    let out = tntc(dir.path(), &["test", "legacy"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "warning: node \"hello\" uses dependency \"api\", but the workflow has no contract\n  = help: add `contract: {version: \"1\", dependencies: {api: {protocol: https, host: ...}}}`: tests mock every dependency of a workflow without a contract, but at run time ctx.dependency(\"api\") throws\n"
    );
    let validate = tntc(dir.path(), &["validate", "legacy"]);
    assert_eq!(
        validate.status.code(),
        Some(0),
        "a warning does not invalidate"
    );
    assert!(stderr(&validate).starts_with("warning: node \"hello\" uses dependency \"api\", but the workflow has no contract\n --> nodes/hello.ts:2:30\n"), "{}", stderr(&validate));
}

#[test]
fn postgres_examples_pass_their_fixtures_offline() {
    // No database and no secret: the nodes take the no-credentials path, as the original's do.
    for example in ["visit-log", "cluster-health"] {
        let out = tntc(&examples(), &["test", example]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{example}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(stdout(&out).contains("0 failed"), "{}", stdout(&out));
    }
    let value = json(&tntc(&examples(), &["test", "visit-log", "-o", "json"]));
    let record = value["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["node"] == "record"))
        .expect("record result");
    assert_eq!(
        record["trace"]["dependencyAccesses"][0]["name"],
        serde_json::json!("visits-db")
    );
}
