//! `tntc test --pipeline`: the whole DAG once, every node in test mode.
//!
//! The host's executor runs the DAG (stages, retries, fail-fast: the production semantics)
//! over a [`PipelineRunner`] that gives each node a test-mode invocation with the workflow's
//! `config` and no secrets. The root nodes get the `input` of the first root node (in DAG
//! order) that has a `tests/fixtures/<root>.json`. Then each leaf's output is compared with
//! the `expected` of `tests/fixtures/<leaf>.json` (only that file: the cases of
//! `<leaf>.<case>.json` describe other inputs). A failed node is a failed result with its
//! error, stack and logs; a leaf without an expectation is reported as skipped.

use std::sync::Arc;

use anyhow::Context as _;
use tntc_host::executor::{NodeError, NodeRunner, Plan, execute};
use tntc_spec::Checked;

use super::diff::equal;
use super::fixtures::{self, Discovered};
use super::report::{Outcome, PipelineSummary, Report, Skipped, TestResult, Writer};
use super::runner::{Harness, PipelineRunner};
use super::{drift_of, judge, used_dependencies};
use crate::drift;

/// Runs the pipeline and adds its results to `report`.
pub async fn run(
    harness: Arc<Harness>,
    checked: &Checked,
    found: &Discovered,
    writer: &Writer<'_>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let dag = &checked.dag;
    let roots: Vec<&String> = dag
        .order
        .iter()
        .filter(|n| dag.predecessors.get(*n).is_none_or(Vec::is_empty))
        .collect();
    let Some(input_file) = roots.iter().find_map(|n| found.main(n)) else {
        let first = roots.first().map_or("<root>", |n| n.as_str());
        return Err(anyhow::Error::new(crate::errors::Failed(format!(
            "--pipeline needs an input: no root node ({}) has a fixture\n  help: create {}/{first}.json with {{\"input\": ...}}",
            roots
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            fixtures::FIXTURES_DIR
        ))));
    };
    let fixture = fixtures::load(input_file)
        .map_err(anyhow::Error::msg)
        .context("cannot read the pipeline's input")?;
    writer.header(&format!(
        "pipeline of {} with the input of {}",
        report.workflow, input_file.rel
    ));

    let runner = PipelineRunner::new(harness.clone());
    let plan = Plan::new(&checked.workflow, Arc::new(dag.clone()));
    let as_runner: Arc<dyn NodeRunner> = Arc::new(runner.clone());
    let execution = execute(&plan, as_runner, fixture.input.unwrap_or_default()).await;
    let runs = runner.runs();
    let summary = PipelineSummary {
        input_fixture: input_file.rel.clone(),
        execution,
        order: dag.order.clone(),
    };
    writer.pipeline(&summary);
    let execution = &summary.execution;
    let workflow = harness.workflow();

    for node in &dag.order {
        let run = runs.get(node).cloned().unwrap_or_default();
        let duration = execution.timing.node(node).map_or(0, |t| t.duration_ms);
        let mut result = TestResult {
            node: node.clone(),
            name: node.clone(),
            fixture: None,
            duration: std::time::Duration::from_millis(duration),
            outcome: Outcome::Passed,
            drift: Vec::new(),
            logs: run.logs,
            warnings: Vec::new(),
            trace: run.trace,
        };
        if let Some(message) = execution.errors.get(node) {
            let error = NodeError {
                message: message.as_str().unwrap_or_default().to_string(),
                stack: execution.stacks.get(node).cloned(),
            };
            result.drift = drift_of(workflow, node, None, Some(&error));
            result.outcome = Outcome::Failed(error);
            report.results.push(result);
            continue;
        }
        let Some(output) = execution.outputs.get(node) else {
            continue; // not run: an earlier stage failed
        };
        result.drift = drift_of(workflow, node, result.trace.as_ref(), None);
        let is_leaf = dag.successors.get(node).is_none_or(Vec::is_empty);
        if is_leaf {
            match found.main(node).map(|f| (f, fixtures::load(f))) {
                None => report.skipped.push(Skipped {
                    node: node.clone(),
                    reason: format!(
                        "no {}/{node}.json to compare its output with",
                        fixtures::FIXTURES_DIR
                    ),
                }),
                Some((file, Err(message))) => {
                    result.fixture = Some(file.rel.clone());
                    result.outcome = Outcome::Invalid(message);
                }
                Some((file, Ok(leaf))) => match leaf.expected {
                    None => report.skipped.push(Skipped {
                        node: node.clone(),
                        reason: format!("{} has no \"expected\"", file.rel),
                    }),
                    Some(expected) => {
                        result.fixture = Some(file.rel.clone());
                        result.outcome = judge(Some(&expected), output);
                        let same_input = leaf.input.as_ref().is_some_and(|i| equal(i, &run.input));
                        if !result.passed() && !same_input {
                            result.warnings.push(format!(
                                "the pipeline gave {node} another input than the \"input\" of {}",
                                file.rel
                            ));
                        }
                    }
                },
            }
        }
        if result.fixture.is_some() || result.drift.iter().any(drift::Drift::is_error) {
            report.results.push(result);
        }
    }
    for result in &report.results {
        writer.result(result);
    }
    if execution.success {
        let traces = runs.values().filter_map(|r| r.trace.as_ref());
        let drifts = report.results.iter().flat_map(|r| &r.drift);
        report.unused = drift::unused(workflow, &used_dependencies(traces, drifts));
    }
    report.pipeline = Some(summary);
    Ok(())
}
