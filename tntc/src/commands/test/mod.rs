//! `tntc test [dir][/<node>] [--pipeline]`: nodes against their fixtures, in the real sandbox.
//!
//! Each fixture runs its node once, in a fresh sandbox exactly like production, with the
//! invocation in test mode ([`runner`]): the original test runner's mock `ctx`, and a trace of
//! the dependencies the node asked for. The output is compared with `expected` by JSON deep
//! equality ([`diff`]); the traces are checked against the contract ([`crate::drift`]).
//! `--pipeline` runs the whole DAG through the host's executor instead ([`pipeline_run`]).
//!
//! Exit codes: 0 when nothing failed, including when there was nothing to test (a workflow
//! without fixtures is not broken; the output says so); 1 when a fixture failed or a node
//! used a dependency it would not get at run time; 3 when the workflow or a tested node
//! does not compile.

mod diff;
mod fixtures;
mod pipeline_run;
mod report;
mod runner;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tntc_host::deployment::sandbox_needs;
use tntc_host::executor::NodeError;
use tntc_report::test::Trace;
use tntc_spec::{Checked, WORKFLOW_FILE, Workflow};

use self::fixtures::{Discovered, FixtureFile};
use self::report::{Outcome, Report, Skipped, TestResult, Writer};
use self::runner::Harness;
use super::{invalid, load};
use crate::building::{nodes_or_bail, tool_sandbox};
use crate::drift::{self, Drift};
use crate::errors::{CliError, CliResult, failed, usage};
use crate::output::{Printer, count};

/// The part of `tntc test --help` that teaches the fixture format.
pub const HELP: &str = "\
Fixtures:
  tests/fixtures/<node>.json         one test of <node>
  tests/fixtures/<node>.<case>.json  more tests of the same node (\"report.empty.json\")

  { \"input\": <any>, \"config\": {...}, \"secrets\": {...}, \"expected\": <any> }

  The node runs once per fixture in a fresh sandbox with ctx.config = config and
  ctx.secrets = secrets (both default to {}). Its output must equal \"expected\" (JSON deep
  equality: key order does not matter); without \"expected\" the fixture passes when the node
  succeeds. Nothing leaves the sandbox: ctx.fetch(service, path) answers
  {\"mock\": true, \"service\", \"path\"}, ctx.dependency(name).fetch(path) answers
  {\"mock\": true, \"dependency\", \"path\"}, and plain fetch() fails. Logs are shown under
  failing fixtures (all of them with --verbose).

Contract drift (exit 1): a node used a dependency it would not get at run time (not in
contract.dependencies, or not in nodes.<id>.dependencies). A declared dependency no node used
is a warning, reported when every node was tested.

--pipeline runs the whole DAG once in test mode, with workflow.yaml's config and no secrets:
the \"input\" of the first root node (in DAG order) that has a tests/fixtures/<root>.json
feeds the roots, and each leaf's output is compared with the \"expected\" of
tests/fixtures/<leaf>.json (the <leaf>.<case>.json fixtures describe other inputs).

Examples:
  tntc test                              every fixture of the workflow in .
  tntc test examples/word-count          every fixture of that workflow
  tntc test examples/word-count/report   only the fixtures of node \"report\"
  tntc test --pipeline -o json           the whole DAG, results as JSON

Exit status: 0 when nothing failed (also when there are no fixtures), 1 when a fixture
failed or drifted, 3 when the workflow or a tested node does not compile.";

/// `tntc test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Workflow directory (or its workflow.yaml), optionally followed by /<NODE> to test
    /// one node.
    #[arg(default_value = ".", value_name = "DIR[/NODE]")]
    pub target: PathBuf,

    /// Run the whole DAG once: the root's fixture input in, each leaf's fixture
    /// "expected" out.
    #[arg(long)]
    pub pipeline: bool,

    /// Show the logs of passing fixtures too.
    #[arg(short, long)]
    pub verbose: bool,
}

impl TestArgs {
    /// Runs the fixtures of the workflow (or node), or with `--pipeline` the whole DAG.
    pub fn execute(self, out: &Printer) -> CliResult {
        let started = Instant::now();
        let (dir, only) = split_target(&self.target);
        let (loaded, checked) = match load(out, &dir)? {
            Ok(ok) => ok,
            Err(loaded) => return Err(invalid(&loaded).into()),
        };
        if let Some(node) = &only {
            if self.pipeline {
                return usage(format!(
                    "--pipeline runs the whole workflow, not one node\n  help: run `tntc test --pipeline {}`",
                    dir.display()
                ));
            }
            if !checked.dag.order.contains(node) {
                return usage(format!(
                    "{} has no node \"{node}\"\n  help: its nodes are {}",
                    checked.workflow.name,
                    checked.dag.order.join(", ")
                ));
            }
        }
        let order: Vec<&str> = checked.dag.order.iter().map(String::as_str).collect();
        let found = fixtures::discover(&loaded.dir, &order)?;
        let mut report = Report {
            workflow: checked.workflow.name.clone(),
            orphans: if only.is_none() {
                found.orphans.clone()
            } else {
                Vec::new()
            },
            ..Report::default()
        };
        let session = Session {
            out,
            dir: &loaded.dir,
            checked: &checked,
            found: &found,
            verbose: self.verbose,
        };
        if self.pipeline {
            session.pipeline(&mut report)?;
        } else {
            session.fixtures(only.as_deref(), &mut report)?;
        }
        report.duration = started.elapsed();
        // The summary aligns nothing: no name width needed.
        Writer::new(out, self.verbose, 0).finish(&report);
        let (_, failed_count) = report.counts();
        Ok(if failed_count == 0 {
            ExitCode::SUCCESS
        } else {
            failed()
        })
    }
}

/// What both kinds of test run share: the workflow, its fixtures, where to print.
struct Session<'a> {
    out: &'a Printer,
    dir: &'a Path,
    checked: &'a Checked,
    found: &'a Discovered,
    verbose: bool,
}

impl Session<'_> {
    /// Every fixture of every node (or of `only`), each in a fresh sandbox.
    fn fixtures(&self, only: Option<&str>, report: &mut Report) -> Result<(), CliError> {
        let wf = &self.checked.workflow;
        let order: Vec<&str> = self.checked.dag.order.iter().map(String::as_str).collect();
        let selected: Vec<&str> = order
            .iter()
            .copied()
            .filter(|n| only.is_none_or(|o| o == *n))
            .collect();
        let tested: Vec<&str> = selected
            .iter()
            .copied()
            .filter(|n| !self.found.of(n).is_empty())
            .collect();
        report.skipped = selected
            .iter()
            .filter(|n| !tested.contains(n))
            .map(|n| Skipped {
                node: n.to_string(),
                reason: format!("no {}/{n}.json", fixtures::FIXTURES_DIR),
            })
            .collect();
        let width = tested
            .iter()
            .map(|n| name_width(n, self.found))
            .max()
            .unwrap_or(0);
        let writer = Writer::new(self.out, self.verbose, width);
        if tested.is_empty() {
            self.nothing_to_test(only);
            return Ok(());
        }
        let harness = self.harness(&tested)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_time()
            .build()?;
        writer.header(&format!(
            "testing {} ({})",
            wf.name,
            count(
                tested.iter().map(|n| self.found.of(n).len()).sum(),
                "fixture"
            )
        ));
        for node in &tested {
            for file in self.found.of(node) {
                let result = runtime.block_on(run_fixture(&harness, file));
                writer.result(&result);
                report.results.push(result);
            }
        }
        let every_node_ran = only.is_none()
            && order.iter().all(|n| {
                report
                    .results
                    .iter()
                    .any(|r| r.node == *n && r.trace.is_some())
            });
        if every_node_ran {
            let traces = report.results.iter().filter_map(|r| r.trace.as_ref());
            let drifts = report.results.iter().flat_map(|r| &r.drift);
            report.unused = drift::unused(wf, &used_dependencies(traces, drifts));
        }
        Ok(())
    }

    /// The whole DAG once, through the host's executor in test mode.
    fn pipeline(&self, report: &mut Report) -> Result<(), CliError> {
        let order: Vec<&str> = self.checked.dag.order.iter().map(String::as_str).collect();
        let width = order.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        let writer = Writer::new(self.out, self.verbose, width);
        let harness = Arc::new(self.harness(&order)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_time()
            .build()?;
        runtime.block_on(pipeline_run::run(
            harness,
            self.checked,
            self.found,
            &writer,
            report,
        ))?;
        Ok(())
    }

    /// The nodes `tested` compiled (only those: a broken node does not block the others'
    /// tests) in a sandbox sized for the workflow.
    fn harness(&self, tested: &[&str]) -> Result<Harness, CliError> {
        let (memory, fuel) = sandbox_needs(&self.checked.workflow);
        let sandbox = tool_sandbox(memory, fuel)?;
        let compiled = tntc_build::compile_only(
            self.dir,
            self.checked,
            |n| tested.contains(&n),
            &sandbox,
            |_| (),
        );
        let compiled = nodes_or_bail(self.out, "test", self.checked, compiled)?;
        Ok(Harness::new(&sandbox, &self.checked.workflow, &compiled)?)
    }

    fn nothing_to_test(&self, only: Option<&str>) {
        let (what, file) = match only {
            Some(node) => (
                format!("node \"{node}\" has no fixture"),
                format!("{node}.json"),
            ),
            None => (
                format!(
                    "no fixtures in {}",
                    self.dir.join(fixtures::FIXTURES_DIR).display()
                ),
                "<node>.json".to_string(),
            ),
        };
        self.out.note(format!(
            "note: {what}: nothing to test\n  = help: add {}/{file} with {{\"input\": ..., \"expected\": ...}} (see `tntc test --help`)",
            fixtures::FIXTURES_DIR
        ));
    }
}

/// `dir`, `dir/workflow.yaml` or `dir/<node>`: the workflow path and the node, if one.
fn split_target(target: &Path) -> (PathBuf, Option<String>) {
    if target.is_file() || target.join(WORKFLOW_FILE).is_file() {
        return (target.to_path_buf(), None);
    }
    if let Some(name) = target.file_name() {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if parent.join(WORKFLOW_FILE).is_file() {
            return (parent, Some(name.to_string_lossy().into_owned()));
        }
    }
    (target.to_path_buf(), None)
}

fn name_width(node: &str, found: &Discovered) -> usize {
    found
        .of(node)
        .iter()
        .map(|f| f.name().chars().count())
        .chain([node.chars().count()])
        .max()
        .unwrap_or(0)
}

/// Runs one fixture and judges it.
async fn run_fixture(harness: &Harness, file: &FixtureFile) -> TestResult {
    let mut result = TestResult {
        node: file.node.clone(),
        name: file.name(),
        fixture: Some(file.rel.clone()),
        duration: Duration::ZERO,
        outcome: Outcome::Passed,
        drift: Vec::new(),
        logs: Vec::new(),
        warnings: Vec::new(),
        trace: None,
    };
    let fixture = match fixtures::load(file) {
        Ok(fixture) => fixture,
        Err(message) => {
            result.outcome = Outcome::Invalid(message);
            return result;
        }
    };
    result
        .warnings
        .extend(fixtures::unknown_keys_warning(&fixture.unknown_keys));
    let node = file.node.as_str();
    let invocation = match harness.invocation(
        node,
        fixture.input.as_ref(),
        &fixture.config,
        &fixture.secrets,
    ) {
        Ok(invocation) => invocation,
        Err(error) => {
            result.outcome = Outcome::Failed(error);
            return result;
        }
    };
    let run = harness.run(node, invocation, harness.timeout(node)).await;
    result.duration = run.duration;
    result.logs = run.logs;
    match run.result {
        Ok((output, trace)) => {
            result.drift = drift_of(harness.workflow(), node, Some(&trace), None);
            result.outcome = judge(fixture.expected.as_ref(), &output);
            result.trace = Some(trace);
        }
        Err(error) => {
            result.drift = drift_of(harness.workflow(), node, None, Some(&error));
            result.outcome = Outcome::Failed(error);
        }
    }
    result
}

/// Passed when there is nothing to expect or the output equals it.
fn judge(expected: Option<&serde_json::Value>, output: &serde_json::Value) -> Outcome {
    match expected {
        Some(expected) => {
            let differences = diff::diff(expected, output);
            if differences.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Mismatch(differences)
            }
        }
        None => Outcome::Passed,
    }
}

/// The drift in what `node` asked for (its trace) or threw for (a name outside its view).
fn drift_of(
    workflow: &Workflow,
    node: &str,
    trace: Option<&Trace>,
    error: Option<&NodeError>,
) -> Vec<Drift> {
    let Some(spec) = workflow.nodes.iter().find(|n| n.id == node) else {
        return Vec::new();
    };
    let mut names: BTreeSet<&str> = trace
        .iter()
        .flat_map(|t| &t.dependency_accesses)
        .map(|a| a.name.as_str())
        .collect();
    names.extend(error.and_then(|e| drift::thrown_dependency(&e.message)));
    names
        .into_iter()
        .filter_map(|name| Drift::check(workflow, spec, name))
        .collect()
}

/// Every dependency name some node asked for: in its trace, or (outside its view) in drift.
fn used_dependencies<'a>(
    traces: impl Iterator<Item = &'a Trace>,
    drift: impl Iterator<Item = &'a Drift>,
) -> BTreeSet<String> {
    let traced = traces
        .flat_map(|t| &t.dependency_accesses)
        .map(|a| a.name.clone());
    traced.chain(drift.map(|d| d.dependency.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_below_a_workflow_selects_a_node() {
        let dir = tempfile::tempdir().expect("tmp");
        let wf = dir.path().join("flow");
        std::fs::create_dir_all(wf.join("nodes")).expect("mkdir");
        std::fs::write(wf.join(WORKFLOW_FILE), "name: x\n").expect("write");
        assert_eq!(split_target(&wf), (wf.clone(), None));
        assert_eq!(
            split_target(&wf.join(WORKFLOW_FILE)),
            (wf.join(WORKFLOW_FILE), None)
        );
        assert_eq!(
            split_target(&wf.join("report")),
            (wf.clone(), Some("report".into()))
        );
        // A node named like a directory of the workflow is still a node.
        assert_eq!(
            split_target(&wf.join("nodes")),
            (wf.clone(), Some("nodes".into()))
        );
        let elsewhere = dir.path().join("nowhere/x");
        assert_eq!(split_target(&elsewhere), (elsewhere.clone(), None));
    }

    #[test]
    fn outputs_are_judged_against_expected_only_when_there_is_one() {
        let output = serde_json::json!({"a": 1});
        assert!(matches!(judge(None, &output), Outcome::Passed));
        assert!(matches!(
            judge(Some(&serde_json::json!({"a": 1.0})), &output),
            Outcome::Passed
        ));
        assert!(
            matches!(judge(Some(&serde_json::json!({"a": 2})), &output), Outcome::Mismatch(d) if d.len() == 1)
        );
    }
}
