//! What `tntc test` found, and how it is printed: one line per fixture (with the diff, the
//! error and its TypeScript stack, the drift and the node's logs under a failure), warnings
//! on stderr, a summary line; or one JSON document with `-o json`.

use std::io::IsTerminal;
use std::time::Duration;

use tntc_host::executor::NodeError;
use tntc_host::result::ExecutionResult;
use tntc_report::test::{self as document, Trace};

use super::diff::Difference;
use crate::drift::Drift;
use crate::output::Printer;

/// Differences shown per fixture; the rest are counted.
const MAX_DIFFERENCES: usize = 20;

/// How one fixture (or, with `--pipeline`, one node) ended.
#[derive(Debug)]
pub enum Outcome {
    /// Succeeded, and matched `expected` when there is one.
    Passed,
    /// Succeeded with another output than `expected`.
    Mismatch(Vec<Difference>),
    /// The node failed.
    Failed(NodeError),
    /// The fixture could not be used (unreadable, not a fixture).
    Invalid(String),
}

/// One test's result.
#[derive(Debug)]
pub struct TestResult {
    /// The node.
    pub node: String,
    /// How the line names it: `report`, `report.empty`.
    pub name: String,
    /// The fixture file, relative to the workflow directory.
    pub fixture: Option<String>,
    /// How long the node ran.
    pub duration: Duration,
    /// How it ended.
    pub outcome: Outcome,
    /// Dependencies it used that it would not get at run time.
    pub drift: Vec<Drift>,
    /// Its log lines.
    pub logs: Vec<String>,
    /// Problems with the fixture that do not fail it.
    pub warnings: Vec<String>,
    /// What the node touched, when it finished.
    pub trace: Option<Trace>,
}

impl TestResult {
    /// Passed, and used no dependency it would not get at run time.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed) && !self.drift.iter().any(Drift::is_error)
    }
}

/// A node that was not tested, and why.
#[derive(Debug)]
pub struct Skipped {
    /// The node.
    pub node: String,
    /// Why.
    pub reason: String,
}

/// The pipeline run of `--pipeline`.
#[derive(Debug)]
pub struct PipelineSummary {
    /// The fixture whose `input` fed the root nodes.
    pub input_fixture: String,
    /// The run, outputs unwrapped from test mode.
    pub execution: ExecutionResult,
    /// Nodes in DAG order.
    pub order: Vec<String>,
}

/// Everything one `tntc test` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Workflow name.
    pub workflow: String,
    /// One per fixture run (per checked node with `--pipeline`), in DAG order.
    pub results: Vec<TestResult>,
    /// Nodes without fixtures.
    pub skipped: Vec<Skipped>,
    /// Fixture files that name no node.
    pub orphans: Vec<String>,
    /// Contract dependencies no node used (only when every node ran).
    pub unused: Vec<String>,
    /// The pipeline run, with `--pipeline`.
    pub pipeline: Option<PipelineSummary>,
    /// Wall-clock time of the whole command.
    pub duration: Duration,
}

impl Report {
    /// Number of passed and failed results.
    pub fn counts(&self) -> (usize, usize) {
        let passed = self.results.iter().filter(|r| r.passed()).count();
        (passed, self.results.len() - passed)
    }
}

/// Prints results as they come (text mode) and the end of the report.
pub struct Writer<'a> {
    out: &'a Printer,
    verbose: bool,
    color: bool,
    width: usize,
}

impl<'a> Writer<'a> {
    /// A writer whose result lines align names `width` wide.
    pub fn new(out: &'a Printer, verbose: bool, width: usize) -> Writer<'a> {
        let color = out.color() && std::io::stdout().is_terminal();
        Writer {
            out,
            verbose,
            color,
            width,
        }
    }

    /// A header line (text mode).
    pub fn header(&self, text: &str) {
        if !self.out.json() {
            self.out.line(text);
        }
    }

    /// One result's lines (text mode).
    pub fn result(&self, r: &TestResult) {
        if self.out.json() {
            return;
        }
        let (mark, style) = if r.passed() {
            ("✓", "\x1b[32m")
        } else {
            ("✗", "\x1b[1;31m")
        };
        let mark = if self.color {
            format!("{style}{mark}\x1b[0m")
        } else {
            mark.to_string()
        };
        let width = self.width;
        self.out.line(format!(
            "{mark} {:<width$}  {:>6.1} ms",
            r.name,
            r.duration.as_secs_f64() * 1000.0
        ));
        let mut lines = Vec::new();
        for warning in &r.warnings {
            lines.push(format!("warning: {warning}"));
        }
        // Drift that is only a warning (no contract) is listed once, at the end.
        for drift in r.drift.iter().filter(|d| d.is_error()) {
            lines.push(format!("drift: {}", drift.message()));
            lines.push(format!("  help: {}", drift.hint()));
        }
        match &r.outcome {
            Outcome::Passed => {}
            Outcome::Mismatch(differences) => {
                lines.extend(
                    differences
                        .iter()
                        .take(MAX_DIFFERENCES)
                        .map(ToString::to_string),
                );
                if differences.len() > MAX_DIFFERENCES {
                    let more = differences.len() - MAX_DIFFERENCES;
                    lines.push(format!(
                        "… and {more} more difference{}",
                        if more == 1 { "" } else { "s" }
                    ));
                }
            }
            Outcome::Failed(error) => {
                lines.push(format!("error: {}", error.message));
                if let Some(stack) = &error.stack {
                    lines.extend(
                        stack
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .map(|l| format!("  {}", l.trim())),
                    );
                }
            }
            Outcome::Invalid(message) => lines.push(format!("error: {message}")),
        }
        if !r.logs.is_empty() && (self.verbose || !r.passed()) {
            lines.push("logs:".to_string());
            lines.extend(r.logs.iter().map(|l| format!("  {l}")));
        }
        for line in lines {
            self.out.line(format!("    {line}"));
        }
    }

    /// The pipeline run's node lines (text mode).
    pub fn pipeline(&self, run: &PipelineSummary) {
        if self.out.json() {
            return;
        }
        let execution = &run.execution;
        let width = self.width;
        for node in &run.order {
            let (status, ms) = match (
                execution.outputs.contains_key(node),
                execution.timing.node(node),
            ) {
                (true, Some(t)) => ("ok", format!("{:>5} ms", t.duration_ms)),
                (false, Some(t)) => ("failed", format!("{:>5} ms", t.duration_ms)),
                (_, None) => ("not run", String::new()),
            };
            self.out
                .line(format!("  {node:<width$}  {status:<7} {ms}").trim_end());
        }
        let verdict = if execution.success {
            "succeeded"
        } else {
            "failed"
        };
        self.out.line(format!(
            "  pipeline {verdict} in {} ms",
            execution.timing.duration_ms
        ));
    }

    /// Warnings, the summary line (text) or the whole report (JSON).
    pub fn finish(&self, report: &Report) {
        if self.out.json() {
            self.out.report(&to_document(report));
            return;
        }
        for orphan in &report.orphans {
            self.out.note(format!(
                "warning: {orphan} is not the fixture of any node of {}\n  = help: name fixtures tests/fixtures/<node>.json or tests/fixtures/<node>.<case>.json",
                report.workflow
            ));
        }
        let mut seen = Vec::new();
        for drift in report
            .results
            .iter()
            .flat_map(|r| &r.drift)
            .filter(|d| !d.is_error())
        {
            if !seen.contains(&drift) {
                seen.push(drift);
                self.out.note(format!(
                    "warning: {}\n  = help: {}",
                    drift.message(),
                    drift.hint()
                ));
            }
        }
        for name in &report.unused {
            self.out.note(format!(
                "warning: contract dependency \"{name}\" is declared, but no node used it in the fixtures\n  = help: remove it from contract.dependencies, or add a fixture that runs the code using it"
            ));
        }
        let (passed, failed) = report.counts();
        let mut summary = format!("{passed} passed, {failed} failed");
        if !report.skipped.is_empty() {
            let names: Vec<&str> = report.skipped.iter().map(|s| s.node.as_str()).collect();
            summary.push_str(&format!(
                ", {} skipped ({})",
                report.skipped.len(),
                names.join(", ")
            ));
        }
        self.out.line("");
        self.out.line(format!(
            "{summary} in {:.2}s",
            report.duration.as_secs_f64()
        ));
    }
}

/// The `-o json` document; the pipeline's `ExecutionResult` as the host serializes it.
fn to_document(report: &Report) -> document::Report<&ExecutionResult> {
    let (passed, failed) = report.counts();
    let drift: Vec<&Drift> = report.results.iter().flat_map(|r| &r.drift).collect();
    let drift_of = |errors: bool| -> Vec<document::Drift> {
        drift
            .iter()
            .filter(|d| d.is_error() == errors)
            .map(|d| drift_document(d))
            .collect()
    };
    document::Report {
        workflow: report.workflow.clone(),
        mode: if report.pipeline.is_some() {
            document::Mode::Pipeline
        } else {
            document::Mode::Nodes
        },
        results: report.results.iter().map(result_document).collect(),
        skipped: report
            .skipped
            .iter()
            .map(|s| document::Skipped {
                node: s.node.clone(),
                reason: s.reason.clone(),
            })
            .collect(),
        orphans: report.orphans.clone(),
        drift: document::DriftSummary {
            errors: drift_of(true),
            warnings: drift_of(false),
            unused: report.unused.clone(),
        },
        summary: document::Summary {
            passed,
            failed,
            skipped: report.skipped.len(),
            duration_ms: report.duration.as_millis() as u64,
        },
        pipeline: report.pipeline.as_ref().map(|run| document::PipelineRun {
            input: run.input_fixture.clone(),
            result: &run.execution,
        }),
    }
}

fn drift_document(d: &Drift) -> document::Drift {
    document::Drift {
        node: d.node.clone(),
        dependency: d.dependency.clone(),
        kind: d.kind.report(),
        message: d.message(),
        hint: d.hint(),
    }
}

fn result_document(r: &TestResult) -> document::TestResult {
    let error = |message: &str, stack: Option<&String>| document::TestError {
        message: message.to_owned(),
        stack: stack.cloned(),
    };
    let (diff, diff_omitted, error) = match &r.outcome {
        Outcome::Passed => (None, None, None),
        Outcome::Mismatch(differences) => (
            Some(
                differences
                    .iter()
                    .take(MAX_DIFFERENCES)
                    .map(Difference::report)
                    .collect(),
            ),
            (differences.len() > MAX_DIFFERENCES).then(|| differences.len() - MAX_DIFFERENCES),
            None,
        ),
        Outcome::Failed(failure) => (
            None,
            None,
            Some(error(&failure.message, failure.stack.as_ref())),
        ),
        Outcome::Invalid(message) => (None, None, Some(error(message, None))),
    };
    document::TestResult {
        node: r.node.clone(),
        fixture: r.fixture.clone(),
        passed: r.passed(),
        duration_ms: r.duration.as_millis() as u64,
        logs: r.logs.clone(),
        diff,
        diff_omitted,
        error,
        drift: r.drift.iter().map(drift_document).collect(),
        warnings: r.warnings.clone(),
        trace: r.trace.clone(),
    }
}
