//! The `-o json` document of every command, byte for byte: key order, `null` against an
//! absent key, integers against floats. Scripts and `bench/` read these shapes (the
//! `tntc-report` types), so a snapshot here changes only when a shape does on purpose.
//!
//! What differs between runs is normalised, nothing else: the scratch directory becomes
//! `[tmp]`, and the value of a volatile key (a duration, a digest, a size) becomes a
//! placeholder of its JSON type (`[int]`, `[float]`, `"[string]"`; `null` stays `null`).
//! Each document must also read back into its `tntc-report` type and print the same.

use std::path::Path;
use std::process::Output;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tntc_report::{
    bench, build, configure, error, image, init, secrets, test, validate, visualize,
};

use super::secrets::{put, vault};
use super::{copy_example, initialised, stdout, tntc, tntc_cached, tntc_home, write};

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Timing keys of an `ExecutionResult`.
const TIMING: &[&str] = &["startedAt", "completedAt", "durationMs"];

/// `out`'s stdout with `tmp` replaced and the values of `volatile` keys (and, with
/// `numbers_in_arrays`, every number that is an array element) replaced by a placeholder
/// of their type. Runs of more than two identical lines are folded into one and a count.
fn normalised(out: &Output, tmp: &Path, volatile: &[&str], numbers_in_arrays: bool) -> String {
    let text = stdout(out).replace(&tmp.display().to_string(), "[tmp]");
    let placeholder = |value: &str| -> String {
        if value.starts_with('"') {
            "\"[string]\"".to_owned()
        } else if value == "null" || value == "true" || value == "false" {
            value.to_owned()
        } else if value.parse::<f64>().is_ok() {
            if value.contains(['.', 'e', 'E']) {
                "[float]".to_owned()
            } else {
                "[int]".to_owned()
            }
        } else {
            value.to_owned()
        }
    };
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let body = line.trim_start();
        let (body, comma) = match body.strip_suffix(',') {
            Some(rest) => (rest, ","),
            None => (body, ""),
        };
        let key_value = body
            .strip_prefix('"')
            .and_then(|rest| rest.split_once("\": "))
            .filter(|(key, _)| !key.contains('"'));
        let redacted = match key_value {
            Some((key, value)) if volatile.contains(&key) => {
                Some(format!("{indent}\"{key}\": {}{comma}", placeholder(value)))
            }
            None if numbers_in_arrays && body.parse::<f64>().is_ok() => {
                Some(format!("{indent}{}{comma}", placeholder(body)))
            }
            _ => None,
        };
        lines.push(redacted.unwrap_or_else(|| line.to_owned()));
    }
    let mut folded = String::new();
    let mut i = 0;
    while i < lines.len() {
        let run = lines[i..].iter().take_while(|l| **l == lines[i]).count();
        folded.push_str(&lines[i]);
        folded.push('\n');
        if run > 2 {
            folded.push_str(&format!("[{} more of the line above]\n", run - 1));
        } else if run == 2 {
            folded.push_str(&lines[i]);
            folded.push('\n');
        }
        i += run;
    }
    folded
}

/// Asserts that `out`'s document, read as `T` and printed again, is the same text: a
/// script reading it with the `tntc-report` type loses nothing.
fn reads_back<T: Serialize + DeserializeOwned>(out: &Output) {
    let text = stdout(out);
    let document: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not a {}: {e}\n{text}", std::any::type_name::<T>()));
    let again = serde_json::to_string_pretty(&document).expect("serializes");
    assert_eq!(format!("{again}\n"), text);
}

/// The exit status and the normalised document (a `T`), for one snapshot.
fn shown<T: Serialize + DeserializeOwned>(out: &Output, tmp: &Path, volatile: &[&str]) -> String {
    reads_back::<T>(out);
    format!(
        "exit {:?}\n{}",
        out.status.code(),
        normalised(out, tmp, volatile, false)
    )
}

#[test]
fn validate_json_of_a_valid_workflow_has_its_name_and_stages() {
    let out = tntc(&examples(), &["-o", "json", "validate", "word-count"]);
    insta::assert_snapshot!(shown::<validate::Report>(&out, &examples(), &[]));
}

#[test]
fn validate_json_of_an_invalid_spec_has_positioned_errors_and_warnings_and_no_name() {
    let dir = initialised("demo");
    let broken = format!("{}edgez: []\n", super::validate::BROKEN);
    write(dir.path(), "demo/workflow.yaml", &broken);
    let out = tntc(dir.path(), &["-o", "json", "validate", "demo"]);
    insta::assert_snapshot!(shown::<validate::Report>(&out, dir.path(), &[]));
}

#[test]
fn validate_json_of_a_node_that_does_not_compile_has_its_typescript_position() {
    let dir = initialised("demo");
    write(
        dir.path(),
        "demo/nodes/hello.ts",
        "import fs from \"node:fs\";\nexport default async function run() {\n  return fs.readFileSync(\"x\");\n}\n",
    );
    let out = tntc(dir.path(), &["-o", "json", "validate", "demo"]);
    insta::assert_snapshot!(shown::<validate::Report>(&out, dir.path(), &[]));
}

#[test]
fn validate_json_of_contract_drift_has_the_error_with_its_hint() {
    let dir = initialised("demo");
    write(
        dir.path(),
        "demo/workflow.yaml",
        super::validate::WITH_CONTRACT,
    );
    write(
        dir.path(),
        "demo/nodes/hello.ts",
        "import type { Context } from \"tentacular\";\n\nexport default async function run(ctx: Context) {\n  const api = ctx.dependency(\"api\");\n  const gh = ctx.dependency(\"github\");\n  return { api: api.host, gh: gh.host };\n}\n",
    );
    let out = tntc(dir.path(), &["-o", "json", "validate", "demo"]);
    insta::assert_snapshot!(shown::<validate::Report>(&out, dir.path(), &[]));
}

#[test]
fn validate_json_of_a_missing_workflow_is_an_error_without_position() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["-o", "json", "validate", "nowhere"]);
    insta::assert_snapshot!(shown::<validate::Report>(&out, dir.path(), &[]));
}

#[test]
fn visualize_json_has_triggers_entry_nodes_nodes_edges_and_stages() {
    let out = tntc(&examples(), &["-o", "json", "visualize", "cron-report"]);
    insta::assert_snapshot!(shown::<visualize::Report>(&out, &examples(), &[]));
}

#[test]
fn build_json_has_each_module_with_its_digest_and_sizes() {
    let dir = copy_example("word-count");
    let args = ["-o", "json", "build", "word-count", "--out", "bundle"];
    // The first build may compile the runtime into the shared test cache; the second
    // must read it back ("from": "cache", no compile times).
    let first = tntc_cached(dir.path(), &args);
    reads_back::<build::Report>(&first);
    let out = tntc_cached(dir.path(), &args);
    let volatile = [
        "sha256",
        "elapsedMs",
        "cachePath",
        "size",
        "bytecodeSize",
        "compileMs",
        "totalSize",
        "durationMs",
    ];
    insta::assert_snapshot!(shown::<build::Report>(&out, dir.path(), &volatile));
}

#[test]
fn run_json_is_the_execution_result_of_a_success_and_of_a_failure() {
    let out = tntc_cached(
        &examples(),
        &[
            "-o",
            "json",
            "run",
            "word-count",
            "--input",
            r#"{"text": "a b a"}"#,
        ],
    );
    let success = shown::<serde_json::Value>(&out, &examples(), TIMING);

    let dir = copy_example("word-count");
    write(
        dir.path(),
        "word-count/nodes/count.ts",
        "export default async function run() {\n  throw new Error(\"count is broken\");\n}\n",
    );
    let out = tntc_cached(dir.path(), &["-o", "json", "run", "word-count"]);
    let failure = shown::<serde_json::Value>(&out, dir.path(), TIMING);
    insta::assert_snapshot!(format!("{success}\n{failure}"));
}

#[test]
fn nodes_test_json_of_passing_fixtures_has_results_with_traces_and_a_summary() {
    let out = tntc(&examples(), &["-o", "json", "test", "news-digest"]);
    insta::assert_snapshot!(shown::<test::Report>(&out, &examples(), &["durationMs"]));
}

#[test]
fn nodes_test_json_of_failures_has_diffs_errors_drift_and_warnings() {
    let dir = copy_example("word-count");
    // 26 differences (changed, missing, not expected): 20 shown, 6 counted.
    let many: Vec<String> = (0..22).map(|i| format!("\"k{i:02}\": {i}")).collect();
    write(
        dir.path(),
        "word-count/tests/fixtures/count.json",
        &format!(
            r#"{{"input": {{"words": ["a", "b", "a"]}}, "expected": {{"total": 3.5, "counts": {{"a": 1.5, "c": [1, 2]}}, {}}}}}"#,
            many.join(", ")
        ),
    );
    write(
        dir.path(),
        "word-count/tests/fixtures/tokenize.json",
        r#"{"input": {"text": "a"}, "expect": {"words": ["b"]}}"#,
    );
    write(
        dir.path(),
        "word-count/tests/fixtures/report.broken.json",
        "{\"input\": [}",
    );
    write(dir.path(), "word-count/tests/fixtures/counter.json", "{}");
    write(
        dir.path(),
        "word-count/nodes/report.ts",
        "export default async function run(ctx: any) {\n  ctx.log.info(\"about to fail\");\n  throw new Error(\"report is broken\");\n}\n",
    );
    let out = tntc(dir.path(), &["-o", "json", "test", "word-count"]);
    let failures = shown::<test::Report>(&out, dir.path(), &["durationMs"]);

    let drift = tempfile::tempdir().expect("tmp");
    write(drift.path(), "drift/workflow.yaml", super::test::CONTRACT);
    write(
        drift.path(),
        "drift/nodes/hello.ts",
        super::test::ASKS_BY_NAME,
    );
    write(
        drift.path(),
        "drift/tests/fixtures/hello.json",
        r#"{"input": {"name": "github"}}"#,
    );
    let out = tntc(drift.path(), &["-o", "json", "test", "drift"]);
    let undeclared = shown::<test::Report>(&out, drift.path(), &["durationMs"]);

    let legacy = initialised("legacy");
    write(
        legacy.path(),
        "legacy/nodes/hello.ts",
        "export default async function run(ctx: any) {\n  const api = ctx.dependency(\"api\");\n  return { host: api.host };\n}\n",
    );
    let out = tntc(legacy.path(), &["-o", "json", "test", "legacy"]);
    let warned = shown::<test::Report>(&out, legacy.path(), &["durationMs"]);
    insta::assert_snapshot!(format!("{failures}\n{undeclared}\n{warned}"));
}

#[test]
fn pipeline_test_json_has_the_execution_result() {
    let out = tntc(
        &examples(),
        &["-o", "json", "test", "--pipeline", "word-count"],
    );
    let passed = shown::<test::Report>(&out, &examples(), TIMING);

    let dir = copy_example("word-count");
    write(
        dir.path(),
        "word-count/nodes/count.ts",
        "export default async function run(ctx: any, input: { words: string[] }) {\n  ctx.log.info(`counting ${input.words.length} words`);\n  throw new Error(\"count is broken\");\n}\n",
    );
    let out = tntc(
        dir.path(),
        &["-o", "json", "test", "--pipeline", "word-count"],
    );
    let failed = shown::<test::Report>(&out, dir.path(), TIMING);
    insta::assert_snapshot!(format!("{passed}\n{failed}"));
}

#[test]
fn bench_json_has_runtime_start_node_phases_the_dag_and_limit_modes() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "flow/workflow.yaml",
        "name: flow\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  ok:\n    path: ./nodes/ok.ts\n  boom:\n    path: ./nodes/boom.ts\nedges: []\n",
    );
    write(
        dir.path(),
        "flow/nodes/ok.ts",
        "export default async function run(_ctx: unknown, input: unknown) { return input; }\n",
    );
    write(
        dir.path(),
        "flow/nodes/boom.ts",
        "export default async function run() { throw new Error(\"boom\"); }\n",
    );
    write(
        dir.path(),
        "flow/tests/fixtures/ok.json",
        r#"{"input": {"n": 1}}"#,
    );
    let out = tntc_cached(
        dir.path(),
        &[
            "-o",
            "json",
            "bench",
            "flow",
            "--runs",
            "2",
            "--warmup",
            "0",
            "--compare-limits",
        ],
    );
    let volatile = [
        "cold_ms",
        "preinitialize_ms",
        "compile_ms",
        "warm_ms",
        "warm_min_ms",
        "p50_us",
        "p90_us",
        "p99_us",
        "max_us",
        "mean_us",
        "memory_peak_bytes",
        "reset_bytes",
    ];
    reads_back::<bench::Report>(&out);
    insta::assert_snapshot!(format!(
        "exit {:?}\n{}",
        out.status.code(),
        normalised(&out, dir.path(), &volatile, true)
    ));
}

#[test]
fn secrets_check_json_has_sources_references_legacy_and_notes() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets/github",
        "{\"token\": \"ghp_s3cr3t_t0ken\"}",
    );
    put(dir.path(), ".secrets/stripe", "sk_live_s3cr3t\n");
    put(dir.path(), ".secrets/slack", "{\"token\": \"xoxb-s3cr3t\"}");
    put(dir.path(), ".secrets/old-service", "{\n  \"k\": 1,\n}\n");
    put(dir.path(), ".secrets.yaml", "github:\n  user: bot\n");
    let out = tntc(dir.path(), &["-o", "json", "secrets", "check", "vault"]);
    let check = shown::<secrets::check::Report>(&out, dir.path(), &[]);

    let passing = vault();
    put(
        passing.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\nstripe:\n  api_key: sk_live_s3cr3t\n",
    );
    let out = tntc(passing.path(), &["-o", "json", "secrets", "check", "vault"]);
    let ok = shown::<secrets::check::Report>(&out, passing.path(), &[]);
    insta::assert_snapshot!(format!("{check}\n{ok}"));
}

#[test]
fn secrets_check_json_of_a_broken_file_has_ok_false_the_error_and_its_position() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\n  other: [unclosed, sk_live_s3cr3t\n",
    );
    let out = tntc(dir.path(), &["-o", "json", "secrets", "check", "vault"]);
    insta::assert_snapshot!(shown::<secrets::check::LoadFailure>(&out, dir.path(), &[]));
}

#[test]
fn secrets_init_json_lists_each_secret_and_what_was_kept() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets/stripe",
        "{\"api_key\": \"sk_live_s3cr3t\"}",
    );
    put(
        dir.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\nold:\n  k: v\n",
    );
    let out = tntc(
        dir.path(),
        &["-o", "json", "secrets", "init", "vault", "--force"],
    );
    let written = shown::<secrets::init::Report>(&out, dir.path(), &[]);

    let plain = initialised("plain");
    let out = tntc(plain.path(), &["-o", "json", "secrets", "init", "plain"]);
    let nothing = shown::<secrets::init::Report>(&out, plain.path(), &[]);
    insta::assert_snapshot!(format!("{written}\n{nothing}"));
}

#[test]
fn configure_json_shows_settings_and_files_and_what_a_write_changed() {
    let root = tempfile::tempdir().expect("tmp");
    let home = root.path().join("home");
    let project = root.path().join("project");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::create_dir_all(&project).expect("mkdir");
    let run = |args: &[&str]| {
        let out = tntc_home(&project, &home, args);
        shown::<configure::Report>(&out, root.path(), &[])
    };
    let shown_before = run(&["-o", "json", "configure"]);
    let written = run(&[
        "-o",
        "json",
        "configure",
        "-r",
        "ghcr.io/acme",
        "--runtime-class",
        "",
    ]);
    let project_write = run(&["-o", "json", "configure", "--project", "-n", "team-b"]);
    let overridden = run(&["-o", "json", "configure", "--show", "-n", "staging"]);
    insta::assert_snapshot!(format!(
        "{shown_before}\n{written}\n{project_write}\n{overridden}"
    ));
}

#[test]
fn configure_json_of_a_malformed_file_has_the_error_and_its_positions() {
    let root = tempfile::tempdir().expect("tmp");
    let home = root.path().join("home");
    let project = root.path().join("project");
    std::fs::create_dir_all(project.join(".tentacular")).expect("mkdir");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::write(
        project.join(".tentacular/config.yaml"),
        "namespace: Team_A\nregistry: [x\n",
    )
    .expect("write");
    let out = tntc_home(&project, &home, &["-o", "json", "configure"]);
    insta::assert_snapshot!(shown::<configure::ConfigFailure>(&out, root.path(), &[]));
}

#[test]
fn init_json_names_the_workflow_its_directory_and_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = tntc(dir.path(), &["-o", "json", "init", "scripted"]);
    insta::assert_snapshot!(shown::<init::Report>(&out, dir.path(), &[]));
}

#[test]
fn a_failing_command_prints_the_error_envelope_on_stdout() {
    let dir = tempfile::tempdir().expect("tmp");
    // `./nowhere`: a bare name that is no directory here means a deployed workflow.
    let missing = tntc(dir.path(), &["-o", "json", "run", "./nowhere"]);
    let usage = tntc(dir.path(), &["-o", "json", "init", "Not_Kebab"]);
    let invalid = initialised("demo");
    write(
        invalid.path(),
        "demo/workflow.yaml",
        super::validate::BROKEN,
    );
    let invalid_out = tntc(invalid.path(), &["-o", "json", "visualize", "demo"]);
    insta::assert_snapshot!(format!(
        "{}\n{}\n{}",
        shown::<error::ErrorReport>(&missing, dir.path(), &[]),
        shown::<error::ErrorReport>(&usage, dir.path(), &[]),
        shown::<error::ErrorReport>(&invalid_out, invalid.path(), &[])
    ));
}

#[test]
fn image_build_json_has_the_tag_digest_size_and_every_blob() {
    let Some(host) = super::image::musl_host() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = super::image::image_build(
        dir.path(),
        &[
            "--host-binary",
            host.to_str().unwrap(),
            "--tag",
            "example.test/acme/tntc-host:dev",
        ],
    );
    insta::assert_snapshot!(shown::<image::Report>(
        &out,
        dir.path(),
        &["digest", "size", "hostBinary"]
    ));
}
